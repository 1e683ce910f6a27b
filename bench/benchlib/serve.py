"""`mcdewey serve EXPORT` in a subprocess on a free loopback port, for the load and latency benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # the benchmarks never contact anything else


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class ServerProcess:
    """A `mcdewey serve` process: started, waited for until /healthz answers, measured, stopped.

    `start_seconds` is from starting the process to the first healthy answer (the model loaded and the
    index prewarmed); `rss_mb()` and `peak_rss_mb()` read the process's memory from /proc.
    """

    def __init__(self, export: Path, *args: str, env: dict | None = None, timeout: float = 180):
        self.export = Path(export)
        self.args = [str(a) for a in args]
        self.env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"} | (env or {})
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    def start(self) -> "ServerProcess":
        cmd = [str(Path(sys.executable).parent / "mcdewey"), "serve", str(self.export), "--host", HOST,
               "--port", str(self.port), *self.args]
        t0 = time.perf_counter()
        self._log = tempfile.TemporaryFile("w+")  # a file, not a pipe: a full pipe would stall the server
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=self._log, text=True)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.start_seconds = time.perf_counter() - t0
                    return self
            except httpx.TransportError:
                time.sleep(0.2)
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()[-2000:]}")
        self.stop()
        raise RuntimeError(f"server did not become healthy in {self.timeout:.0f} s")

    def log(self) -> str:
        """What the server wrote to stderr so far (uvicorn's start-up lines, the warm-up line, errors)."""
        self._log.seek(0)
        return self._log.read()

    def warm_up_line(self) -> str:
        return next((line.split("INFO:", 1)[-1].strip() for line in self.log().splitlines() if "warmed up in" in line), "")

    def _status(self, key: str) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        except (OSError, AttributeError):
            return None
        return None

    def rss_mb(self) -> float | None:
        return self._status("VmRSS")

    def peak_rss_mb(self) -> float | None:
        return self._status("VmHWM")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
