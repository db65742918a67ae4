"""What the browser tests share besides fixtures: the browser's launch, screenshots, page helpers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from interviewer.ops.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Never a browser download: Debian's Chromium, headless, with nothing phoning home.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Saved as a test artefact (test-artifacts/browser/), to be looked at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def chat_screenshot(page: Any, name: str) -> Path:
    """The chat as the candidate sees it: scrolled to the answer box, the sticky status bar on top."""
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    return screenshot(page, name, full_page=False)


def interviewer_turns(page: Any) -> Any:
    return page.locator("#transcript li.interviewer")


def wait_until(page: Any, expression: str, arg: Any = None, *, timeout_s: float = 20.0) -> None:
    """Until `expression` (or the function it is, called with `arg`) is true in the page.

    Not `page.wait_for_function`: its polling evaluates a string, which the pages' CSP (no
    unsafe-eval) rightly refuses; `page.evaluate` goes through the debugger protocol instead."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"still false after {timeout_s} s: {expression}"
        page.wait_for_timeout(50)


def wait_for_reply(page: Any, count: int) -> None:
    """Until the transcript holds `count` interviewer turns and none is still streaming."""
    wait_until(
        page,
        "n => document.querySelectorAll('#transcript li.interviewer').length >= n"
        " && document.getElementById('transcript').getAttribute('aria-busy') !== 'true'",
        count,
    )


def last_question(page: Any) -> dict[str, Any]:
    """The interviewer's last turn as the scripted candidates read it (tests/support/interviews.py)."""
    last = interviewer_turns(page).last
    return {"question_id": last.get_attribute("data-question-id") or None, "language": last.get_attribute("data-language")}


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
