"""Web hardening for the local server, installed by ``install_security(app, host)`` in ``create_app``.

Modelled on what Jupyter does for a local server:

- Host check (DNS rebinding): only ``localhost``, ``127.0.0.1``, ``::1`` and the bound host are
  answered; any other ``Host`` gets 400. Bound to a wildcard address (0.0.0.0, ::) the server is
  on the network by choice, and every Host is accepted (``serve`` warns).
- Origin check (cross-site form posts): a form-type POST (multipart, urlencoded, text/plain — the
  ones a foreign page can send without a CORS preflight) must come from the page's own origin; a
  foreign ``Origin`` or ``Sec-Fetch-Site: cross-site/same-site`` gets 403. Clients that send neither
  (curl, scripts) are let through: they are not a browser acting for someone else.
- Headers on every response: a Content-Security-Policy without inline script (the pages load their
  script from /static; the evidence report from /api/report gets a policy with no script at all),
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``,
  ``Referrer-Policy: no-referrer``.
- Validation errors (422) without the ``input`` FastAPI echoes by default: it would quote message text.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'")
FORM_TYPES = (b"multipart/", b"application/x-www-form-urlencoded", b"text/plain")
_EXTRA = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
          (b"referrer-policy", b"no-referrer")]


def allowed_hosts(host: str | None) -> frozenset[str] | None:
    """Host names answered when bound to ``host``; None means any (a wildcard bind)."""
    if host is None:
        return LOCAL_HOSTS
    host = host.strip("[]").lower()
    return None if host in WILDCARD_HOSTS else LOCAL_HOSTS | {host}


def host_name(header: str) -> str:
    """``[::1]:8000`` → ``::1``; ``Example.com:80`` → ``example.com``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header


class SecurityMiddleware:
    """Host and Origin checks, and the security headers (pure ASGI: streaming responses pass through)."""

    def __init__(self, app, hosts: frozenset[str] | None):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if self.hosts is not None and host_name(host) not in self.hosts:
            return await _plain(send, 400, "unknown Host header: this server answers only to its own address "
                                           "(protection against DNS rebinding)")
        if scope["method"] == "POST" and headers.get(b"content-type", b"").lower().startswith(FORM_TYPES):
            origin = headers.get(b"origin")
            site = headers.get(b"sec-fetch-site")
            own = {f"{scope.get('scheme', 'http')}://{host}".lower()}
            if (origin is not None and origin.decode("latin-1").lower() not in own) or \
                    (origin is None and site is not None and site not in (b"same-origin", b"none")):
                return await _plain(send, 403, "cross-site form posts are refused: upload from this server's own page")
        csp = (REPORT_CSP if scope["path"] == "/api/report" else PAGE_CSP).encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in [(b"content-security-policy", csp), *_EXTRA] if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"content-security-policy", PAGE_CSP.encode()), *_EXTRA]})
    await send({"type": "http.response.body", "body": body})


async def _validation_error(request, exc: RequestValidationError) -> JSONResponse:
    """422 naming the field and the problem, never echoing the input (it may be a message)."""
    errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")).encode("utf-8", "replace").decode(),
               "type": e.get("type", "")} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


_DOCS_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>cuishou API</title>
<link rel="stylesheet" href="/swagger-ui/swagger-ui.css"><link rel="icon" href="/swagger-ui/favicon-32x32.png">
</head><body><div id="swagger-ui"></div>
<script src="/swagger-ui/swagger-ui-bundle.js"></script><script src="/static/swagger-init.js"></script>
</body></html>"""


def _docs_without_inline_script(app) -> None:
    """FastAPI's /docs page starts Swagger UI with an inline script; serve one that loads it from /static."""
    paths = {getattr(r, "path", None) for r in app.router.routes}
    if "/docs" not in paths or not (Path(__file__).parent / "static" / "swagger-init.js").exists():
        return
    app.router.routes = [r for r in app.router.routes if getattr(r, "path", None) != "/docs"]

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(_DOCS_HTML)


def install_security(app, host: str | None = None) -> None:
    """Host/Origin checks, security headers, quiet validation errors and the bounded job pool (see jobs)."""
    from . import jobs

    _docs_without_inline_script(app)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(SecurityMiddleware, hosts=allowed_hosts(host))
    jobs.install(app)
