"""How clearly an answer is put, from signals a listener notices (pure).

It leads with the point (the first sentence is about the question), defines its terms ("X is
a...", "X means..."), keeps sentences at a speakable length and has no run-ons. Signposting words
("first", "in short") earn nothing on their own: structure shows in the sentences, not the
connectives. Patterns are data, in both languages (data/clarity.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from interviewer.assessment.text import Sentence, content_stems
from interviewer.catalog.fields import Language, SAFE_LOADER

# Words per sentence that a listener follows without effort, and past which a sentence runs on.
COMFORTABLE_WORDS = (8, 28)
RUN_ON_WORDS = 45
ON_TOPIC_GATE = 3


@dataclass(frozen=True)
class Clarity:
    leads_with_point: bool
    defines_terms: bool
    mean_words: float
    run_ons: int
    quality: float

    def findings(self) -> list[str]:
        if not self.mean_words:
            return ["no sentence explains anything: only lists, headings or the rubric's own labels"]
        found = ["leads with the point" if self.leads_with_point else "does not lead with the point"]
        found.append("defines its terms" if self.defines_terms else "defines no term")
        found.append(f"{self.mean_words:.0f} words per sentence")
        if self.run_ons:
            found.append(f"{self.run_ons} run-on sentence{'s' if self.run_ons > 1 else ''}")
        return found


@cache
def _data() -> dict[str, Any]:
    return yaml.load(resources.files("interviewer.data").joinpath("clarity.yaml").read_text("utf-8"), Loader=SAFE_LOADER)


@cache
def _definitions(language: Language) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _data()["definitions"][language]), re.IGNORECASE)


def _in_english_words(words: float, language: Language) -> float:
    """A length in English words: French says the same in more words, so its lengths are read on
    the English scale the thresholds were set on."""
    return words / float(_data()["words_per_english_word"][language])


def _length_fit(mean_words: float) -> float:
    low, high = COMFORTABLE_WORDS
    if low <= mean_words <= high:
        return 1.0
    return max(0.0, 1 - (low - mean_words) / low) if mean_words < low else max(0.0, 1 - (mean_words - high) / high)


def assess_clarity(explaining: list[Sentence], relevant: frozenset[str], language: Language) -> Clarity:
    """`explaining` are the sentences that say something (no lists, no label echoes)."""
    if not explaining:
        return Clarity(False, False, 0.0, 0, 0.0)
    lengths = [len(s.words) for s in explaining]
    mean_words = sum(lengths) / len(lengths)
    run_ons = sum(_in_english_words(n, language) > RUN_ON_WORDS for n in lengths)
    leads = bool(set(content_stems(explaining[0].text, language)) & relevant)
    defines = any(_definitions(language).search(s.text) for s in explaining)
    quality = 0.35 * leads + 0.25 * defines + 0.4 * _length_fit(_in_english_words(mean_words, language))
    quality *= max(0.0, 1 - run_ons / len(explaining))
    # Well-formed sentences about nothing are not a clear answer; pronouns carry the topic on, so
    # a third of the sentences naming it is enough.
    on_topic = sum(bool(set(content_stems(s.text, language)) & relevant) for s in explaining)
    quality *= min(1.0, ON_TOPIC_GATE * on_topic / len(explaining))
    return Clarity(leads, defines, mean_words, run_ons, quality)
