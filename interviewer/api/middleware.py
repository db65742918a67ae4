"""Every HTTP request gets an id (the client's X-Request-ID when it sends a usable one), returned
in X-Request-ID and put on every log line written while serving it; then one access log line and
the request metrics. Then the browser's security headers, and the guards that refuse a request
before its body is read. Plain ASGI, so streamed responses pass through untouched."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any
from urllib.parse import unquote_plus

import anyio
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interviewer.api import auth, guards
from interviewer.ops import logs, metrics
from interviewer.ops import tokens

HEADER = b"x-request-id"
access_log = logging.getLogger("interviewer.access")
QUIET = {"/healthz", "/metrics"}


def _route(scope: Scope) -> str:
    """The route template (/api/sessions/{session_id}), never the raw path: metrics stay bounded."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path or "unmatched"


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"").decode("latin-1")
        request_id = given if logs.VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            status = 500
            metrics.unhandled_error()
            access_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            raise
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            metrics.request_served(method=scope["method"], route=route, status=status, seconds=seconds)
            extra: dict[str, Any] = {
                "method": scope["method"], "path": scope["path"], "route": route, "status": status,
                "duration_ms": round(seconds * 1000, 1),
            }
            # Health checks and scrapes come every few seconds: kept out of the INFO log.
            level = logging.DEBUG if route in QUIET else logging.INFO
            access_log.log(level, "%s %s %s %.1fms", scope["method"], scope["path"], status, seconds * 1000, extra=extra)
            logs.request_id.reset(token)


# What a page may load: only this site's own scripts and styles (no inline script), never framed.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)
# The self-contained HTML report: its own inline styles and SVG charts, no script at all, framed only by this site.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
SECURITY_HEADERS = {
    b"content-security-policy": PAGE_POLICY.encode(),
    b"x-frame-options": b"DENY",
    b"x-content-type-options": b"nosniff",
    # Share links carry their token in the URL: never leak it to another site through Referer.
    b"referrer-policy": b"no-referrer",
}


# The HTML report, the owner's or a share link's, and a loop's debrief: the report and loop pages frame them.
REPORT_PATH = re.compile(r"^/api/(?:(?:sessions|shared)/[^/]+/report|loops/[^/]+/debrief)$")
REPORT_HEADERS = {**SECURITY_HEADERS, b"content-security-policy": REPORT_POLICY.encode(), b"x-frame-options": b"SAMEORIGIN"}


class SecurityHeaders:
    """CSP, frame protection, nosniff and Referrer-Policy on every response; a route that sets its
    own (the HTML report may be framed by this site) keeps them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = REPORT_HEADERS if REPORT_PATH.match(scope["path"]) else SECURITY_HEADERS
                headers += [(name, value) for name, value in wanted.items() if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _json(send: Send, status: int, detail: str | list[dict[str, Any]], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({
        "type": "http.response.start", "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])],
    })
    await send({"type": "http.response.body", "body": body})


def body_too_large(limit: int) -> str:
    return f"the request body is over the limit of {limit} bytes (INTERVIEWER_MAX_BODY_BYTES); send less"


class RequestGuard:
    """Refuses, before any route runs or any body is read:
    - a body whose Content-Length is over the limit: 413;
    - a path or query carrying control characters (NUL reaches no database): 404 / 422;
    - a state-changing browser request from another site (CSRF, login CSRF): 403;
    - an API request without a valid token when the server needs one: 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        app_state = scope["app"].state
        limit = app_state.settings.max_body_bytes
        if guards.declared_size(headers.get("content-length")) > limit:
            await _json(send, 413, body_too_large(limit))
            return
        if guards.has_bad_characters(scope["path"]):
            await _json(send, 404, "no such resource: the path contains a control character")
            return
        if guards.has_bad_characters(unquote_plus(scope.get("query_string", b"").decode("latin-1"))):
            # In FastAPI's own validation-error shape, as the schema documents every 422.
            refusal = {"type": "string_pattern_mismatch", "loc": ["query"], "msg": "the query string contains a control character; remove it", "input": None}
            await _json(send, 422, [refusal])
            return
        if guards.is_cross_site_write(
            method=scope["method"], host=headers.get("host"), origin=headers.get("origin"), referer=headers.get("referer"),
            fetch_site=headers.get("sec-fetch-site"), has_bearer=headers.get("authorization", "").lower().startswith("bearer "),
        ):
            await _json(send, 403, "cross-site request refused: send it from this site's own pages (or with an Authorization header)")
            return
        if scope["path"].startswith("/api/") and not scope["path"].startswith("/api/shared/") and tokens.token_required(app_state.settings):
            token = auth.presented_token(headers.get("authorization"), Request(scope).cookies.get(auth.TOKEN_COOKIE))
            user_id = await anyio.to_thread.run_sync(lambda: auth.token_user(app_state.engine, token)) if token else None
            if user_id is None:
                await _json(send, 401, auth.UNKNOWN_TOKEN if token else auth.MISSING_TOKEN, [(b"www-authenticate", b"Bearer")])
                return
            # The route's caller dependency reads it here instead of looking the token up again.
            scope.setdefault("state", {})[auth.CHECKED_USER] = user_id
        await self.app(scope, receive, send)
