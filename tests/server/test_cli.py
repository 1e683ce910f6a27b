"""`mcdewey serve` itself: starts uvicorn on the given port, refuses a folder that is not an export."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import free_port

MCDEWEY = str(Path(sys.executable).parent / "mcdewey")


def test_serve_command_serves_the_export(export_dir):
    port = free_port()
    proc = subprocess.Popen([MCDEWEY, "serve", str(export_dir), "--port", str(port), "--token", "t0k"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/api/library").status_code == 401
        ok = httpx.get(f"http://127.0.0.1:{port}/api/library", headers={"Authorization": "Bearer t0k"})
        assert ok.status_code == 200 and ok.json()["documents"] > 0
    finally:
        proc.terminate()
        proc.wait(20)


def test_serve_refuses_a_folder_that_is_not_an_export(tmp_path):
    done = subprocess.run([MCDEWEY, "serve", str(tmp_path), "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "not an exported index" in " ".join(done.stderr.split())
