"""The OpenAPI schema says what the server really does: 401 and 429 (and a bearer token) only when
it needs tokens, 413 wherever a body is sent, since every route has the body limit; and what it
accepts: the persona ids of its catalog, answers with words in them, texts without NUL, within
the configured limits. So a client (or schemathesis) reading it is never refused a valid request."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from interviewer.interview.loops import MAX_ROUNDS

ERROR = {"$ref": "#/components/schemas/ErrorOut"}
WRITES = ("post", "put", "patch", "delete")
NO_NUL = "^[^\\x00]*$"
# At least one letter or digit (an answer "has words"), and no NUL anywhere.
HAS_WORDS = "^[^\\x00]*[^\\W_][^\\x00]*$"
NO_CONTROL = "^[^\\x00-\\x1f\\x7f]*$"
DOCUMENTS = ("job_description", "cv", "takehome")


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def _accepted(schema: dict[str, Any], *, persona_ids: list[str], answer_chars: int, document_chars: int) -> None:
    """Narrow the request schemas to what the service accepts (it refuses the rest with a 4xx)."""
    paths = schema["paths"]
    bodies = paths["/api/sessions"]["post"]["requestBody"]["content"]
    as_json, as_form = bodies["application/json"]["schema"]["properties"], bodies["multipart/form-data"]["schema"]["properties"]
    for fields in (as_json, as_form):
        fields["persona_id"] = {"type": "string", "enum": persona_ids, "description": "a round of this server's catalog (GET /api/personas)"}
    text = {"type": "string", "maxLength": document_chars, "pattern": NO_NUL}
    for name in DOCUMENTS:
        as_json[name] = {**as_json[name], "anyOf": [text, {"type": "null"}]}
        # A file part (.md, .txt, .ipynb, .pdf) is accepted too, but whether a file is readable is beyond a schema.
        as_form[name] = {**text, "description": "the text itself; or a .md, .txt, .ipynb or .pdf file sent as a file part"}
    _accepted_loop(paths, persona_ids=persona_ids, text=text)
    answer = schema["components"]["schemas"]["AnswerCreate"]["properties"]["content"]
    answer.update(minLength=1, maxLength=answer_chars, pattern=HAS_WORDS)
    for parameter in paths["/api/sessions"]["get"].get("parameters", []):
        if parameter["name"] == "persona_id":
            parameter["schema"] = {"anyOf": [{"type": "string", "pattern": NO_CONTROL}, {"type": "null"}], "title": "Persona Id"}


def _accepted_loop(paths: dict[str, Any], *, persona_ids: list[str], text: dict[str, Any]) -> None:
    """A loop's rounds are 1 to MAX_ROUNDS persona ids of the catalog; its dossier is read like a session's."""
    bodies = paths["/api/loops"]["post"]["requestBody"]["content"]
    as_json, as_form = bodies["application/json"]["schema"]["properties"], bodies["multipart/form-data"]["schema"]["properties"]
    rounds = {"type": "array", "items": {"type": "string", "enum": persona_ids}, "minItems": 1, "maxItems": MAX_ROUNDS}
    as_json["rounds"] = {"anyOf": [rounds, {"type": "null"}], "description": as_json["rounds"].get("description", "")}
    one = "(" + "|".join(re.escape(persona_id) for persona_id in persona_ids) + ")"
    as_form["rounds"] = {
        "type": "string", "pattern": f"^{one}(,{one}){{0,{MAX_ROUNDS - 1}}}$",
        "description": "persona ids of this server's catalog, comma-separated",
    }
    for name in DOCUMENTS:
        as_json[name] = {**as_json[name], "anyOf": [text, {"type": "null"}]}
        as_form[name] = {**text, "description": "the text itself; or a .md, .txt, .ipynb or .pdf file sent as a file part"}


def describe(
    app: FastAPI, *, token_mode: bool, max_body_bytes: int, persona_ids: list[str], answer_chars: int, document_chars: int
) -> dict[str, Any]:
    """The app's schema, completed with the answers its middleware and dependencies give."""
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    _accepted(schema, persona_ids=persona_ids, answer_chars=answer_chars, document_chars=document_chars)
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
