"""Version order, passages linked across versions and copies, one hit per passage, the version filter."""

from __future__ import annotations

import json

import pytest
from data.versions import PARAS, V2
from typer.testing import CliRunner

from mcdewey.cli import app
from mcdewey.models import Filters
from mcdewey.search import SearchConfig, search
from mcdewey.versions import UnknownVersion, contained_match, normalize, order_versions, resolve_filters

PLAIN = SearchConfig(passage_chunks=1)  # one chunk per hit: counts of passages are counts of hits


def test_version_order_is_natural_with_latest_last():
    got = order_versions(["latest", "18", "2.0.12", "1.6.8", "6.0", "5.6.3", "6.0rc1", "2023-06", "2022-12",
                          "main", "10.2", "9.1"])
    assert got == ["1.6.8", "2.0.12", "5.6.3", "6.0rc1", "6.0", "9.1", "10.2", "18", "2022-12", "2023-06",
                   "main", "latest"]


def test_order_is_stored_with_the_index_and_shown_by_indexes(vindex, versioned_home):
    assert vindex.manifest["versions"] == {"proxy": ["1.0", "2.0"], "registrar": ["3.1", "latest"]}
    result = CliRunner().invoke(app, ["indexes", "--home", str(versioned_home), "--json"])
    assert json.loads(result.output)["v"]["versions"]["registrar"] == ["3.1", "latest"]
    result = CliRunner().invoke(app, ["indexes", "--home", str(versioned_home)])
    assert result.exit_code == 0 and "3.1" in result.output


def test_changed_default_is_not_linked_but_shifted_boundaries_are():
    from rapidfuzz import fuzz

    old, new = normalize(PARAS["Timers"]), normalize(V2["Timers"])
    # A plain similarity threshold would call these the same passage ...
    assert fuzz.ratio(old, new) > 95
    # ... the rule does not: the 1.0 text is nowhere verbatim in 2.0.
    assert contained_match([old], [normalize(PARAS["TLS"]), new]) == []
    tls, log, mem = (normalize(PARAS[k]) for k in ("TLS", "Logging", "Memory"))
    # Chunks cut elsewhere: "TLS+Logging[:10]" shares more than half of both with the chunk "TLS".
    assert contained_match([tls + log[:10]], [tls, log, mem]) == [(0, 0)]
    # Found, but no chunk holds more than half of it: no link.
    assert contained_match([tls[-70:] + log[:70]], [tls, log]) == [(0, None)]
    assert normalize("set:\n``` c\nx = 1\n```\n") == normalize("set:\n\n x = 1\n")  # fence tags are markup


def _chunk_with(index, doc_id: str, text: str):
    return next(c for c in index.doc_chunks(doc_id) if text in c.text)


def test_passages_are_linked_across_versions_and_documents(vindex):
    groups = vindex.passages()
    tls = _chunk_with(vindex, "sipco/proxy/1.0/cookbook/core.md", "enable_tls")
    linked = {c.doc_id for c in groups.members(tls.chunk_id)}
    assert linked == {"sipco/proxy/1.0/cookbook/core.md", "sipco/proxy/2.0/cookbook/core.md",
                      "sipco/proxy/2.0/onepage/manual.md"}
    old_timer = _chunk_with(vindex, "sipco/proxy/1.0/cookbook/core.md", "240 seconds")
    assert groups.members(old_timer.chunk_id) == []  # the changed default is its own passage
    new_timer = _chunk_with(vindex, "sipco/proxy/2.0/cookbook/core.md", "90 seconds")
    assert {c.version for c in groups.members(new_timer.chunk_id)} == {"2.0"}  # two renderings of 2.0
    assert groups.members(_chunk_with(vindex, "sipco/proxy/1.0/cookbook/core.md", "xmlrpc").chunk_id) == []
    assert groups.count_multi_version() == {"proxy": 5}  # the cookbook's intro, TLS, Logging, Routing, Memory


@pytest.mark.parametrize("mode", ["hybrid", "vector", "keyword"])
def test_one_hit_per_passage_shown_from_the_newest_chapter_page(vindex, mode):
    hits = search(vindex, "How do I enable TLS for SIP with enable_tls", k=5, mode=mode)
    tls = [h for h in hits if "enable_tls" in h.chunk.text]
    assert len(tls) == 1
    hit = tls[0].to_dict()
    assert hit["version"] == "2.0" and hit["doc_id"] == "sipco/proxy/2.0/cookbook/core.md"
    assert hit["versions"] == ["1.0", "2.0"]
    assert {(a["version"], a["doc_id"]) for a in hit["also_in"]} == {
        ("1.0", "sipco/proxy/1.0/cookbook/core.md"), ("2.0", "sipco/proxy/2.0/onepage/manual.md")}
    groups = vindex.passages()
    seen = [groups.group(h.chunk.chunk_id) for h in hits if groups.group(h.chunk.chunk_id) is not None]
    assert len(seen) == len(set(seen)), "no two hits are copies of one passage"


def test_no_collapse_returns_every_copy(vindex):
    hits = search(vindex, "How do I enable TLS for SIP with enable_tls", k=10, mode="keyword", config=PLAIN,
                  collapse_versions=False)
    tls = [h for h in hits if "enable_tls" in h.chunk.text]
    assert {h.chunk.doc_id for h in tls} == {"sipco/proxy/1.0/cookbook/core.md", "sipco/proxy/2.0/cookbook/core.md",
                                             "sipco/proxy/2.0/onepage/manual.md"}
    assert all(len(h.copies) == 2 and h.versions == ("1.0", "2.0") for h in tls)


def test_collapsing_keeps_k_hits_when_k_passages_exist(vindex):
    groups = vindex.passages()
    ids = vindex.arrow(["chunk_id"])["chunk_id"].to_pylist()
    distinct = len({groups.group(c) if groups.group(c) is not None else c for c in ids})
    assert distinct < len(ids)
    for mode in ("keyword", "hybrid", "vector"):
        # Read only k candidates at first: the copies among them force a deeper read.
        shallow = SearchConfig(passage_chunks=1, candidates=distinct)
        hits = search(vindex, "proxy port seconds memory request", k=distinct, mode=mode, config=shallow)
        keys = [groups.group(h.chunk.chunk_id) if groups.group(h.chunk.chunk_id) is not None else h.chunk.chunk_id
                for h in hits]
        if mode == "keyword":  # BM25 returns only chunks holding a query word
            assert len(set(keys)) == len(keys)
            continue
        assert len(hits) == distinct and len(set(keys)) == distinct


def test_version_filter_returns_that_version_only(vindex):
    hits = search(vindex, "enable TLS for SIP", k=5, filters=Filters(product="proxy", version="1.0"), config=PLAIN)
    assert hits and {h.chunk.version for h in hits} == {"1.0"}
    tls = next(h for h in hits if "enable_tls" in h.chunk.text)
    assert tls.versions == ("1.0", "2.0") and [c.version for c in tls.copies].count("2.0") == 2


def test_unknown_version_is_an_error_listing_the_versions(vindex):
    with pytest.raises(UnknownVersion, match=r"'9\.9'.*proxy.*2\.0, 1\.0"):
        search(vindex, "enable TLS", filters=Filters(product="proxy", version="9.9"))
    with pytest.raises(UnknownVersion, match="registrar: latest, 3.1"):
        search(vindex, "enable TLS", filters=Filters(version="9.9"))


def test_latest_resolves_to_the_newest_version_of_each_product(vindex):
    filters, latest = resolve_filters(vindex, Filters(product="proxy", version="latest"))
    assert filters.version == "2.0" and latest == {"proxy": "2.0"}
    # registrar has a version named "latest": it is that one.
    hits = search(vindex, "registrations expire", k=3, filters=Filters(product="registrar", version="latest"))
    assert {h.chunk.version for h in hits} == {"latest"}
    hits = search(vindex, "registrations expire seconds proxy timer", k=10, filters=Filters(version="latest"))
    assert hits and {(h.chunk.product, h.chunk.version) for h in hits} <= {("proxy", "2.0"), ("registrar", "latest")}


def test_a_version_the_query_names_is_the_copy_shown_and_ranks_first(vindex):
    hits = search(vindex, "proxy 1.0 enable TLS for SIP enable_tls", k=5, config=PLAIN)
    assert hits[0].chunk.version == "1.0" and "enable_tls" in hits[0].chunk.text
    hits = search(vindex, "websocket clients port 8443 on proxy 1.0", k=12, config=PLAIN)
    proxy = [h for h in hits if h.chunk.product == "proxy"]
    only_other = [i for i, h in enumerate(proxy) if "1.0" not in h.versions]
    has_named = [i for i, h in enumerate(proxy) if "1.0" in h.versions]
    assert only_other and has_named and max(has_named) < min(only_other)


def test_cli_search_no_collapse_and_version_errors(versioned_home):
    runner = CliRunner()
    base = ["search", "enable TLS for SIP enable_tls", "--index", "v", "--home", str(versioned_home), "--json"]
    hits = json.loads(runner.invoke(app, base).output)
    assert sum("enable_tls" in h["text"] for h in hits) == 1
    assert all("versions" in h and "also_in" in h for h in hits)
    every = json.loads(runner.invoke(app, base + ["--no-collapse", "--mode", "keyword"]).output)
    assert sum("enable_tls" in h["text"] for h in every) == 3
    result = runner.invoke(app, base + ["--product", "proxy", "--version", "9.9"])
    assert result.exit_code == 2 and "2.0, 1.0" in result.output
    result = runner.invoke(app, base + ["--product", "proxy", "--version", "latest"])
    assert result.exit_code == 0 and "proxy 2.0" in result.output


def test_notebook_cards_carry_versions(vindex):
    from mcdewey.explorer import explore, render_cards

    cards = explore(vindex, "How do I enable TLS for SIP with enable_tls", mode="keyword", k=3)
    tls = next(c for c in cards if "enable_tls" in c["text"])
    assert tls["versions"] == ["1.0", "2.0"] and len(tls["also_in"]) == 2
    assert "also in 1.0" in render_cards([tls])


def test_two_renderings_of_one_version_link_despite_inserted_markup():
    tls, log = normalize(PARAS["TLS"]), normalize(PARAS["Logging"])
    # The one-page rendering has anchor labels inserted: linked within a version (gaps) ...
    labelled = tls[:60] + "labelbabelrxcost" + tls[60:]
    assert contained_match([tls], [labelled, log], gaps=True) == [(0, 0)]
    # ... never across versions, and never when text is replaced rather than inserted.
    assert contained_match([tls], [labelled, log]) == []
    changed = normalize(V2["Timers"])
    assert contained_match([normalize(PARAS["Timers"])], [changed, log], gaps=True) == []


def test_a_rewording_is_the_same_passage_but_a_changed_value_never():
    from mcdewey.versions import reworded, words

    old = words("Some words cannot be used as names. These keywords are: yes, true, on, udp and tls.")
    new = words("Some words cannot be used as names. Among these keywords: yes, true, on, udp and tls.")
    assert reworded(old, new)
    assert not reworded(words(PARAS["Timers"]), words(V2["Timers"]))  # 240 -> 90
    assert not reworded(words("The option is on by default for every listener"),
                        words("The option is off by default for every listener"))
    assert not reworded(words(PARAS["TLS"]), words(PARAS["Logging"]))


def test_an_index_built_before_linking_searches_as_before(vindex):
    from mcdewey.store import Index

    from mcdewey.manifest import Manifest

    data = {k: v for k, v in vindex.manifest.to_dict().items() if k != "versions"}
    data["tables"] = {k: v for k, v in data["tables"].items() if not k.startswith("passages")}
    manifest = Manifest.from_dict(data)
    old = Index("old", manifest, vindex.db_path, manifest.chunk_table)
    assert not old.passages()
    hits = search(old, "How do I enable TLS for SIP with enable_tls", k=10, mode="keyword", config=PLAIN)
    assert sum("enable_tls" in h.chunk.text for h in hits) == 3  # every copy, as before
    assert all(h.to_dict()["versions"] == [h.chunk.version] and h.to_dict()["also_in"] == [] for h in hits)
    with pytest.raises(UnknownVersion, match="2.0, 1.0"):  # the order is derived when not stored
        search(old, "tls", filters=Filters(product="proxy", version="3.0"))


def test_linking_from_digests_links_the_same_and_reads_only_paired_documents(vindex):
    """How ingest links: texts become digests, and only documents paired with another are read as text."""
    from mcdewey.versions import link_key, link_passages

    rows = vindex.arrow(["chunk_id", "doc_id", "product", "version", "text", "ord"]).to_pylist()
    rows += [{"chunk_id": f"solo::1::manual::{i}", "doc_id": "acme/solo/1/manual.md", "product": "solo",
              "version": "1", "text": f"A passage of the only document of its product, number {i}.", "ord": i}
             for i in range(3)]
    text = {r["chunk_id"]: r["text"] for r in rows}
    asked: list[set[str]] = []

    def texts(doc_ids: set[str]) -> dict[str, str]:
        asked.append(set(doc_ids))
        return {r["chunk_id"]: text[r["chunk_id"]] for r in rows if r["doc_id"] in doc_ids}

    keyed = [{**{k: v for k, v in r.items() if k != "text"}, "key": link_key(r["text"])} for r in rows]
    groups, stats = link_passages(keyed, texts)
    assert (groups, stats) == link_passages(rows)
    assert stats.groups > 0
    read = set().union(*asked)
    assert "acme/solo/1/manual.md" not in read  # nothing to pair it with: never read
    assert read <= {r["doc_id"] for r in rows if r["product"] != "solo"}
