"""A real S3-speaking server on 127.0.0.1 (moto's server mode) and helpers to run `mcdewey` against it.

No test talks to a cloud: the endpoint, keys and region are the standard AWS variables, pointed at moto.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

MCDEWEY = str(Path(sys.executable).parent / "mcdewey")


@pytest.fixture(scope="session")
def s3_server():
    """moto's ThreadedMotoServer on a free loopback port, with the AWS variables pointed at it."""
    pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per S3 request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    import mcdewey.storage as storage

    storage._CLIENT = None  # a client made before the variables were set would talk to the wrong endpoint
    yield env
    storage._CLIENT = None
    for k, v in saved.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    server.stop()


@pytest.fixture
def bucket(s3_server) -> str:
    """A fresh, empty bucket per test."""
    from mcdewey.storage import s3_client

    name = f"mcd-{uuid.uuid4().hex[:12]}"
    s3_client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def local_cache(tmp_path, monkeypatch) -> Path:
    """Where caches go for an object-storage home in this test (MCDEWEY_CACHE)."""
    path = tmp_path / "local-cache"
    monkeypatch.setenv("MCDEWEY_CACHE", str(path))
    return path


def cli(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([MCDEWEY, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    if check:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


class Served:
    """A `mcdewey serve` process on a free loopback port."""

    def __init__(self, export: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([MCDEWEY, "serve", export, "--port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mcdewey serve {export} did not start: {self.proc.stdout.read()}")
            time.sleep(0.3)

    def search(self, query: str, **params) -> list[tuple[str, float]]:
        r = httpx.get(f"{self.url}/api/search", params={"q": query, **params}, timeout=30)
        r.raise_for_status()
        return [(h["chunk_id"], round(h["score"], 6)) for h in r.json()["hits"]]

    def mcp_search(self, query: str, limit: int = 3) -> list[str]:
        """The MCP tool search_docs over Streamable HTTP (stateless JSON-RPC POSTs; a JSON-only client)."""
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "test", "version": "0"}}}
        httpx.post(f"{self.url}/mcp", json=init, headers=headers, timeout=30).raise_for_status()
        call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                "params": {"name": "search_docs", "arguments": {"query": query, "limit": limit}}}
        r = httpx.post(f"{self.url}/mcp", json=call, headers=headers, timeout=30)
        r.raise_for_status()
        result = r.json()["result"]
        assert not result.get("isError"), result
        return [h["chunk_id"] for h in result["structuredContent"]["hits"]]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


def hits_json(stdout: str) -> list[str]:
    return [h["chunk"]["chunk_id"] if "chunk" in h else h["chunk_id"] for h in json.loads(stdout)]


def write_clean_library(root: Path, docs: int = 8) -> Path:
    """Markdown manuals under <vendor>/<product>/<version>/, every one readable (no bad inputs)."""
    words = ("bgp hold timer neighbor route vlan trunk codec sip register tftp dhcp option "
             "latency jitter queue policy interface address session buffer channel").split()
    for i in range(docs):
        path = root / f"vendor{i % 2}/product{i % 3}/{1 + i % 2}.0/guide/manual-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        parts = [f"## Part {j}\n\n" + " ".join(words[(i * 5 + j * 3 + k) % len(words)] for k in range(90))
                 for j in range(4)]
        path.write_text(f"# Manual {i}\n\n" + "\n\n".join(parts) + "\n")
    return root
