"""Token, Host/Origin (DNS rebinding), escaping and path-traversal rules, against the live server."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from mcdewey.server.guard import Access

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def post_mcp(url: str, **headers) -> httpx.Response:
    return httpx.post(f"{url}/mcp", json=INIT, headers=MCP_HEADERS | headers, timeout=30)


def raw_get(url: str, target: str) -> tuple[int, str]:
    """Send `target` byte for byte (no client-side normalisation of `..` or percent escapes)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


def test_token_guards_mcp_and_json_api(live_token):
    url = live_token.url
    assert post_mcp(url).status_code == 401
    assert post_mcp(url, Authorization="Bearer wrong").status_code == 401
    ok = post_mcp(url, Authorization="Bearer s3cret")
    assert ok.status_code == 200 and ok.json()["result"]["serverInfo"]["name"] == "mcdewey"
    assert httpx.get(f"{url}/api/search", params={"q": "BGP"}).status_code == 401
    assert httpx.get(f"{url}/api/library").status_code == 401
    assert httpx.get(f"{url}/api/library", headers=live_token.headers()).status_code == 200
    assert httpx.get(f"{url}/healthz").status_code == 200


def test_token_guards_pages_until_login_sets_the_cookie(live_token):
    with httpx.Client(base_url=live_token.url, timeout=30) as client:
        locked = client.get("/", params={"q": "BGP"})
        assert locked.status_code == 401 and "access token" in locked.text and "result" not in locked.text
        assert client.post("/login", data={"token": "nope"}).status_code == 401
        assert client.post("/login", data={"token": "s3cret"}).status_code == 303
        assert client.get("/", params={"q": "BGP"}).status_code == 200
        # The cookie opens pages only; programs must send the header.
        assert client.get("/api/library").status_code == 401


def test_no_token_means_open_api(live):
    assert post_mcp(live.url).status_code == 200
    assert httpx.get(f"{live.url}/api/library").status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1.evil.example:80", "null"])
def test_foreign_origin_is_refused(live, origin):
    assert post_mcp(live.url, Origin=origin).status_code == 403
    assert httpx.get(f"{live.url}/api/library", headers={"Origin": origin}).status_code == 403


def test_local_origin_is_accepted(live):
    port = live.url.rsplit(":", 1)[1]
    assert post_mcp(live.url, Origin=f"http://localhost:{port}").status_code == 200


def test_foreign_host_header_is_refused(live):
    """A DNS-rebound name resolves to us but carries its own Host header."""
    assert post_mcp(live.url, Host="evil.example").status_code == 421
    assert httpx.get(f"{live.url}/", headers={"Host": "evil.example:8000"}).status_code == 421


def test_access_for_public_bind_allows_the_named_host_only():
    access = Access.for_bind("0.0.0.0", "t", extra_hosts=["docs.internal"])
    assert "docs.internal:*" in access.hosts and "0.0.0.0:*" not in access.hosts
    assert "https://docs.internal" in access.origins


@pytest.mark.parametrize("target", [
    "/docs/../../etc/passwd",
    "/docs/..%2F..%2Fetc%2Fpasswd",
    "/docs/%2e%2e/%2e%2e/etc/passwd",
    "/docs//etc/passwd",
    "/docs/%2Fetc%2Fpasswd",
    "/chunks/..%2F..%2Fetc%2Fpasswd",
    "/api/chunks/..%2F..%2Fetc%2Fpasswd",
    "/static/..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/../app.py",
    "/mcdewey/server/app.py",
])
def test_path_traversal_finds_nothing(live, target):
    status, body = raw_get(live.url, target)
    assert status in (404, 400), (target, status)
    assert "root:" not in body and "import" not in body


def test_document_text_is_escaped(live, http):
    page = http.get("/", params={"q": "paste script console"})
    assert page.status_code == 200
    unmarked = re.sub(r"</?mark>", "", page.text)  # result cards mark the query's terms
    assert "&lt;script&gt;alert(" in unmarked and "<script>alert(" not in unmarked
    hit = http.get("/api/search", params={"q": "paste script console", "limit": 1}).json()["hits"][0]
    for url in (hit["url"], hit["context_url"]):
        html = http.get(url).text
        assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    assert "Console &lt;Release&gt; Notes" in page.text


def test_mcp_answers_only_post(live):
    """Stateless: no stream to hold open on GET, no session to DELETE."""
    assert httpx.get(f"{live.url}/mcp", headers={"Accept": "text/event-stream"}, timeout=10).status_code == 405
    assert httpx.delete(f"{live.url}/mcp", timeout=10).status_code == 405
