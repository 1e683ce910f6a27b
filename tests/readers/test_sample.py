"""`mcdewey sample-library`: real Debian packages laid out as a library (network: slow)."""

import pytest

from mcdewey.library import scan_library
from mcdewey.sample import upstream_version


def test_upstream_version():
    assert upstream_version("1:2.0.12-7") == "2.0.12"
    assert upstream_version("3.1.0-2+deb12u1") == "3.1.0"
    assert upstream_version("11.1") == "11.1"


@pytest.mark.slow
def test_sample_library_builds_a_readable_library(tmp_path):
    from mcdewey.sample import build_sample_library

    lines = list(build_sample_library(tmp_path / "lib", log=lambda _msg: None))
    assert len(lines) == 4
    scan = scan_library(tmp_path / "lib")
    assert scan.candidates["cz-nic/bird/2.0.12/user-guide/bird.pdf"] == "pdf"
    assert scan.candidates["debian/debian-faq/11.1/faq/debian-faq.en.pdf"] == "pdf"
    assert scan.candidates["openvswitch/openvswitch/3.1.0/docs/faq/bareudp.html"] == "html"
    assert scan.candidates["kamailio/kamailio/5.6.3/modules/README.acc"] == "text"
    assert not scan.errors
