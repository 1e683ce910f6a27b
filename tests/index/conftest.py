"""A small generated Markdown/text library and workspaces for the index tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TOPICS = {
    "acme/router/1.0/guide/routing.md": (
        "# Routing guide\n\n## Static routes\n\n"
        "Configure a static route with the route add command. The gateway must be reachable.\n\n"
        "## BGP\n\nBGP peers exchange prefixes over TCP port 179. Configure the neighbor address and AS number.\n"
    ),
    "acme/router/2.0/guide/routing.md": (
        "# Routing guide\n\n## Static routes\n\n"
        "Version two adds static route metrics. Use route add with the metric option.\n\n"
        "## OSPF\n\nOSPF areas group routers; area 0 is the backbone area.\n"
    ),
    "acme/switch/1.0/manual/vlans.md": (
        "# VLAN manual\n\n## Creating VLANs\n\nA VLAN separates broadcast domains. Create it with vlan database.\n\n"
        "## Trunks\n\nTrunk ports carry several VLANs tagged with 802.1Q headers.\n"
    ),
    "globex/phone/3.1/admin/provisioning.txt": (
        "PROVISIONING\n\nPhones download their configuration over TFTP at boot. "
        "The DHCP option 150 names the TFTP server.\n\n"
        "SIP REGISTRATION\n\nEach line registers with the SIP registrar using its extension and password.\n"
    ),
    "globex/phone/3.1/admin/troubleshooting.md": (
        "# Troubleshooting\n\n## No dial tone\n\nCheck that the line is registered and the voice VLAN is correct.\n\n"
        "## Echo\n\nEcho on calls usually comes from analog gateways; enable echo cancellation.\n"
    ),
}


def _filler(seed: int, n: int) -> str:
    words = ("packet frame codec latency jitter queue policy interface address table session "
             "timer buffer channel signal port protocol header payload").split()
    return " ".join(words[(seed * 7 + i * 3) % len(words)] for i in range(n))


def write_library(root: Path, extra_docs: int = 12) -> Path:
    """Write the topic documents plus `extra_docs` filler manuals with several paragraphs each."""
    for rel, text in TOPICS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for i in range(extra_docs):
        path = root / f"initech/gateway/{1 + i % 3}.0/ref/chapter-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(f"## Part {j}\n\n{_filler(i * 10 + j, 120)}" for j in range(6))
        path.write_text(f"# Chapter {i}\n\n{body}\n")
    return root


@pytest.fixture(scope="session")
def library_template(tmp_path_factory) -> Path:
    return write_library(tmp_path_factory.mktemp("library-template"))


@pytest.fixture
def library(tmp_path, library_template) -> Path:
    """A fresh, writable copy of the generated library (tests change it)."""
    dest = tmp_path / "library"
    shutil.copytree(library_template, dest)
    return dest


@pytest.fixture
def workspace(tmp_path):
    from mcdewey.store import Workspace

    return Workspace(tmp_path / "home")


@pytest.fixture
def built(library, workspace):
    """The generated library ingested with the fake embedder as index "t"."""
    from mcdewey.ingest import ingest

    report = ingest(library, workspace, "t", model="fake", progress=False)
    return workspace.open_index("t"), report
