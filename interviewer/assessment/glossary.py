"""The glossary of the field's terms (data/glossary.yaml): techniques, papers, tools and metrics by
their names in both languages, read by the take-home claims, the mentions of an answer and tailoring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import yaml


@dataclass(frozen=True)
class GlossaryEntry:
    id: str
    name: str
    kind: str
    aliases: list[str]
    definition: str
    key_terms: list[dict[str, list[str]]]
    importance: int

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Compiled once per entry: every turn reads every answer against the whole glossary.
        names = sorted({self.name, *self.aliases}, key=len, reverse=True)
        # Hyphens and spaces are interchangeable in technique names ("fine-tuning", "fine tuning").
        alternatives = [r"[\s-]?".join(re.escape(part) for part in re.split(r"[\s-]+", n)) for n in names]
        # A version suffix still names the model ("Llama-3.2-1B"); a prefix makes another word.
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    text = resources.files("interviewer.data").joinpath("glossary.yaml").read_text("utf-8")
    return tuple(GlossaryEntry(**entry) for entry in yaml.safe_load(text))
