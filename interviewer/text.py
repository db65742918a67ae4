"""Lexical analysis shared by the offline scorer: sentences, tokens, stems, phrase matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import snowballstemmer

from interviewer.catalog import Language

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_NUMBER = re.compile(r"\d")
# A sentence ends at . ! ? followed by a space or the end (so 0.5 and 1.7B are not ends), or at a
# line break; "et al.", "e.g." and the like do not end one.
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]»”]*(?=\s|$)|\n")
_ABBREVIATION = re.compile(r"(?:\b(?:et al|e\.g|i\.e|vs|cf|etc|fig|eq|dr|mr|mrs|ms|approx|resp|p|pp|no|cf)\.)$", re.IGNORECASE)
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


@lru_cache(maxsize=100_000)
def _stem(token: str, language: Language) -> str:
    # The pure-Python stemmer dominates scoring time, and answers reuse a small vocabulary.
    return _stemmer(language).stemWord(token)


def stems(tokens: list[str], language: Language) -> list[str]:
    return [_stem(t.strip("'"), language) for t in tokens]


def content_stems(text: str, language: Language) -> list[str]:
    """Stems of the words that carry meaning (function words removed), in order, with repeats."""
    stop = stop_words(language)
    return stems([w for w in words(text) if w not in stop and len(w) > 1], language)


# A long sentence with few function words is a list of terms, not an explanation of them.
LIST_MIN_WORDS = 20
LIST_FUNCTION_SHARE = 0.35


@dataclass(frozen=True)
class Sentence:
    text: str
    all_stems: frozenset[str]
    has_number: bool
    is_list: bool


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


def _spans(text: str) -> list[str]:
    """The text cut into sentences; each piece is an exact substring of the text."""
    pieces: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if end.group(0) != "\n" and _ABBREVIATION.search(text[start : end.end()]):
            continue
        pieces.append(text[start : end.end()])
        start = end.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def sentences(text: str, language: Language) -> list[Sentence]:
    stop = stop_words(language)
    found: list[Sentence] = []
    for raw in _spans(text):
        tokens = words(raw)
        if not tokens:
            continue
        function_share = sum(t in stop for t in tokens) / len(tokens)
        found.append(
            Sentence(
                text=raw,
                all_stems=frozenset(stems(tokens, language)),
                has_number=bool(_NUMBER.search(raw)),
                is_list=len(tokens) >= LIST_MIN_WORDS and function_share < LIST_FUNCTION_SHARE,
            )
        )
    return found
