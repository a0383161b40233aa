"""The interactive API docs at /api/docs: Swagger UI vendored in static/vendor/swagger-ui (no
CDN: the page's security policy allows scripts from our origin only, and offline machines reach
nothing else), started by a script file of ours (no inline script). Vendored from npm
(swagger-ui-dist 5.35.0) because the PyPI package `swagger-ui-bundle` (1.1.0, the newest) ships
Swagger UI 4.15, which renders nothing for FastAPI's OpenAPI 3.1 schema."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

ASSETS = "/static/vendor/swagger-ui"  # Swagger UI's own files, under the app's /static

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>talentgraph API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body></html>
"""


def mount(app: FastAPI, openapi_url: str) -> None:
    """Serve the docs page for the schema at `openapi_url`."""
    router = APIRouter(include_in_schema=False)

    @router.get("/api/docs")
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE.format(assets=ASSETS, openapi=openapi_url))

    app.include_router(router)
