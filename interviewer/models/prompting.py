"""The prompt templates' environment (models/templates/*.j2) and the one rule for candidate text in
a prompt: it is data, fenced so it can neither close a tag nor pass for a heading of the prompt."""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


LANGUAGE_NAMES: dict[str, str] = {"en": "English", "fr": "French"}


Messages = list[dict[str, str]]


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("interviewer.models", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
        # Templates ship inside the package: no stat() of the file on every render.
        auto_reload=False,
    )


# A Markdown heading at the start of a line ("# Your next move"): the prompt's own structure.
_HEADING = re.compile(r"^([ \t]*)(#+)", re.M)


def as_data(text: str) -> str:
    """Candidate text made inert inside a delimited block: it cannot close or forge a tag, and its
    headings (made full-width) cannot pass for the prompt's own."""
    escaped = text.replace("<", "&lt;").replace(">", "&gt;")
    return _HEADING.sub(lambda m: m.group(1) + "\uff03" * len(m.group(2)), escaped)
