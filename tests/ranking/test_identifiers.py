"""Identifier-aware keyword search: identifiers split into parts and kept whole, the query analysed alike."""

from __future__ import annotations

import pytest
from data.build import build_index

from mcdewey import identifiers
from mcdewey.search import SearchConfig, search

DOCS = {
    "kamailio/kamailio/5.7/modules/nathelper.md": (
        "# nathelper\n\n## Parameters\n\n"
        "The natping_interval parameter sets the period in seconds between keepalive requests to "
        "user agents behind a router that rewrites addresses.\n"),
    "kamailio/kamailio/5.7/modules/usrloc.md": (
        "# usrloc\n\n## Parameters\n\n"
        "The db_mode parameter chooses how contacts are stored: memory only, write-through or write-back.\n"),
    "acme/router/1.0/guide/nat.md": (
        "# Translation guide\n\n## Tables\n\n"
        "NAT translation tables map inside addresses to outside addresses. A ping checks reachability "
        "at a fixed interval.\n"),
    "acme/router/1.0/guide/natping.md": (
        "# Natping tool\n\n## Usage\n\n"
        "The natping tool sends one probe; its interval option and the natping log share a page with the "
        "interval table. Natping natping interval interval.\n"),
    "erlang/otp/26/ssl.md": (
        "# ssl\n\n## Functions\n\n"
        "ssl:connect/3 opens a TLS connection to a host; the maxConnections option of the listener caps "
        "how many sessions are accepted.\n"),
    # NAT and ping are everyday words of a networking library: many pages use them in passing.
    **{f"acme/router/1.0/guide/notes-{i}.md": f"# Notes {i}\n\n## Topic {i}\n\nThis page mentions NAT and ping "
       f"in passing while it explains topic number {i} of the router.\n" for i in range(6)},
}


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:  # the identifiers lever's full-text index is opt-in
        mp.setenv("MCDEWEY_IDENT_FTS", "1")
        return build_index(tmp_path_factory.mktemp("identifiers"), DOCS)


def test_parts_cut_separators_and_camel_case():
    assert identifiers.parts("natping_interval") == ["natping", "interval"]
    assert identifiers.parts("ssl:connect/3") == ["ssl", "connect", "3"]
    assert identifiers.parts("maxConnections") == ["max", "connections"]
    assert identifiers.parts("HTTPServer") == ["http", "server"]


def test_identifier_text_keeps_the_whole_name_next_to_the_original():
    text = identifiers.identifier_text("Set natping_interval, ssl:connect/3 and maxConnections in 1.2.3 or E1234.")
    assert "natping_interval natpinginterval," in text
    assert "ssl:connect/3 sslconnect3" in text
    assert "maxConnections max connections" in text  # the tokenizer keeps the whole word itself
    assert "1.2.3 or E1234." in text  # versions and single-word codes stay as they are


def test_query_text_joins_adjacent_words_and_adds_whole_identifiers():
    assert identifiers.query_text("nat ping interval").split() == [
        "nat", "ping", "interval", "natping", "pinginterval", "natpinginterval"]
    words = identifiers.query_text('what is "natping_interval"?').split()
    assert "natpinginterval" in words and '"' not in " ".join(words)


def test_ingest_writes_ident_text_and_records_the_field(index):
    assert "ident_text" in index.manifest.fts_fields
    row = index.arrow(["chunk_id", "ident_text"]).to_pylist()
    assert any("natping_interval natpinginterval" in r["ident_text"] for r in row)
    assert identifiers.field_for(index, "search_text") == "ident_text"
    assert identifiers.field_for(index, "text") == "text"


def _first(index, query, ident: bool, mode: str = "keyword") -> str:
    config = SearchConfig(identifiers=ident, passage_chunks=1)
    return search(index, query, k=5, mode=mode, config=config)[0].chunk.doc_id


def test_words_of_a_name_find_the_name_only_with_identifier_search(index):
    # "nat ping interval" as words: plain BM25 prefers the page that has nat, ping and interval as words.
    assert _first(index, "nat ping interval", ident=False) != "kamailio/kamailio/5.7/modules/nathelper.md"
    assert _first(index, "nat ping interval", ident=True) == "kamailio/kamailio/5.7/modules/nathelper.md"


def test_the_exact_identifier_ranks_first(index):
    # The natping page repeats both parts; the exact name still wins on its whole form.
    assert _first(index, "natping_interval", ident=True) == "kamailio/kamailio/5.7/modules/nathelper.md"
    assert _first(index, "natping_interval", ident=True, mode="hybrid") == "kamailio/kamailio/5.7/modules/nathelper.md"
    assert _first(index, "max connections", ident=True) == "erlang/otp/26/ssl.md"


def test_an_index_without_ident_text_falls_back_to_the_query_analysis(index):
    class Old:
        manifest = type("M", (), {"fts_fields": ("text", "search_text")})()

    assert identifiers.field_for(Old(), "search_text") == "search_text"


def test_the_setting_is_written_in_the_manifest(index):
    assert index.manifest.search["identifiers"] is False
    assert SearchConfig.from_dict({"identifiers": True}).identifiers is True


def test_the_identifier_index_is_opt_in_and_the_lever_then_analyses_the_query_only(tmp_path):
    index = build_index(tmp_path, {"acme/proxy/1.0/guide/nat.md": "# NAT\n\nSet natping_interval to keep NAT "
                                                                   "bindings open.\n"})
    assert index.manifest.fts_fields == ("text", "search_text")
    assert identifiers.field_for(index, "search_text") == "search_text"
