"""The two prompts and completion of their arguments, through the SDK client against the live server."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError
from mcp.types import PromptReference, ResourceTemplateReference

from mcdewey.server.prompts import _newest_first, completion, versions_first
from mcdewey.versions import version_key as _version_key

from .test_mcp import run

PROMPTS = {"answer_from_docs": ["question", "product", "version"],
           "compare_versions_brief": ["product", "from_version", "to_version", "topic"]}


def facets(index) -> list[tuple[str, str, str]]:
    return [(r["vendor"], r["product"], r["version"]) for r in index.library_summary()]


def test_prompts_are_listed_with_their_arguments(live):
    prompts = run(live, lambda c: c.list_prompts()).prompts
    assert {p.name: [a.name for a in p.arguments] for p in prompts} == PROMPTS
    for prompt in prompts:
        assert prompt.description and prompt.title
        required = {a.name for a in prompt.arguments if a.required}
        assert required == ({"question"} if prompt.name == "answer_from_docs"
                            else {"product", "from_version", "to_version"})


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_answer_from_docs_says_search_first_quote_and_cite(live, mode):
    args = {"question": "How long is the BGP hold timer?", "product": "router", "version": "2.0"}
    result = run(live, lambda c: c.get_prompt("answer_from_docs", args), mode=mode)
    (message,) = result.messages
    text = message.content.text
    assert message.role == "user" and "How long is the BGP hold timer?" in text
    assert 'search_docs with the question and product="router", version="2.0"' in text
    assert text.index("Search first") < text.index("Quote the passages") < text.index("chunk_id")
    assert "printed <page_label>" in text


def test_answer_from_docs_without_scope_and_with_an_unknown_product(live):
    async def calls(client):
        plain = await client.get_prompt("answer_from_docs", {"question": "What is SIP?"})
        with pytest.raises(MCPError) as err:
            await client.get_prompt("answer_from_docs", {"question": "x", "product": "toaster"})
        return plain, err.value

    plain, err = run(live, calls)
    assert "Scope:" not in plain.messages[0].content.text and "search_docs" in plain.messages[0].content.text
    assert "unknown product 'toaster'" in str(err) and "router" in str(err)


def test_compare_versions_brief_calls_compare_versions_with_the_arguments(live):
    args = {"product": "router", "from_version": "1.0", "to_version": "2.0", "topic": "static routes"}
    text = run(live, lambda c: c.get_prompt("compare_versions_brief", args)).messages[0].content.text
    assert ('compare_versions(product="router", from_version="1.0", to_version="2.0", query="static routes")'
            in text)
    assert "search_docs" in text and "about static routes" in text and "chunk_id" in text


def test_compare_versions_brief_refuses_a_version_the_product_lacks(live):
    async def call(client):
        with pytest.raises(MCPError) as err:
            await client.get_prompt("compare_versions_brief",
                                    {"product": "router", "from_version": "0.9", "to_version": "2.0"})
        return err.value

    assert "router has no version '0.9'; it has: 2.0, 1.0" in str(run(live, call))


def test_products_and_versions_complete_from_the_index(live, served_index):
    ref = PromptReference(name="answer_from_docs")
    products = sorted({p for _, p, _ in facets(served_index)})

    async def calls(client):
        every = await client.complete(ref, {"name": "product", "value": ""})
        typed = await client.complete(ref, {"name": "product", "value": "RO"})
        versions = await client.complete(ref, {"name": "version", "value": ""}, {"product": "router"})
        brief = await client.complete(PromptReference(name="compare_versions_brief"),
                                      {"name": "to_version", "value": "2"}, {"product": "router"})
        question = await client.complete(ref, {"name": "question", "value": "ho"})
        return every, typed, versions, brief, question

    every, typed, versions, brief, question = run(live, calls)
    assert every.completion.values == products and every.completion.total == len(products)
    assert typed.completion.values == ["router"]
    # The product's own versions first, newest first, then every other version.
    assert versions.completion.values[:2] == ["2.0", "1.0"]
    assert set(versions.completion.values) == {v for _, _, v in facets(served_index)}
    assert brief.completion.values[0] == "2.0"
    assert question.completion.values == []


def test_doc_ids_complete_for_the_document_template(live, served_index):
    ref = ResourceTemplateReference(uri="mcdewey://docs/{+doc_id}")
    docs = sorted({f["doc_id"] for f in served_index.manifest["files"].values()
                   if f.get("status") == "indexed" and f.get("doc_id")})

    async def calls(client):
        return (await client.complete(ref, {"name": "doc_id", "value": "acme/router/2"}),
                await client.complete(ResourceTemplateReference(uri="mcdewey://chunks/{chunk_id}"),
                                      {"name": "chunk_id", "value": ""}))

    docs_done, chunks_done = run(live, calls)
    assert docs_done.completion.values == [d for d in docs if d.startswith("acme/router/2")]
    assert docs_done.completion.values and chunks_done.completion.values == []


def test_unknown_prompt_completes_to_nothing_not_an_error(live):
    """The conformance suite asks about a prompt of its own reference server."""
    done = run(live, lambda c: c.complete(PromptReference(name="test_prompt_with_arguments"),
                                          {"name": "arg1", "value": "test"}))
    assert done.completion.values == []


def test_capabilities_advertise_prompts_completions_and_logging(live):
    async def caps(client):
        return client.server_capabilities

    caps = run(live, caps, mode="legacy")
    assert caps.prompts is not None and caps.completions is not None and caps.logging is not None


@pytest.mark.parametrize("older, newer", [("1.6.8", "2.0.12"), ("5.6.3", "6.0"), ("18", "latest"),
                                          ("v14", "v15"), ("2.9", "2.10"), ("1.0", "1.0.1")])
def test_version_order_is_natural(older, newer):
    assert _version_key(older) < _version_key(newer)
    assert _newest_first([older, newer]) == [newer, older]


def test_versions_of_the_given_product_come_first():
    rows = [("a", "x", "1.2"), ("a", "x", "1.10"), ("b", "y", "9"), ("b", "y", "latest"), ("c", "z", "1.2")]
    assert versions_first(rows, "x") == ["1.10", "1.2", "latest", "9"]
    assert versions_first(rows, None) == ["latest", "9", "1.10", "1.2"]


def test_completion_ranks_prefix_matches_first_and_caps_at_100():
    done = completion(["cucm", "acme-cuc", "unity"], "cuc")
    assert done.values == ["cucm", "acme-cuc"] and done.total == 2 and not done.has_more
    many = completion([f"doc{i:03}" for i in range(150)], "DOC")
    assert len(many.values) == 100 and many.total == 150 and many.has_more


def test_in_memory_client_gets_prompts_and_completions_without_http(served_index):
    """build_mcp alone, through the SDK's in-process client: no transport involved."""
    import anyio
    from mcp import Client

    from mcdewey.server.catalog import Catalog
    from mcdewey.server.mcp import build_mcp
    from mcdewey.server.views import Links

    server = build_mcp(Catalog(served_index, lambda *args: [], Links()))

    async def main():
        async with Client(server) as client:
            prompts = await client.list_prompts()
            done = await client.complete(PromptReference(name="compare_versions_brief"),
                                         {"name": "from_version", "value": ""}, {"product": "router"})
            return prompts, done

    prompts, done = anyio.run(main)
    assert {p.name for p in prompts.prompts} == set(PROMPTS)
    assert done.completion.values[:2] == ["2.0", "1.0"]
