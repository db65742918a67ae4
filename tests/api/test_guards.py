"""The pure request checks: which writes a browser sent on another site's behalf, which ids no
database can hold."""

from __future__ import annotations

import pytest

from interviewer.api.guards import declared_size, has_bad_characters, is_cross_site_write


def cross_site(**given: object) -> bool:
    request: dict[str, object] = {
        "method": "POST", "host": "interviews.example:8000", "origin": None, "referer": None, "fetch_site": None, "has_bearer": False,
    }
    return is_cross_site_write(**{**request, **given})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "refused"),
    [
        ({"origin": "http://interviews.example:8000"}, False),
        ({"origin": "https://interviews.example:8000"}, False),  # TLS ended at a proxy: same host
        ({"origin": "https://interviews.example", "host": "interviews.example"}, False),
        ({"origin": "https://interviews.example:443", "host": "interviews.example"}, False),
        ({"origin": "http://[::1]:8000", "host": "[::1]:8000"}, False),
        ({"origin": "https://evil.example"}, True),
        ({"origin": "http://interviews.example:9000"}, True),
        ({"origin": "http://interviews.example.evil.example:8000"}, True),
        ({"origin": "null"}, True),
        ({"referer": "http://interviews.example:8000/sessions/abc/report"}, False),
        ({"referer": "https://evil.example/page"}, True),
        ({"origin": "https://evil.example", "referer": "http://interviews.example:8000/"}, True),  # Origin wins
        ({"fetch_site": "cross-site"}, True),
        ({"fetch_site": "same-origin", "origin": "http://interviews.example:8000"}, False),
        ({}, False),  # curl and scripts name no site
        ({"origin": "https://evil.example", "has_bearer": True}, False),  # a browser never adds Authorization itself
        ({"origin": "https://evil.example", "method": "GET"}, False),
        ({"origin": "https://evil.example", "method": "DELETE"}, True),
        ({"origin": "https://evil.example", "host": None}, True),
    ],
)
def test_a_write_from_another_site_is_recognised(given: dict[str, object], refused: bool) -> None:
    assert cross_site(**given) is refused


@pytest.mark.parametrize(("text", "bad"), [("0123abcd", False), ("café-θ", False), ("a\x00b", True), ("a\nb", True), ("\x7f", True), ("\udc80", True)])
def test_characters_no_id_can_hold(text: str, bad: bool) -> None:
    assert has_bad_characters(text) is bad


@pytest.mark.parametrize(("header", "size"), [(None, 0), ("", 0), ("123", 123), ("-5", 0), ("12abc", 0)])
def test_the_declared_body_size(header: str | None, size: int) -> None:
    assert declared_size(header) == size
