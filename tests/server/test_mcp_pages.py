"""MCP `get_page` and the page resource, through the SDK client against the live server."""

from __future__ import annotations

import base64
import io

import pytest
from mcp.shared.exceptions import MCPError
from PIL import Image

from server.test_mcp import run  # the live-client helper of the MCP tests

PDF = "acme/router/1.0/guide/router-guide.pdf"


def _yellow(image: Image.Image, box: dict) -> float:
    """Share of highlight-yellow pixels inside a box of the image (fractions of the page)."""
    w, h = image.size
    crop = image.convert("RGB").crop((int(box["x0"] * w), int(box["y0"] * h), int(box["x1"] * w), int(box["y1"] * h)))
    pixels = list(crop.getdata())
    return sum(r > 200 and g > 180 and b < 200 for r, g, b in pixels) / max(1, len(pixels))


def test_get_page_returns_the_page_image_text_and_label(live, served_index):
    chunk = served_index.doc_chunks(PDF)[-1]
    page = chunk.page_start

    async def calls(client):
        plain = await client.call_tool("get_page", {"doc_id": PDF, "page": page})
        marked = await client.call_tool("get_page", {"doc_id": PDF, "page": page, "chunk_id": chunk.chunk_id})
        return plain, marked

    plain, marked = run(live, calls)
    assert not plain.is_error and not marked.is_error
    image, text = plain.content
    assert image.type == "image" and image.mime_type == "image/png"
    png = Image.open(io.BytesIO(base64.b64decode(image.data)))
    assert png.width == 1000
    data = plain.structured_content
    assert data["page"] == page and data["pages"] == 6 and data["label"] == chunk.page_label_start
    assert data["boxes"] == [] and chunk.text.split()[-1] in data["text"]
    assert f"printed {chunk.page_label_start}" in text.text
    boxes = marked.structured_content["boxes"]
    assert boxes and all(b["page"] == page for b in boxes)
    highlighted = Image.open(io.BytesIO(base64.b64decode(marked.content[0].data)))
    assert _yellow(highlighted, boxes[0]) > 0.3 > _yellow(png, boxes[0])


def test_page_resource_is_a_png(live):
    async def call(client):
        return await client.read_resource(f"mcdewey://docs/{PDF}/pages/2")

    content = run(live, call).contents[0]
    assert content.mime_type == "image/png"
    assert base64.b64decode(content.blob).startswith(b"\x89PNG")


@pytest.mark.parametrize("args, message", [
    ({"doc_id": PDF, "page": 40}, "out of range"),
    ({"doc_id": "acme/router/2.0/guide/routing.md", "page": 1}, "no PDF"),
    ({"doc_id": PDF, "page": 1, "chunk_id": "router::2.0::guide::routing::0"}, "is not part of"),
])
def test_get_page_explains_what_it_cannot_show(live, args, message):
    result = run(live, lambda c: c.call_tool("get_page", args))
    assert result.is_error and message in result.content[0].text


def test_unknown_page_resource_is_an_error(live):
    async def call(client):
        with pytest.raises(MCPError) as err:
            await client.read_resource(f"mcdewey://docs/{PDF}/pages/99")
        return err.value

    assert "out of range" in str(run(live, call))
