"""On a served export: a page image, the boxes of every PDF chunk (inside their page), get_page over MCP.

Usage: PYTHONPATH=. .venv/bin/python bench/export_pages_check.py EXPORT
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import anyio
import httpx


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from search_cards import serve

    from mcdewey.store import open_index

    export = Path(sys.argv[1])
    index = open_index(export)
    url = serve(export)
    pdf_docs = [f["doc_id"] for f in index.manifest["files"].values() if f.get("doc_id", "").endswith(".pdf")]
    out = {"pdfs": len(pdf_docs), "chunks": 0, "chunks_with_boxes": 0, "boxes": 0, "boxes_outside": 0}
    with httpx.Client(base_url=url, timeout=60) as http:
        png = http.get(f"/docs/{pdf_docs[0]}/pages/1.png", params={"width": 800})
        out["page_png"] = {"status": png.status_code, "type": png.headers["content-type"], "bytes": len(png.content)}
        for doc_id in pdf_docs:
            for chunk in index.doc_chunks(doc_id):
                boxes = http.get(f"/api/chunks/{chunk.chunk_id}/boxes").json()["boxes"]
                out["chunks"] += 1
                out["chunks_with_boxes"] += bool(boxes)
                out["boxes"] += len(boxes)
                out["boxes_outside"] += sum(not (0 <= b["x0"] <= b["x1"] <= 1 and 0 <= b["y0"] <= b["y1"] <= 1)
                                            for b in boxes)
    chunk = index.doc_chunks(pdf_docs[0])[5]
    out["get_page"] = anyio.run(_get_page, url, chunk)
    print(json.dumps(out, indent=1))


async def _get_page(url: str, chunk) -> dict:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async with httpx2.AsyncClient(timeout=60) as http, \
            Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        result = await client.call_tool("get_page", {"doc_id": chunk.doc_id, "page": chunk.page_start,
                                                     "chunk_id": chunk.chunk_id})
    image = result.content[0]
    return {"is_error": result.is_error, "content": [c.type for c in result.content], "mime_type": image.mime_type,
            "png": base64.b64decode(image.data)[:4] == b"\x89PNG", "label": result.structured_content["label"],
            "boxes": len(result.structured_content["boxes"])}


if __name__ == "__main__":
    main()
