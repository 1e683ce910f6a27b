"""The demo library: a handful of small documents from two vendors, with labeled queries over them.

It lets every notebook run in a minute on a machine without the reference library. The facts are
real (summaries of RFC 4271, RFC 2328, apt and dpkg documentation); every format the readers know
is present (a multi-page PDF, Markdown, HTML, plain text), and two files a library scan must skip.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

# A PDF's pages are separated by this marker in its source text.
PAGE_BREAK = "\n<<page>>\n"

BGP_PDF = """BGP-4 in brief (RFC 4271)

1 Transport and messages

BGP-4 is the inter-autonomous-system routing protocol of the Internet. A BGP speaker opens a TCP
connection to its peer on port 179; TCP provides the reliable, ordered delivery BGP relies on, so
BGP itself needs no fragmentation, retransmission or sequencing.

Every message begins with a 19-octet header: a 16-octet marker of all ones, a 2-octet length and
a 1-octet type. The smallest message is therefore 19 octets and the largest is 4096 octets.

There are four message types: OPEN (type 1), UPDATE (type 2), NOTIFICATION (type 3) and
KEEPALIVE (type 4). A NOTIFICATION message is sent when an error condition is detected, and the
BGP connection is closed immediately after it is sent.
<<page>>
2 Timers

The Hold Time is the maximum number of seconds that may elapse between the receipt of successive
KEEPALIVE or UPDATE messages. Each side proposes a Hold Time in its OPEN message and the session
uses the smaller of the two values. The Hold Time must be either zero or at least three seconds; a
value of zero means that KEEPALIVE messages are not sent and the hold timer never expires.

The suggested default for the Hold Time is 90 seconds. KEEPALIVE messages are sent often enough
not to let the hold timer expire: a reasonable interval is one third of the Hold Time, which gives
30 seconds with the default.

The ConnectRetryTimer has a suggested value of 120 seconds. The MinRouteAdvertisementIntervalTimer
limits how often routes to one destination are advertised: 30 seconds for external peers and 5
seconds for internal peers.
<<page>>
3 The finite state machine

A BGP connection moves through six states: Idle, Connect, Active, OpenSent, OpenConfirm and
Established. Only in the Established state are UPDATE, NOTIFICATION and KEEPALIVE messages exchanged
to carry routes. When the hold timer expires, the speaker sends a NOTIFICATION with the error code
Hold Timer Expired and returns to Idle.

4 Path attributes

An UPDATE message advertises feasible routes that share path attributes. ORIGIN, AS_PATH and
NEXT_HOP are well-known mandatory attributes. LOCAL_PREF is exchanged only between internal peers of
the same autonomous system, and a higher LOCAL_PREF is preferred. MULTI_EXIT_DISC is an optional
non-transitive attribute used to choose between several links to a neighbouring autonomous system;
a lower value is preferred.
"""

OSPF_MD = """# OSPF version 2 in brief

Summary of RFC 2328. OSPF is a link-state interior gateway protocol: every router of an area keeps
the same link-state database and computes a shortest-path tree from it with Dijkstra's algorithm.

## Packets and addresses

OSPF runs directly over IP with IP protocol number 89; it does not use TCP or UDP. There are five
packet types: Hello, Database Description, Link State Request, Link State Update and Link State
Acknowledgment.

On broadcast and point-to-point networks, packets are sent to the multicast address AllSPFRouters,
224.0.0.5. Packets meant only for the Designated Router and the Backup Designated Router go to
AllDRouters, 224.0.0.6.

## Hello protocol and timers

Hello packets discover neighbours and keep the adjacencies alive. Two routers become neighbours only
when their HelloInterval and RouterDeadInterval agree. The sample value of HelloInterval on a local
area network is 10 seconds; the RouterDeadInterval is a multiple of it, typically four times, that is
40 seconds. When no Hello arrives from a neighbour within the RouterDeadInterval, the neighbour is
declared down.

## Designated router

On a broadcast network a Designated Router (DR) and a Backup Designated Router are elected from the
Hello packets, so that each router forms adjacencies with only two routers instead of all of them.
The router with the highest Router Priority wins. A router whose Router Priority is set to 0 is never
eligible to become Designated Router.

## Areas

An autonomous system can be split into areas to keep link-state databases small. Area 0.0.0.0 is the
backbone, and every other area must be connected to the backbone; when an area has no physical link
to it, a virtual link through a transit area provides the connection.

## Link-state advertisements

Router-LSAs (type 1) and network-LSAs (type 2) describe an area. Summary-LSAs describe routes between
areas: type 3 for IP networks and type 4 for AS boundary routers. AS-external-LSAs (type 5) carry
routes learned from other routing protocols. Each LSA is refreshed every 30 minutes (LSRefreshTime),
and an LSA whose age reaches MaxAge, one hour, is flushed from the routing domain.
"""

_APT_COMMON = """## Updating and upgrading

`apt update` downloads the package lists from the sources and tells which packages can be upgraded;
it never installs anything. `apt upgrade` installs the newest versions of the installed packages and
may install new dependencies, but it never removes a package. `apt full-upgrade` also removes
installed packages when that is needed to upgrade the system as a whole.

`apt autoremove` removes packages that were installed automatically to satisfy dependencies of other
packages and are no longer needed. Downloaded package files are kept in /var/cache/apt/archives;
`apt clean` empties that folder.

## Holding a package

To keep a package at its current version, mark it on hold with `apt-mark hold package_name`. `apt-mark
unhold package_name` removes the hold, and `apt-mark showhold` lists the packages on hold.

## Sources

Sources are listed in /etc/apt/sources.list and in files under /etc/apt/sources.list.d/. A one-line
entry names the archive type (deb or deb-src), the URI, the suite and the components, for example
`deb http://deb.debian.org/debian {suite} main`. Files ending in .sources use the deb822 format,
with fields such as Types, URIs, Suites and Components.

## Pinning

Preferences in /etc/apt/preferences and /etc/apt/preferences.d/ assign a Pin-Priority to versions.
By default the installed version gets priority 100, versions from ordinary archives get 500 and
versions from the target release get 990. A priority above 1000 makes apt install a version even if
this is a downgrade. `apt policy package_name` shows the priorities apt computed.
"""

APT_26 = """# APT user guide (apt 2.6)

apt 2.6 is the package manager of Debian 12 "bookworm". This guide covers the daily commands.

""" + _APT_COMMON.format(suite="bookworm") + """
## What is new for Debian 12

Debian 12 moved firmware packages into a new component, non-free-firmware. A sources entry that
should offer firmware lists it next to main, for example `deb http://deb.debian.org/debian bookworm
main non-free-firmware`.
"""

APT_22 = """# APT user guide (apt 2.2)

apt 2.2 is the package manager of Debian 11 "bullseye". This guide covers the daily commands.

""" + _APT_COMMON.format(suite="bullseye") + """
## What is new for Debian 11

The security archive changed its suite name: Debian 11 uses `bullseye-security`, where earlier
releases used the form `buster/updates`.
"""

DPKG_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dpkg basics</title></head>
<body>
<h1>dpkg basics</h1>
<p>dpkg is the low-level tool that installs, removes and inspects .deb packages. It does not download
packages and does not resolve dependencies; apt does both and calls dpkg to do the work.</p>
<h2>Installing and removing</h2>
<p><code>dpkg -i file.deb</code> installs a package file. <code>dpkg -r package</code> removes a
package but keeps its configuration files; <code>dpkg -P package</code> purges it, configuration
files included.</p>
<p>If an installation was interrupted, <code>dpkg --configure -a</code> configures every package that
is unpacked but not yet configured.</p>
<h2>Querying</h2>
<ul>
<li><code>dpkg -l</code> lists installed packages with their state and version.</li>
<li><code>dpkg -L package</code> lists the files a package installed.</li>
<li><code>dpkg -S /path/to/file</code> finds which package a file belongs to.</li>
</ul>
<h2>The database</h2>
<p>dpkg records the state of every package in /var/lib/dpkg/status. The file /var/lib/dpkg/available
holds information about packages that can be installed.</p>
</body></html>
"""

DPKG_README = """dpkg 1.21 README

This folder documents dpkg 1.21, the version in Debian 12.

Architectures

dpkg --print-architecture shows the native architecture of the system, for example amd64.
To install packages of a second architecture, add it with dpkg --add-architecture i386 and run
apt update; dpkg --print-foreign-architectures lists the architectures added this way.

Diversions

dpkg-divert tells dpkg to install a package's file under another name, so that a local version of
the file survives package upgrades.
"""

# A tiny PNG and a stylesheet: a scan reports them as skipped, not as documents.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4480000000049454e44ae426082")
CSS_TEXT = "body { font-family: sans-serif; }\n"

TEXT_FILES = {
    "ietf/ospf/rfc2328/ospfv2-summary.md": OSPF_MD,
    "ietf/ospf/rfc2328/style.css": CSS_TEXT,
    "debian/apt/2.6/apt-user-guide.md": APT_26,
    "debian/apt/2.2/apt-user-guide.md": APT_22,
    "debian/dpkg/1.21/dpkg-basics.html": DPKG_HTML,
    "debian/dpkg/1.21/README.txt": DPKG_README,
}
PDF_FILES = {"ietf/bgp/rfc4271/bgp4-summary.pdf": BGP_PDF}
BINARY_FILES = {"debian/apt/2.6/images/apt-logo.png": PNG_BYTES}


def _q(qid: str, query: str, doc: str, quote: str, tags: list[str], page: int | None = None,
       filters: dict | None = None) -> dict:
    out = {"id": qid, "query": query, "relevant": [{"doc": doc, "page": page, "quote": quote}], "tags": tags}
    return {**out, "filters": filters} if filters else out


_BGP = "ietf/bgp/rfc4271/bgp4-summary.pdf"
_OSPF = "ietf/ospf/rfc2328/ospfv2-summary.md"
_APT26, _APT22 = "debian/apt/2.6/apt-user-guide.md", "debian/apt/2.2/apt-user-guide.md"
_DPKG, _README = "debian/dpkg/1.21/dpkg-basics.html", "debian/dpkg/1.21/README.txt"

QUERIES = [
    _q("bgp-port", "which TCP port does a BGP peer connect to?", _BGP,
       "A BGP speaker opens a TCP connection to its peer on port 179", ["bgp", "pdf", "paraphrase"], 1),
    _q("bgp-hold", "default BGP hold time and keepalive interval", _BGP,
       "The suggested default for the Hold Time is 90 seconds", ["bgp", "pdf", "parameter"], 2),
    _q("bgp-hold-min", "smallest hold time allowed in a BGP OPEN", _BGP,
       "The Hold Time must be either zero or at least three seconds", ["bgp", "pdf", "parameter"], 2),
    _q("bgp-states", "list the states of the BGP finite state machine", _BGP,
       "A BGP connection moves through six states: Idle, Connect, Active, OpenSent, OpenConfirm and Established",
       ["bgp", "pdf", "concept"], 3),
    _q("bgp-med", "is a lower or higher MED better?", _BGP,
       "used to choose between several links to a neighbouring autonomous system; a lower value is preferred",
       ["bgp", "pdf", "paraphrase"], 3),
    _q("ospf-proto", "OSPF IP protocol number", _OSPF,
       "OSPF runs directly over IP with IP protocol number 89", ["ospf", "markdown", "parameter"]),
    _q("ospf-dead", "how long until an OSPF neighbour is declared down", _OSPF,
       "the RouterDeadInterval is a multiple of it, typically four times, that is 40 seconds",
       ["ospf", "markdown", "paraphrase"], filters={"product": "ospf"}),
    _q("ospf-dr", "keep a router from ever becoming the designated router", _OSPF,
       "A router whose Router Priority is set to 0 is never eligible to become Designated Router",
       ["ospf", "markdown", "how-to"]),
    _q("ospf-backbone", "area not attached to area 0", _OSPF,
       "a virtual link through a transit area provides the connection", ["ospf", "markdown", "concept"]),
    _q("apt-hold", "stop apt from upgrading one package", _APT26,
       "mark it on hold with apt-mark hold package_name", ["apt", "markdown", "how-to"],
       filters={"product": "apt", "version": "2.6"}),
    _q("apt-full", "difference between apt upgrade and full-upgrade", _APT26,
       "apt full-upgrade also removes installed packages when that is needed",
       ["apt", "markdown", "concept"], filters={"version": "2.6"}),
    _q("apt-firmware", "where did the firmware packages go in bookworm", _APT26,
       "Debian 12 moved firmware packages into a new component, non-free-firmware", ["apt", "markdown", "version"]),
    # The same sentence is in both apt guides: without a version filter the other version competes.
    _q("apt-autoremove-26", "apt 2.6: remove dependencies nobody needs any more", _APT26,
       "apt autoremove removes packages that were installed automatically",
       ["apt", "markdown", "version", "near-duplicate"]),
    _q("apt-pin-22", "pin priority that allows a downgrade on bullseye", _APT22,
       "A priority above 1000 makes apt install a version even if this is a downgrade",
       ["apt", "markdown", "version", "near-duplicate"]),
    _q("apt-security-11", "security suite name for bullseye", _APT22,
       "Debian 11 uses bullseye-security", ["apt", "markdown", "version"]),
    _q("dpkg-owner", "which package does a file belong to", _DPKG,
       "finds which package a file belongs to", ["dpkg", "html", "how-to"]),
    _q("dpkg-interrupted", "dpkg was interrupted, how do I finish configuring packages", _DPKG,
       "configures every package that is unpacked but not yet configured", ["dpkg", "html", "troubleshooting"]),
    _q("dpkg-multiarch", "install 32-bit i386 packages on amd64", _README,
       "add it with dpkg --add-architecture i386 and run apt update", ["dpkg", "text", "how-to"]),
]


def demo_library(root: Path | str) -> Path:
    """Write the demo library under `root` (idempotent) and return its path."""
    root = Path(root)
    for rel, text in TEXT_FILES.items():
        _write(root / rel, text.encode())
    for rel, data in BINARY_FILES.items():
        _write(root / rel, data)
    for rel, text in PDF_FILES.items():
        if not (root / rel).exists():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            write_pdf(root / rel, text.split(PAGE_BREAK))
    return root


def demo_queries(path: Path | str) -> Path:
    """Write the demo library's labeled queries (FORMAT.md JSON Lines) to `path` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(q) + "\n" for q in QUERIES), encoding="utf-8")
    return path


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_pdf(path: Path, pages: list[str]) -> None:
    """A text PDF, one A4 page per string, drawn with matplotlib (already a dependency)."""
    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    # TrueType text (not Type 3) so PDF readers extract it; a fixed date keeps the bytes reproducible.
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path, metadata={"CreationDate": None}) as pdf:
        for number, page in enumerate(pages, 1):
            fig = Figure(figsize=(8.27, 11.69))
            body = "\n".join(_wrap(page.strip()))
            fig.text(0.08, 0.95, body, fontsize=10, va="top", linespacing=1.6)
            fig.text(0.5, 0.04, str(number), fontsize=9, ha="center")
            pdf.savefig(fig)


def _wrap(text: str, width: int = 95) -> list[str]:
    """Re-wrap each paragraph; blank lines between paragraphs stay."""
    out: list[str] = []
    for para in text.split("\n\n"):
        out.extend(textwrap.wrap(" ".join(para.split()), width) or [""])
        out.append("")
    return out[:-1]
