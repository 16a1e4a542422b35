"""The FastAPI application: ``create_app()`` builds it; the model is loaded once, at start-up."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ... import __version__
from ...modeling.predict import Classifier
from .routes import router
from .security import install_security

STATIC_DIR = Path(__file__).parent / "static"
JSON_LIMIT = 2 * 1024 * 1024


class _TooLargeError(Exception):
    pass


class BodySizeLimit:
    """Refuse request bodies over the limit with a clear 413, before reading them into memory."""

    def __init__(self, app, max_upload: int, max_json: int = JSON_LIMIT):
        self.app, self.max_upload, self.max_json = app, max_upload, max_json

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        limit = self.max_upload if ctype.startswith("multipart/") else self.max_json
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _too_large(send, limit)
        seen = 0
        started = over = False

        async def limited_receive():
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise _TooLargeError
            return message

        async def tracking_send(message):
            nonlocal started
            if over:  # a body parser turned the error into its own 400: answer 413 instead
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _too_large(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await _too_large(send, limit)


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"detail": f"request too large: the limit is {limit // (1024 * 1024)} MB"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(model_dir: str | Path | None = None, *, trust_model: bool = False, max_upload_mb: int = 50,
               classifier: Classifier | None = None, host: str | None = None) -> FastAPI:
    """The app. ``classifier`` (tests) skips loading; otherwise the model loads once in the lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.classifier = classifier or Classifier.load(model_dir, trust=trust_model)
        yield
        app.state.classifier = None

    app = FastAPI(title="cuishou 催收短信识别", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Label debt-collection messages and the PRC provisions they may violate. "
                              "Runs locally; nothing is sent anywhere or stored. Information, not legal advice.")
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    try:  # Swagger UI served from the installed package, not a CDN
        import swagger_ui_bundle

        app.mount("/swagger-ui", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")

        @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
        def docs() -> HTMLResponse:
            return get_swagger_ui_html(openapi_url="/openapi.json", title="cuishou API",
                                       swagger_js_url="/swagger-ui/swagger-ui-bundle.js",
                                       swagger_css_url="/swagger-ui/swagger-ui.css",
                                       swagger_favicon_url="/swagger-ui/favicon-32x32.png")
    except ImportError:  # pragma: no cover - the dependency is declared
        pass
    install_security(app, host)  # Host/Origin checks, CSP and headers, bounded job pool (``host``: the bound address)
    return BodySizeLimit(app, max_upload=max_upload_mb * 1024 * 1024)
