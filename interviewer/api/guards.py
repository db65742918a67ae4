"""Pure checks on a request's raw parts, done before any route runs: characters no id can hold,
and writes coming from another site (CSRF). No I/O here; interviewer/api/middleware.py applies them."""

from __future__ import annotations

from urllib.parse import urlsplit

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_PORTS = frozenset({80, 443})


def has_bad_characters(text: str) -> bool:
    """Control characters (NUL above all: PostgreSQL refuses it) or undecodable bytes (lone surrogates)."""
    return any(c < " " or c == "\x7f" or "\ud800" <= c <= "\udfff" for c in text)


def declared_size(content_length: str | None) -> int:
    """The body size a request announces (0 when it announces none or garbage: the stream limit applies)."""
    try:
        return max(0, int(content_length or 0))
    except ValueError:
        return 0


def _site(url: str) -> str | None:
    """host:port of an Origin, Referer or Host, a default port dropped (a proxy may or may not keep
    it); None when it names no site (Origin: null)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    return parts.hostname if port is None or port in DEFAULT_PORTS else f"{parts.hostname}:{port}"


def is_cross_site_write(
    *, method: str, host: str | None, origin: str | None, referer: str | None, fetch_site: str | None, has_bearer: bool
) -> bool:
    """A state-changing request a browser sent on behalf of another site.

    A Bearer header is never added by a browser on its own, so such a request is not forged.
    Otherwise Origin (or, without it, Referer) must name this very host; `Sec-Fetch-Site:
    cross-site` is refused too. A request naming no site at all (curl, scripts) is not a browser's."""
    if method.upper() in SAFE_METHODS or has_bearer:
        return False
    if fetch_site is not None and fetch_site.lower() == "cross-site":
        return True
    claimed = origin if origin is not None else referer
    if claimed is None:
        return False
    site = _site(claimed)
    return site is None or host is None or site != _site(f"//{host}")
