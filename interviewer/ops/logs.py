"""Logging for a server: one JSON object per line (or plain text), each carrying the id of the
request it belongs to. The id lives in a context variable, so it follows the request into the
thread pool, background scoring and streamed replies."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger import json as jsonlogger
from pythonjsonlogger.core import RESERVED_ATTRS

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# A client's X-Request-ID is kept when it is a plain token (it ends up in logs and headers).
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class JsonFormatter(jsonlogger.JsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id, extras."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", "time")
        # uvicorn repeats each message with terminal colours; one copy is enough.
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "color_message"])
        super().__init__(*args, **kwargs)


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-" outside a request) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


def logging_config(*, level: str = "INFO", fmt: str = "json", terminal: bool = False) -> dict[str, Any]:
    """A dictConfig for the server process (handed to uvicorn, which applies it in every worker).
    `fmt` "auto" is text for a person at a terminal, JSON for a log collector."""
    if fmt == "auto":
        fmt = "text" if terminal else "json"
    formatter: dict[str, Any] = (
        {"()": "interviewer.ops.logs.JsonFormatter", "fmt": JSON_FIELDS}
        if fmt == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "interviewer.ops.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's own lines go through the same handler; its access log is replaced by ours.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "alembic.runtime.plugins": {"level": "WARNING"},
        },
    }
