"""Generate the small test library: every format the readers handle, plus the bad inputs.

`build_library(root)` writes it and returns root. Layout (5 vendors, 6 products, router in 2 versions):

    acme/router/1.0/guide/router-guide.pdf       6-page PDF: labels i, ii, 1-4; running header and footer;
                                                 hyphenated line ends; outline (3 chapters + 1 section)
    acme/router/2.0/guide/routing.md             Markdown with YAML front matter, setext heading
    acme/router/2.0/guide/scanned-slides.pdf     PDF without a text layer (skipped: "no text layer")
    acme/router/2.0/guide/topology.png           image (skipped)
    globex/phone/3.1/manual/*.html               Sphinx-like manual: nav, sidebar, scripts, headerlinks
    globex/phone/3.1/manual/_static/basic.css, searchindex.js, objects.inv, _images/desk.png  (skipped)
    globex/phone/3.1/legacy/release-notes.html   ISO-8859-1 page declared by <meta charset>
    initech/gateway/latest/docs/overview.mdx     MDX: front matter, imports, JSX-only lines, code fence
    initech/gateway/latest/docs/_category_.json  Docusaurus sidecar (skipped)
    kamailio/kamailio/5.6.3/modules/README.acc   extensionless DocBook text dump
    broken/samples/0.1/...                       corrupt, truncated and encrypted PDFs, an empty file,
                                                 binary data named .md, and `big.log` for size-limit tests
    README.md, acme/.hidden/notes.md, acme/router/1.0/guide/.draft.md   not documents (depth / hidden)
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

# Facts the tests (and other helpers' tests) search for; each occurs in exactly one document.
FACTS = {
    "bgp_timer_v1": "The BGP hold timer defaults to 240 seconds on the R100.",
    "bgp_timer_v2": "In release 2.0 the BGP hold timer default is 90 seconds.",
    "ospf_areas": "The R100 supports at most 64 OSPF areas.",
    "mtu": "If an OSPF adjacency is stuck in EXSTART, check that both sides use the same MTU.",
    "tftp": "Phones download their configuration over TFTP at boot; DHCP option 150 names the TFTP server.",
    "speed_dial": "The GX-300 phone stores at most 12 speed dial entries.",
    "one_way_audio": "One-way audio is usually caused by NAT; set nat_keepalive to 30 seconds.",
    "e1": "The Initech gateway bridges SIP trunks to legacy E1 lines; each E1 carries 30 voice channels.",
    "acc": "The acc module writes one record for every transaction marked with the log_flag.",
    "firmware": "La mise à jour du micrologiciel prend environ 4 minutes à 45 °C.",
}

ROUTER_TITLE = "ACME Router 1.0 Configuration Guide"
PDF_LABELS = ["i", "ii", "1", "2", "3", "4"]


def build_library(root: Path) -> Path:
    """Write the whole test library below `root` (created if missing) and return it."""
    root = Path(root)
    pdf = router_pdf()
    files: dict[str, bytes | str] = {
        "README.md": "# Test library\n\nFiles at the root are not documents.\n",
        "acme/.hidden/notes.md": "# Hidden\n\nNot a document.\n",
        "acme/router/1.0/guide/.draft.md": "# Draft\n\nNot a document.\n",
        "acme/router/1.0/guide/router-guide.pdf": pdf,
        "acme/router/2.0/guide/routing.md": ROUTING_MD,
        "acme/router/2.0/guide/scanned-slides.pdf": image_only_pdf(),
        "acme/router/2.0/guide/topology.png": tiny_png(),
        "globex/phone/3.1/manual/index.html": sphinx_page("GX-300 Administration", INDEX_BODY),
        "globex/phone/3.1/manual/provisioning.html": sphinx_page("Provisioning", PROVISIONING_BODY),
        "globex/phone/3.1/manual/troubleshooting.html": sphinx_page("Troubleshooting", TROUBLESHOOTING_BODY),
        "globex/phone/3.1/manual/_static/basic.css": "div.body { margin: 0 }\n",
        "globex/phone/3.1/manual/searchindex.js": 'Search.setIndex({"docnames":["index"]})\n',
        "globex/phone/3.1/manual/objects.inv": b"# Sphinx inventory version 2\n# Project: GX\n" + zlib.compress(b"index std:doc -1 index.html GX\n"),
        "globex/phone/3.1/manual/_images/desk.png": tiny_png(),
        "globex/phone/3.1/legacy/release-notes.html": LEGACY_HTML.encode("iso-8859-1"),
        "initech/gateway/latest/docs/overview.mdx": OVERVIEW_MDX,
        "initech/gateway/latest/docs/_category_.json": '{"label": "Gateway", "position": 2}\n',
        "kamailio/kamailio/5.6.3/modules/README.acc": README_ACC,
        "broken/samples/0.1/corrupt.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n",
        "broken/samples/0.1/truncated.pdf": pdf[: len(pdf) // 2],
        "broken/samples/0.1/encrypted.pdf": encrypted_pdf(pdf),
        "broken/samples/0.1/empty.txt": b"",
        "broken/samples/0.1/binary.md": bytes(range(256)) * 16,
        "broken/samples/0.1/big.log": "".join(f"2024-05-01 12:{i % 60:02d} gateway heartbeat {i} ok\n" for i in range(400)),
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    return root


# --- PDFs -------------------------------------------------------------------------------------

ROUTER_PAGES = [
    # (lines of body text, outline entry (level, title) printed as the first line or None)
    (["ACME Router 1.0", "Configuration Guide", "Copyright ACME Networks"], None),
    (["Contents", "Introduction ..... 1", "BGP ..... 2", "OSPF ..... 3"], None),
    ([
        "Chapter 1 Introduction",
        "The ACME R100 router supports static routing, BGP and OSPF. The management inter-",
        "face listens on port 8443 and supports end-to-",
        "end encryption of every session.",
        "Configuration changes are written to flash memory when you run the save command.",
    ], (1, "Introduction")),
    ([
        "Chapter 2 BGP",
        FACTS["bgp_timer_v1"],
        "Use the command bgp timers 60 240 to change the keepalive and hold timers. Neigh-",
        "bors are configured with the neighbor command and a remote AS number.",
    ], (1, "BGP")),
    ([
        "Chapter 3 OSPF",
        "OSPF area 0 is the backbone area. " + FACTS["ospf_areas"],
        "Every area border router must have an interface in the backbone area.",
    ], (1, "OSPF")),
    ([
        "3.1 Troubleshooting adjacency",
        FACTS["mtu"],
        "The show ospf neighbor command lists each neighbor with its state.",
    ], (2, "Troubleshooting adjacency")),
]


def router_pdf() -> bytes:
    """The 6-page router guide: reportlab draws it, pypdf adds page labels and the outline."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import PageLabelStyle
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=True)
    c.setTitle(ROUTER_TITLE)
    width, height = A4
    for number, (lines, _) in enumerate(ROUTER_PAGES):
        if number:  # the title page carries no running header/footer
            c.setFont("Helvetica", 9)
            c.drawString(72, height - 40, ROUTER_TITLE)
            c.drawCentredString(width / 2, 30, PDF_LABELS[number])
        c.setFont("Helvetica", 11)
        y = height - 100
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(buf.getvalue())))
    writer.add_metadata({"/Title": ROUTER_TITLE})
    writer.set_page_label(0, 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    writer.set_page_label(2, 5, style=PageLabelStyle.DECIMAL, start=1)
    parent = None
    for index, (_, entry) in enumerate(ROUTER_PAGES):
        if entry:
            level, title = entry
            item = writer.add_outline_item(title=title, page_number=index, parent=parent if level > 1 else None)
            parent = item if level == 1 else parent
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    """Two 'scanned' slides: drawings only, no text layer."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=True)
    for shade in (0.2, 0.6):
        c.setFillGray(shade)
        c.rect(50, 50, 400, 300, fill=1)
        c.circle(300, 500, 80, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def encrypted_pdf(pdf: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    class FixedIdWriter(PdfWriter):
        # A fixed file identifier (the RC4 key depends on it) keeps the file byte-identical between builds.
        def generate_file_identifiers(self) -> None:
            self._ID = ArrayObject((ByteStringObject(b"mcdewey-testdata"),) * 2)

    writer = FixedIdWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")


# --- HTML ----------------------------------------------------------------------------------------

def sphinx_page(title: str, body: str) -> str:
    """A page shaped like Sphinx output: related bar, sidebar and scripts around div.body[role=main]."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" />
<title>{title} &#8212; GX-300 3.1 documentation</title>
<link rel="stylesheet" href="_static/basic.css" type="text/css" />
<script src="_static/jquery.js"></script>
<script>var SCRIPTNOISE = "do not index";</script>
<style>.SIDEBARNOISE {{ color: red }}</style>
</head><body>
<div class="related" role="navigation"><h3>Navigation</h3><ul><li><a href="index.html">NAVNOISE index</a></li></ul></div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper">
<div class="body" role="main">
{body}
</div></div></div>
<div class="sphinxsidebar" role="navigation"><h3>SIDEBARNOISE Table of Contents</h3>
<div id="searchbox" role="search"><form><input type="text" name="q" /></form></div></div>
</div>
<div class="footer">&#169;2024, Globex FOOTERNOISE.</div>
</body></html>
"""


INDEX_BODY = """<section id="gx-300-administration">
<h1>GX-300 Administration<a class="headerlink" href="#gx" title="Permalink to this heading">¶</a></h1>
<p>This manual covers provisioning and troubleshooting of the <strong>GX-300</strong> desk phone.</p>
<div class="toctree-wrapper compound"><ul>
<li class="toctree-l1"><a class="reference internal" href="provisioning.html">Provisioning</a></li>
<li class="toctree-l1"><a class="reference internal" href="troubleshooting.html">Troubleshooting</a></li>
</ul></div>
</section>"""

PROVISIONING_BODY = f"""<section id="provisioning">
<h1>Provisioning<a class="headerlink" href="#provisioning">¶</a></h1>
<p>{FACTS["tftp"].replace("TFTP at boot", "<em>TFTP</em> at boot")}</p>
<section id="speed-dial"><h2>Speed dial<a class="headerlink" href="#speed-dial">¶</a></h2>
<p>{FACTS["speed_dial"]}</p>
<table class="docutils align-default"><thead><tr><th><p>Key</p></th><th><p>Default</p></th></tr></thead>
<tbody><tr><td><p>speed_dial.max</p></td><td><p>12</p></td></tr>
<tr><td><p>tftp.retries</p></td><td><p>3</p></td></tr></tbody></table>
<div class="highlight-default notranslate"><div class="highlight"><pre><span></span>provision --server tftp://10.0.0.5
    --retries 3
</pre></div></div>
</section></section>"""

TROUBLESHOOTING_BODY = f"""<section id="troubleshooting">
<h1>Troubleshooting<a class="headerlink" href="#troubleshooting">¶</a></h1>
<section id="audio"><h2>Audio problems</h2>
<p>{FACTS["one_way_audio"]}</p>
<ul><li><p>Check the NAT settings.</p></li><li><p>Check the codec list.</p></li></ul>
</section>
<section id="registration"><h2>Registration</h2>
<h3>Expired credentials</h3>
<p>A phone whose SIP password expired shows <code class="docutils literal">403 Forbidden</code> on the display.</p>
</section></section>"""

LEGACY_HTML = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>Notes de version GX-300</title></head>
<body><h1>Notes de version</h1>
<p>{FACTS["firmware"]}</p>
<p>Le répertoire «Société» est trié par ordre alphabétique.</p>
</body></html>
"""

# --- Markdown, MDX, text ---------------------------------------------------------------------------

ROUTING_MD = f"""---
title: Routing Guide 2.0
tags: [routing, bgp]
secret_front_matter_value: FRONTMATTERNOISE
---

Routing Guide
=============

This guide describes routing on the ACME R100 running release 2.0.

## BGP

{FACTS["bgp_timer_v2"]} Use `bgp timers` to change it.

```
# this comment is code, not a heading
router bgp 65001
```

## Static routes

Static routes take an optional metric in release 2.0: `ip route 10.0.0.0/8 192.0.2.1 metric 5`.
"""

OVERVIEW_MDX = f"""---
title: Gateway Overview
sidebar_position: 1
---

import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';
import {{
  Admonition,
}} from '@site/src/components';

# Initech Gateway

{FACTS["e1"]}

<Tabs groupId="os">
<TabItem value="linux" label="Linux">

Install the `initech-gw` package on Linux.

</TabItem>
</Tabs>

{{/* JSXNOISE comment */}}

## Configuration

```xml
<Tabs>
<param name="channels" value="30"/>
```

The gateway reads `gateway.conf.xml` at start.

export const meta = {{ noise: "EXPORTNOISE" }};
"""

README_ACC = f"""Acc Module

Jiri Kuthan

   iptel.org

   Copyright (c) 2002 FhG FOKUS
     __________________________________________________________________

   Table of Contents

   1. Admin Guide

        1. Overview
        2. Parameters

Chapter 1. Admin Guide

   Table of Contents

   1. Overview
   2. Parameters

1. Overview

   {FACTS["acc"]}
   Records go to syslog by default.

2. Parameters

2.1. log_level (integer)

   Log level at which accounting messages are issued to syslog.

   Default value is L_NOTICE.
"""


def build_index(root, docs: dict[str, str], **params):
    """`docs` ({path below the library: text}) written under `root`, ingested with the fake embedder as "t"."""
    from mcdewey.ingest import ingest
    from mcdewey.store import Workspace

    for rel, text in docs.items():
        path = root / "library" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    workspace = Workspace(root / "home")
    ingest(root / "library", workspace, "t", params=params or None, model="fake", progress=False)
    return workspace.open_index("t")
