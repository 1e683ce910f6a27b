"""Walking the library: which files are documents, skips and errors with reasons, fingerprints."""

import hashlib

import pytest

from mcdewey.library import (
    ReadError,
    ReadLog,
    SkipFile,
    detect_format,
    file_fingerprint,
    iter_documents,
    read_document,
    scan_library,
)

READABLE = {
    "acme/router/1.0/guide/router-guide.pdf": "pdf",
    "acme/router/2.0/guide/routing.md": "markdown",
    "globex/phone/3.1/legacy/release-notes.html": "html",
    "globex/phone/3.1/manual/index.html": "html",
    "globex/phone/3.1/manual/provisioning.html": "html",
    "globex/phone/3.1/manual/troubleshooting.html": "html",
    "initech/gateway/latest/docs/overview.mdx": "mdx",
    "kamailio/kamailio/5.6.3/modules/README.acc": "text",
    "broken/samples/0.1/big.log": "text",
}
SKIPPED = {
    "acme/router/2.0/guide/topology.png": "image",
    "acme/router/2.0/guide/scanned-slides.pdf": "no text layer",
    "globex/phone/3.1/manual/_images/desk.png": "image",
    "globex/phone/3.1/manual/_static/basic.css": "web asset: stylesheet",
    "globex/phone/3.1/manual/searchindex.js": "web asset: script",
    "globex/phone/3.1/manual/objects.inv": "web asset: Sphinx inventory",
    "initech/gateway/latest/docs/_category_.json": "web asset: JSON sidecar",
    # Not documents by layout: reported, never read.
    "README.md": "wrong depth: documents go in <vendor>/<product>/<version>/<file>",
    "acme/.hidden/": "hidden folder",
    "acme/router/1.0/guide/.draft.md": "hidden file",
}
ERRORS = {
    "broken/samples/0.1/corrupt.pdf": "corrupt PDF",
    "broken/samples/0.1/truncated.pdf": "truncated PDF",
    "broken/samples/0.1/encrypted.pdf": "encrypted PDF",
    "broken/samples/0.1/empty.txt": "empty file",
    "broken/samples/0.1/binary.md": "binary data in a .md file",
}


def test_scan_finds_documents_at_depth_four_and_not_hidden_or_root_files(small_library):
    scan = scan_library(small_library)
    # The image-only PDF is a PDF until it is read; everything else is decided by the scan.
    expected = dict(READABLE, **{"acme/router/2.0/guide/scanned-slides.pdf": "pdf"})
    expected.update({k: "pdf" for k in ("broken/samples/0.1/corrupt.pdf", "broken/samples/0.1/truncated.pdf",
                                          "broken/samples/0.1/encrypted.pdf")})
    assert scan.candidates == dict(sorted(expected.items()))
    assert not any(".hidden" in p or ".draft" in p or p == "README.md" for p in scan.candidates)


def test_iter_documents_reads_everything_readable_and_logs_the_rest(small_library):
    log = ReadLog()
    docs = {d.doc_id: d for d in iter_documents(small_library, log=log)}
    assert {k: d.format for k, d in docs.items()} == READABLE
    assert {i.path: i.reason for i in log.skipped} == SKIPPED
    errors = {i.path: i.reason for i in log.errors}
    assert set(errors) == set(ERRORS)
    for path, reason in ERRORS.items():
        assert errors[path].startswith(reason), (path, errors[path])
    assert log.read == len(READABLE)


def test_document_identity_comes_from_the_path(small_library):
    doc = read_document(small_library, "kamailio/kamailio/5.6.3/modules/README.acc")
    assert (doc.vendor, doc.product, doc.version) == ("kamailio", "kamailio", "5.6.3")
    assert doc.doc_id == "kamailio/kamailio/5.6.3/modules/README.acc"
    assert doc.chunk_id_prefix == "kamailio::5.6.3::modules::README.acc"
    same = read_document(small_library, small_library / "kamailio/kamailio/5.6.3/modules/README.acc")
    assert same.text == doc.text


def test_size_limit_is_an_error_that_names_the_limit(small_library):
    big = small_library / "broken/samples/0.1/big.log"
    with pytest.raises(ReadError, match=r"over the size limit of 0\.01 MB|over the size limit"):
        detect_format(big, max_bytes=10_000)
    log = ReadLog()
    docs = [d.doc_id for d in iter_documents(small_library, log=log, max_bytes=12_000)]
    reasons = {i.path: i.reason for i in log.errors}
    assert "broken/samples/0.1/big.log" not in docs
    assert "size limit" in reasons["broken/samples/0.1/big.log"]
    assert "MB" in reasons["broken/samples/0.1/big.log"]


def test_read_document_raises_skip_and_error(small_library):
    with pytest.raises(SkipFile, match="no text layer"):
        read_document(small_library, "acme/router/2.0/guide/scanned-slides.pdf")
    with pytest.raises(SkipFile, match="image"):
        read_document(small_library, "acme/router/2.0/guide/topology.png")
    with pytest.raises(ReadError, match="encrypted"):
        read_document(small_library, "broken/samples/0.1/encrypted.pdf")


def test_content_decides_over_the_name(tmp_path):
    root = tmp_path / "lib"
    folder = root / "v/p/1"
    folder.mkdir(parents=True)
    (folder / "guide.txt").write_bytes((small_pdf := _pdf_bytes()))
    (folder / "page").write_text("<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello there</p></body></html>")
    (folder / "notes.bin").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "fake.pdf").write_text("This is not really a PDF.")
    assert detect_format(folder / "guide.txt") == "pdf"
    assert detect_format(folder / "page") == "html"
    with pytest.raises(SkipFile, match="binary"):
        detect_format(folder / "notes.bin")
    with pytest.raises(ReadError, match="corrupt PDF"):
        detect_format(folder / "fake.pdf")
    assert len(small_pdf) > 100


def _pdf_bytes() -> bytes:
    from data.build import router_pdf

    return router_pdf()


def test_file_fingerprint_is_sha256_of_the_bytes(small_library):
    path = small_library / "acme/router/2.0/guide/routing.md"
    assert file_fingerprint(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_read_document_accepts_paths_that_include_a_relative_root(small_library, monkeypatch):
    monkeypatch.chdir(small_library.parent)
    root = type(small_library)(small_library.name)
    for path in (root / "acme/router/2.0/guide/routing.md", "acme/router/2.0/guide/routing.md"):
        assert read_document(root, path).doc_id == "acme/router/2.0/guide/routing.md"


def test_generated_library_is_byte_identical_between_builds(small_library, tmp_path):
    from data.build import build_library

    again = build_library(tmp_path / "again")
    files = sorted(p.relative_to(small_library) for p in small_library.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((small_library / f).read_bytes() == (again / f).read_bytes() for f in files)
