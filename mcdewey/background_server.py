"""Serving from a notebook: `mcdewey serve` in a background thread, and the MCP config an assistant needs.
"""

from __future__ import annotations

from pathlib import Path

class BackgroundServer:
    """`mcdewey serve` inside the notebook's process: uvicorn in a daemon thread on a free port."""

    def __init__(self, export_dir: str | Path, port: int | None = None, token: str | None = None):
        self.export_dir = Path(export_dir)
        self.port = port or free_port()
        self.token = token
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None
        self._thread = None

    def start(self, timeout: float = 30.0) -> "BackgroundServer":
        """Open the export, start serving and wait until the port accepts requests."""
        import threading
        import time

        import uvicorn

        from mcdewey.server.app import Access, open_app

        app = open_app(self.export_dir, Access.for_bind("127.0.0.1", self.token), self.url)
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="mcdewey-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to finish its requests and exit; waits for the thread."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout)
            self._server = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> "BackgroundServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assistant_config(url: str, client: str = "cursor", token: bool = False) -> dict:
    """The MCP config snippet `client` (cursor, vscode, claude-desktop) needs for the server at `url`."""
    mcp_url = url.rstrip("/") + "/mcp"
    if client == "cursor":
        entry = {"url": mcp_url, **({"headers": {"Authorization": "Bearer ${env:MCDEWEY_TOKEN}"}} if token else {})}
        return {"mcpServers": {"mcdewey": entry}}
    if client == "vscode":
        entry = {"type": "http", "url": mcp_url,
                 **({"headers": {"Authorization": "Bearer ${input:mcdewey-token}"}} if token else {})}
        inputs = [{"type": "promptString", "id": "mcdewey-token", "description": "McDewey token", "password": True}]
        return {**({"inputs": inputs} if token else {}), "servers": {"mcdewey": entry}}
    if client == "claude-desktop":
        # Claude Desktop starts servers as commands: mcp-remote bridges it to the HTTP endpoint.
        args = ["-y", "mcp-remote", mcp_url, "--allow-http"]
        if token:
            args += ["--header", "Authorization:${MCDEWEY_AUTH}"]
        entry = {"command": "npx", "args": args, **({"env": {"MCDEWEY_AUTH": "Bearer your-token"}} if token else {})}
        return {"mcpServers": {"mcdewey": entry}}
    raise ValueError(f"unknown client {client!r}; choose cursor, vscode or claude-desktop")
