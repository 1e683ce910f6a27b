"""A small real library from Debian documentation packages, for a machine without the reference library."""

from __future__ import annotations

import fnmatch
import gzip
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Compressed files whose inner name ends like this are documents and get unpacked.
_DOC_SUFFIXES = (".pdf", ".txt", ".html", ".htm", ".md")


@dataclass(frozen=True)
class PackageSource:
    """Which files of one Debian package go where in the library."""

    package: str
    vendor: str
    product: str
    base: str  # folder inside the package the patterns are relative to
    # (glob below base, destination folder below <vendor>/<product>/<version>/); "" keeps the relative path
    files: tuple[tuple[str, str], ...]
    exclude: tuple[str, ...] = ()


SOURCES = (
    PackageSource(
        "bird2-doc", "cz-nic", "bird", "usr/share/doc/bird2",
        (("bird.pdf.gz", "user-guide"), ("prog.pdf.gz", "programmers-guide")),
    ),
    PackageSource("debian-faq", "debian", "debian-faq", "usr/share/doc/debian/FAQ", (("debian-faq.en.pdf.gz", "faq"),)),
    PackageSource(
        "openvswitch-doc", "openvswitch", "openvswitch", "usr/share/doc/openvswitch-doc/html",
        (("*", "docs/"),), exclude=("_sources/*", "_static/*", ".buildinfo"),
    ),
    PackageSource("kamailio", "kamailio", "kamailio", "usr/share/doc/kamailio/modules", (("README.*", "modules"),)),
)


def upstream_version(debian_version: str) -> str:
    """`1:2.0.12-7` -> `2.0.12`; `3.1.0-2+deb12u1` -> `3.1.0`; `11.1` -> `11.1`."""
    version = debian_version.split(":", 1)[-1]
    return version.rsplit("-", 1)[0] if "-" in version else version


def build_sample_library(directory: Path, log: Callable[[str], None] = print) -> Iterator[str]:
    """Download, unpack and lay out every source under `directory`; yields one summary line per package."""
    directory = Path(directory)
    with tempfile.TemporaryDirectory(prefix="mcdewey-sample-") as tmp:
        debs = download([s.package for s in SOURCES], Path(tmp), log)
        for source in SOURCES:
            tree = Path(tmp) / f"unpacked-{source.package}"
            subprocess.run(["dpkg-deb", "-x", str(debs[source.package]), str(tree)], check=True)
            version = upstream_version(_deb_field(debs[source.package], "Version"))
            dest = directory / source.vendor / source.product / version
            count = _lay_out(tree / source.base, source, dest)
            yield f"{source.package} -> {dest.relative_to(directory)} ({count} files)"


def download(packages: list[str], into: Path, log: Callable[[str], None] = print) -> dict[str, Path]:
    """`apt-get download` the packages into a folder; runs `apt-get update` once when the lists are missing."""
    cmd = ["apt-get", "download", "-q", *packages]
    result = subprocess.run(cmd, cwd=into, capture_output=True, text=True)
    if result.returncode != 0:
        log("apt-get download failed; running apt-get update once")
        subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
        result = subprocess.run(cmd, cwd=into, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"apt-get download {' '.join(packages)} failed: {result.stderr.strip()[-500:]}")
    debs = {}
    for package in packages:
        found = sorted(into.glob(f"{package}_*.deb"))
        if not found:
            raise RuntimeError(f"apt-get download did not produce {package}_*.deb")
        debs[package] = found[-1]
    return debs


def _deb_field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], check=True, capture_output=True, text=True).stdout.strip()


def _lay_out(base: Path, source: PackageSource, dest: Path) -> int:
    """Copy the matching files of one unpacked package into the library; returns how many."""
    count = 0
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = path.relative_to(base).as_posix()
        if any(fnmatch.fnmatch(rel, pattern) for pattern in source.exclude):
            continue
        for pattern, folder in source.files:
            if fnmatch.fnmatch(rel if "/" in pattern or folder.endswith("/") else path.name, pattern):
                target = dest / folder / (rel if folder.endswith("/") else path.name)
                _copy(path, target)
                count += 1
                break
    return count


def _copy(path: Path, target: Path) -> None:
    """Copy, unpacking `.gz` documents (README.x.gz, guide.pdf.gz) to their inner name."""
    inner = target.with_suffix("") if target.suffix == ".gz" else None
    if inner is not None and (inner.suffix.lower() in _DOC_SUFFIXES or re.match(r"README\b", inner.name)):
        inner.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "rb") as src, inner.open("wb") as out:
            shutil.copyfileobj(src, out)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
