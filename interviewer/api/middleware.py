"""Every HTTP request gets an id (the client's X-Request-ID when it sends a usable one), returned
in X-Request-ID and put on every log line written while serving it; then one access log line and
the request metrics. Plain ASGI, so streamed responses pass through untouched."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interviewer import logs, metrics

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
