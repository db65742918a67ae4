"""Lexical analysis shared by the offline scorer: sentences, tokens, stems, phrase matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import snowballstemmer

from interviewer.catalog import Language

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")
# A sentence ends at . ! ? or a line break; decimals like 0.5 are not sentence ends.
_SENTENCE = re.compile(r"[^.!?\n]*(?:\.(?!\d)|[!?]+|\n|$)")
# The pseudo-cue that any numeral satisfies: concrete results are numbers.
NUMBER_CUE = "#number"


@cache
def _stemmer(language: Language) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english" if language == "en" else "french")


@cache
def stop_words(language: Language) -> frozenset[str]:
    # Small function-word lists: packaged lists (stop-words) also drop domain words like "research".
    text = resources.files("interviewer.data").joinpath(f"stopwords_{language}.txt").read_text("utf-8")
    return frozenset(text.split())


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def stems(tokens: list[str], language: Language) -> list[str]:
    stemmer = _stemmer(language)
    return [stemmer.stemWord(t.strip("'")) for t in tokens]


def content_stems(text: str, language: Language) -> list[str]:
    """Stems of the words that carry meaning (function words removed), in order, with repeats."""
    stop = stop_words(language)
    return stems([w for w in words(text) if w not in stop and len(w) > 1], language)


@dataclass(frozen=True)
class Sentence:
    text: str
    all_stems: frozenset[str]
    has_number: bool


@dataclass(frozen=True)
class Phrase:
    """A cue or key-point phrase reduced to the stems that must all occur in one sentence."""

    text: str
    required: frozenset[str]

    def found_in(self, sentence: Sentence) -> bool:
        if self.text == NUMBER_CUE:
            return sentence.has_number
        return bool(self.required) and self.required <= sentence.all_stems


@cache
def phrase(text: str, language: Language) -> Phrase:
    content = content_stems(text, language)
    # A phrase made only of function words ("on the other hand" minus "hand") keeps all its words.
    required = content if content else stems(words(text), language)
    return Phrase(text=text, required=frozenset(required))


def sentences(text: str, language: Language) -> list[Sentence]:
    found: list[Sentence] = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0).strip()
        if not words(raw):
            continue
        found.append(
            Sentence(
                text=raw,
                all_stems=frozenset(stems(words(raw), language)),
                has_number=bool(_NUMBER.search(raw)),
            )
        )
    return found
