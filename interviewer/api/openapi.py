"""The OpenAPI schema says what the server really does: 401 and 429 (and a bearer token) only when
it needs tokens, 413 wherever a body is sent, since every route has the body limit."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR = {"$ref": "#/components/schemas/ErrorOut"}
WRITES = ("post", "put", "patch", "delete")


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def describe(app: FastAPI, *, token_mode: bool, max_body_bytes: int) -> dict[str, Any]:
    """The app's schema, completed with the answers its middleware and dependencies give."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).setdefault("ErrorOut", {
        "type": "object", "required": ["detail"], "properties": {"detail": {"type": "string", "title": "Detail"}}, "title": "ErrorOut",
    })
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if method in WRITES or "requestBody" in operation:
                responses.setdefault("413", _error(f"The request body is over {max_body_bytes} bytes (INTERVIEWER_MAX_BODY_BYTES)"))
            if method in WRITES:
                responses.setdefault("403", _error("A browser request sent from another site (cross-site request refused)"))
            needs_token = path.startswith("/api/") and not path.startswith("/api/shared/")
            if token_mode and needs_token:
                responses.setdefault("401", _error("Missing, unknown or revoked API token"))
            if (token_mode and needs_token) or path.startswith("/api/shared/"):
                responses.setdefault("429", {**_error("Over the request rate limit; retry after Retry-After"), "headers": {
                    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}},
                }})
            if not (token_mode and needs_token):
                # Local mode (or a share link): no token is asked for, so none is declared.
                operation.pop("security", None)
    if not token_mode:
        components.pop("securitySchemes", None)
    return schema
