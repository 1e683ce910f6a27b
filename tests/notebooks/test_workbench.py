"""The data behind notebooks 01, 02 and 04: inputs, library and chunk frames, figures, serving from a notebook."""

from __future__ import annotations

import httpx
import pytest

from mcdewey import background_server, frames, inputs, plots
from mcdewey.chunking import get_chunker
from mcdewey.demo import QUERIES, demo_library
from mcdewey.evaluate.spans import SpanResolver
from mcdewey.library import scan_library


def test_demo_library_has_every_format_and_two_files_to_skip(demo):
    library = demo[0]
    frame = frames.format_frame(scan_library(library))
    counts = {(r.kind, r.format): r.files for r in frame.itertuples()}
    assert counts == {("document", "markdown"): 3, ("document", "pdf"): 1, ("document", "html"): 1,
                      ("document", "text"): 1, ("skipped", "image"): 1, ("skipped", "web asset: stylesheet"): 1}
    skipped = frames.skipped_frame(scan_library(library))
    assert sorted(skipped["path"]) == ["debian/apt/2.6/images/apt-logo.png", "ietf/ospf/rfc2328/style.css"]


def test_demo_library_is_rewritten_identically(tmp_path):
    first = demo_library(tmp_path / "a")
    second = demo_library(tmp_path / "b")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_every_demo_quote_resolves_on_its_page(demo, demo_query_list):
    index = demo[3]
    resolver = SpanResolver(index.get_document)
    assert len(demo_query_list) == len(QUERIES)
    for query in demo_query_list:
        for evidence in query.relevant:
            res = resolver.resolve(evidence)
            assert res.usable, (query.id, res.message())
            if evidence.page:
                doc = index.get_document(evidence.doc)
                assert doc.page_at(res.start).page == evidence.page, query.id


def test_documents_frame_counts_per_product(demo):
    frame = frames.documents_frame(demo[3]).set_index(["vendor", "product", "version"])
    assert frame.loc[("debian", "dpkg", "1.21"), "documents"] == 2
    assert frame.loc[("ietf", "bgp", "rfc4271"), "pages"] == 3
    assert frame["chunks"].sum() == demo[3].count()


def test_chunk_sizes_one_row_per_chunk_within_bounds(demo):
    docs = inputs.read_sample(demo[0])
    chunkers = {"small": get_chunker("recursive", max_tokens=64), "large": get_chunker("recursive", max_tokens=200)}
    sizes = frames.chunk_sizes(docs, chunkers)
    for label, chunker in chunkers.items():
        rows = sizes[sizes["strategy"] == label]
        assert len(rows) == sum(len(chunker.chunk(d)) for d in docs)
        assert rows["tokens"].max() <= chunker.max_tokens
    assert (sizes["strategy"] == "small").sum() > (sizes["strategy"] == "large").sum()
    assert len(plots.plot_chunk_sizes(sizes).axes) == 1


def test_read_sample_is_seeded_and_limited(demo):
    a = [d.doc_id for d in inputs.read_sample(demo[0], 3, seed=1)]
    assert len(a) == 3 and a == [d.doc_id for d in inputs.read_sample(demo[0], 3, seed=1)]


def test_chunk_boundaries_pairs_each_strategys_chunks(demo):
    doc = inputs.pick_document(demo[0])
    assert doc.format == "pdf"
    left, right = get_chunker("recursive", max_tokens=64), get_chunker("page")
    frame = frames.chunk_boundaries(doc, left, right)
    a, b = left.chunk(doc), right.chunk(doc)
    assert len(frame) == max(len(a), len(b))
    (left_name, right_name) = frame.columns.get_level_values(0).unique()
    assert list(frame[left_name]["start"].dropna()) == [c.start for c in a]
    assert list(frame[right_name]["page"].dropna()) == [c.page_start for c in b] == [1, 2, 3]
    assert frame[right_name]["start"].isna().sum() == len(a) - len(b)
    assert len(plots.plot_boundaries(doc, {"a": left, "b": right}).axes) == 1


def test_prepare_uses_given_paths_the_sample_or_the_demo(tmp_path, monkeypatch):
    lib, queries = inputs.prepare("demo", None, tmp_path)
    assert (lib / "ietf/bgp/rfc4271/bgp4-summary.pdf").exists() and queries.exists()
    built = []
    monkeypatch.setattr("mcdewey.sample.build_sample_library",
                        lambda folder, log: built.append(folder) or (folder / "v").mkdir(parents=True) or iter(()))
    lib, queries = inputs.prepare(None, None, tmp_path)  # the real sample library, built once under HOME
    assert built == [tmp_path / "sample-library"] == [lib] and queries == inputs.SAMPLE_QUERIES and queries.exists()
    assert inputs.prepare(None, None, tmp_path)[0] == lib and len(built) == 1
    (tmp_path / "mine").mkdir()
    assert inputs.prepare(tmp_path / "mine", None, tmp_path) == (tmp_path / "mine", None)
    assert inputs.prepare(tmp_path / "mine", "q.jsonl", tmp_path)[1].name == "q.jsonl"
    with pytest.raises(ValueError, match="QUERIES"):
        inputs.prepare(tmp_path / "mine", None, tmp_path, need_queries=True)
    with pytest.raises(FileNotFoundError, match="relative to the notebook"):
        inputs.prepare(tmp_path / "missing", None, tmp_path)


@pytest.mark.parametrize("client, key", [("cursor", "mcpServers"), ("vscode", "servers"),
                                         ("claude-desktop", "mcpServers")])
def test_assistant_config_points_at_mcp(client, key):
    config = background_server.assistant_config("http://127.0.0.1:8123/", client)
    entry = config[key]["mcdewey"]
    assert "http://127.0.0.1:8123/mcp" in (entry.get("url"), *entry.get("args", []))
    assert "headers" not in entry and "--header" not in entry.get("args", [])
    with_token = background_server.assistant_config("http://127.0.0.1:8123", client, token=True)[key]["mcdewey"]
    assert "Authorization" in str(with_token)


def test_assistant_config_refuses_unknown_client():
    with pytest.raises(ValueError, match="cursor"):
        background_server.assistant_config("http://x", "emacs")


def test_background_server_serves_an_export_and_stops(demo, tmp_path):
    from mcdewey.export import export

    export(demo[2], "demo", tmp_path / "export")
    server = background_server.BackgroundServer(tmp_path / "export").start()
    try:
        health = httpx.get(f"{server.url}/healthz", timeout=10)
        assert health.status_code == 200 and server.running
    finally:
        server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/healthz", timeout=2)


def test_former_module_names_still_import():
    from mcdewey import explorer, widgets, workbench

    assert workbench.prepare is inputs.prepare and workbench.plot_boundaries is plots.plot_boundaries
    assert explorer.SearchExplorer is widgets.SearchExplorer
