"""The MCP prompts people pick in an assistant, and completion of their arguments from the index's own lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import (INVALID_PARAMS, Completion, CompletionArgument, CompletionContext, PromptReference,
                       ResourceTemplateReference)
from pydantic import Field

from mcdewey.server.catalog import Catalog, CatalogError
from mcdewey.versions import order_versions

DOC_TEMPLATE = "mcdewey://docs/{+doc_id}"
# The protocol caps one completion answer at 100 values.
MAX_VALUES = 100
VERSION_ARGS = ("version", "from_version", "to_version")

ANSWER_FROM_DOCS = """\
Answer a question from the documentation library, quoting the passages the answer rests on and citing
each by page, printed page label and chunk_id."""

COMPARE_VERSIONS_BRIEF = """\
Brief on what changed in a product between two versions (optionally on one topic), built from the
section-by-section comparison and cited passages."""

CITE = """\
Cite every quote the way the search page's result card does: `Page <page> (printed <page_label>) · \
source <source> · chunk_id <chunk_id>`; leave out `(printed …)` when the hit has no page_label, and \
write `Pages a-b` when a passage spans pages. Link the hit's url when you can."""


def answer_text(question: str, product: str | None = None, version: str | None = None) -> str:
    """The instructions answer_from_docs hands the assistant."""
    scope = ""
    if product:
        scope = f"\n\nScope: product `{product}`" + (f", version `{version}`" if version else "") + "."
        filters = f'product="{product}"' + (f', version="{version}"' if version else "")
        search = f"call search_docs with the question and {filters}"
    else:
        search = "call search_docs with the question (add product / version filters if it names a release)"
    return f"""Answer this question from the documentation library: {question}{scope}

1. Search first: {search}. Do not answer from memory. If the hits do not answer it, search again with \
other words or mode="keyword" for exact terms, and use get_context on a hit that is cut off.
2. Quote the passages you rely on, word for word, as block quotes.
3. {CITE}
4. If the library does not answer the question, say so and show what you searched for; do not guess."""


def compare_text(product: str, from_version: str, to_version: str, topic: str | None = None) -> str:
    """The instructions compare_versions_brief hands the assistant."""
    about = f" about {topic}" if topic else ""
    query = f', query="{topic}"' if topic else ""
    return f"""Write a brief on what changed in `{product}` from version `{from_version}` to `{to_version}`{about}.

1. Call the tool compare_versions(product="{product}", from_version="{from_version}", \
to_version="{to_version}"{query}): it returns the section-by-section differences between the two versions.
2. Call search_docs (product="{product}", version="{from_version}" and then version="{to_version}") \
for the context of the main changes.
3. Write: a two-sentence summary, then Added, Changed and Removed as short bullets, most important \
first. Quote the passage behind each bullet and name the version it comes from.
4. {CITE}
5. If compare_versions is not offered by this server, compare search_docs results of the two versions \
yourself and say that the brief comes from searches, not a full comparison."""


def add_prompts(server: MCPServer, catalog: Catalog) -> None:
    """Register answer_from_docs, compare_versions_brief and the completion of their arguments."""
    @server.prompt(name="answer_from_docs", title="Answer from the docs", description=_line(ANSWER_FROM_DOCS))
    async def answer_from_docs(
        question: Annotated[str, Field(description="What the user wants to know.")],
        product: Annotated[str | None, Field(description="Only this product (completes from the index).")] = None,
        version: Annotated[str | None, Field(description="Only this version of the product.")] = None,
    ) -> str:
        _check_scope(catalog, product, [version] if version else [])
        return answer_text(question, product or None, version or None)

    @server.prompt(name="compare_versions_brief", title="Brief on changes between versions",
                   description=_line(COMPARE_VERSIONS_BRIEF))
    async def compare_versions_brief(
        product: Annotated[str, Field(description="The product (completes from the index).")],
        from_version: Annotated[str, Field(description="The older version.")],
        to_version: Annotated[str, Field(description="The newer version.")],
        topic: Annotated[str | None, Field(description="Only changes about this, e.g. 'SSO'.")] = None,
    ) -> str:
        _check_scope(catalog, product, [from_version, to_version])
        return compare_text(product, from_version, to_version, topic or None)

    @server.completion()
    async def complete(ref: PromptReference | ResourceTemplateReference, argument: CompletionArgument,
                       context: CompletionContext | None) -> Completion:
        given = (context.arguments if context else None) or {}
        return completion(_candidates(catalog, ref, argument.name, given), argument.value)


def _candidates(catalog: Catalog, ref, name: str, given: dict[str, str]) -> list[str]:
    """Every value `name` may take, best first; [] for arguments that do not complete."""
    if isinstance(ref, ResourceTemplateReference):
        return doc_ids(catalog) if ref.uri == DOC_TEMPLATE and name == "doc_id" else []
    facets = facet_rows(catalog)
    if name == "vendor":
        return sorted({v for v, _, _ in facets})
    if name == "product":
        return sorted({p for v, p, _ in facets if given.get("vendor") in (None, "", v)})
    if name in VERSION_ARGS:
        return versions_first(facets, given.get("product"))
    return []


def facet_rows(catalog: Catalog) -> list[tuple[str, str, str]]:
    """(vendor, product, version) for every version the index holds."""
    lib = catalog.library()
    return [(v.vendor, p.product, x.version) for v in lib.vendors for p in v.products for x in p.versions]


def versions_first(facets: Iterable[tuple[str, str, str]], product: str | None) -> list[str]:
    """The versions of `product` newest first, then every other version newest first."""
    facets = list(facets)
    own = _newest_first({x for _, p, x in facets if p == product})
    rest = _newest_first({x for _, _, x in facets} - set(own))
    return own + rest


def doc_ids(catalog: Catalog) -> list[str]:
    """The doc_id of every indexed document, sorted (the manifest's file table; no file-system paths)."""
    return sorted({f.doc_id for f in catalog.index.manifest.indexed_files().values() if f.doc_id})


def completion(candidates: list[str], typed: str) -> Completion:
    """Candidates starting with what was typed (any case), then those containing it, at most MAX_VALUES."""
    typed = (typed or "").lower()
    starts = [c for c in candidates if c.lower().startswith(typed)]
    inside = [c for c in candidates if typed in c.lower() and not c.lower().startswith(typed)]
    matches = starts + inside
    return Completion(values=matches[:MAX_VALUES], total=len(matches), has_more=len(matches) > MAX_VALUES)


def _line(text: str) -> str:
    return " ".join(text.split())


def _check_scope(catalog: Catalog, product: str | None, versions: list[str]) -> None:
    """Refuse a product or version the index does not hold, naming the ones it does (an invalid-params error)."""
    try:
        _known_scope(catalog, product, versions)
    except CatalogError as exc:
        raise MCPError(code=INVALID_PARAMS, message=str(exc)) from exc


def _known_scope(catalog: Catalog, product: str | None, versions: list[str]) -> None:
    if not product:
        if any(versions):
            raise CatalogError("a version needs a product: pass product too (see list_library)")
        return
    facets = facet_rows(catalog)
    products = sorted({p for _, p, _ in facets})
    if product not in products:
        raise CatalogError(f"unknown product {product!r}; the library holds: {', '.join(products)}")
    known = _newest_first({x for _, p, x in facets if p == product})
    for version in versions:
        if version not in known:
            raise CatalogError(f"{product} has no version {version!r}; it has: {', '.join(known)}")


def _newest_first(versions: Iterable[str]) -> list[str]:
    return order_versions(versions)[::-1]
