"""Who may talk to the server: Host and Origin allow-lists (DNS-rebinding defence) and an optional bearer token."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
TOKEN_COOKIE = "mcdewey_token"
OPEN_PATHS = ("/healthz", "/login")


@dataclass(frozen=True)
class Access:
    """Allowed Host and Origin values ("name:*" = any port) and the token, if one is required."""

    token: str | None = None
    hosts: tuple[str, ...] = field(default_factory=lambda: tuple(h + s for h in LOOPBACK_HOSTS for s in ("", ":*")))
    origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(f"http://{h}{s}" for h in LOOPBACK_HOSTS for s in ("", ":*")))

    @classmethod
    def for_bind(cls, bind_host: str, token: str | None = None, extra_hosts: Sequence[str] = (),
                 extra_origins: Sequence[str] = ()) -> Access:
        """Loopback names, plus the bound host (unless a wildcard) and any names the operator adds."""
        base = cls(token=token or None)
        names = [h for h in [bind_host, *extra_hosts] if h and h not in ("0.0.0.0", "::", *LOOPBACK_HOSTS)]
        names = [f"[{h}]" if ":" in h and not h.startswith("[") else h for h in names]
        hosts = base.hosts + tuple(h + s for h in names for s in ("", ":*"))
        origins = base.origins + tuple(f"{p}://{h}{s}" for h in names for p in ("http", "https") for s in ("", ":*"))
        return cls(token=base.token, hosts=hosts, origins=origins + tuple(extra_origins))

    def transport_security(self) -> TransportSecuritySettings:
        """The same lists in the MCP SDK's form, so its transport checks /mcp a second time."""
        return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=list(self.hosts),
                                         allowed_origins=list(self.origins))

    def token_matches(self, given: str) -> bool:
        return bool(self.token and given) and hmac.compare_digest(given.encode(), self.token.encode())


def allowed(value: str, patterns: Sequence[str]) -> bool:
    """Exact match, or "name:*" followed by a port number (stricter than a bare prefix match)."""
    return any(value == p or (p.endswith(":*") and value.startswith(p[:-1]) and value[len(p) - 1:].isdigit())
               for p in patterns)


def _is_machine(path: str) -> bool:
    return path == "/mcp" or path.startswith("/api/")


# Draws the login page: (request, HTTP status, whether a wrong token was just given) -> response.
LoginPage = Callable[[Request, int, bool], Response]


class Guard:
    """ASGI middleware: Host and Origin checks on every request; the token on everything but health and assets."""

    def __init__(self, app: ASGIApp, access: Access, login_page: LoginPage):
        self.app = app
        self.access = access
        self.login_page = login_page  # the page layer's renderer: the guard decides, the pages draw

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        response = self._check(scope)
        if response is None and self.access.token and scope["path"] == "/login":
            response = await self._login(Request(scope, receive))
        await (response or self.app)(scope, receive, send)

    def _check(self, scope: Scope) -> Response | None:
        headers = Headers(scope=scope)
        if not allowed(headers.get("host", ""), self.access.hosts):
            return PlainTextResponse("Invalid Host header", status_code=421)
        origin = headers.get("origin")
        if origin and not allowed(origin, self.access.origins):
            return PlainTextResponse("Invalid Origin header", status_code=403)
        path = scope["path"]
        if not self.access.token or path in OPEN_PATHS or path.startswith("/static/"):
            return None
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.access.token_matches(given):
            return None
        if _is_machine(path):
            return JSONResponse({"error": "missing or wrong bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="mcdewey"'})
        # People's browsers carry the token in the cookie /login sets; programs must send the header.
        if self.access.token_matches(cookie_parser(headers.get("cookie", "")).get(TOKEN_COOKIE, "")):
            return None
        return self._login_page(Request(scope), status=401)

    def _login_page(self, request: Request, status: int, wrong: bool = False) -> Response:
        return self.login_page(request, status, wrong)

    async def _login(self, request: Request) -> Response:
        if request.method != "POST":
            return RedirectResponse("/", status_code=303)
        given = parse_qs((await request.body()).decode("utf-8", "replace")).get("token", [""])[0]
        if not self.access.token_matches(given):
            return self._login_page(request, status=401, wrong=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(TOKEN_COOKIE, given, httponly=True, samesite="strict")
        return response
