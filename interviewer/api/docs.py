"""The API's interactive documentation, served entirely by the app: Swagger UI's files come from the
fastapi-offline package (a maintained PyPI package that ships them), so /docs works without internet
and loads nothing from elsewhere; its start-up script is a static file, so the page needs no inline script."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from interviewer.api.routes.pages import render

router = APIRouter(include_in_schema=False)
ASSETS_PATH = "/docs-assets"
# Swagger UI styles its widgets inline; the page shows only the API's own schema, no user text.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)


def assets() -> StaticFiles:
    """swagger-ui-bundle.js and swagger-ui.css, as the fastapi-offline package ships them."""
    return StaticFiles(directory=str(resources.files("fastapi_offline").joinpath("static")))


@router.get("/docs", response_class=HTMLResponse)
def docs_page() -> HTMLResponse:
    """Swagger UI over /openapi.json."""
    response = render("docs.html.j2", title="API documentation", assets=ASSETS_PATH)
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response
