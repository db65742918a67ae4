"""A sentence that recites the rubric: strung word for word from the question's own key-point
labels and phrases, it repeats what the rubric looks for and says nothing about it. Such a
sentence earns no credit, as a list does not ("repeating the rubric's key-point labels earns
nothing").

A sentence recites when nearly all its words lie inside verbatim rubric strings (after a list
marker, or after a lead-in ending in a colon: "The key points are: ...") and it is an
enumeration of them (three items or more, joined by commas, "and" or "or"); so do three
sentences or lines or more in a row that each are one rubric string. Phrases are what candidates
do say, and a label can be a plain fact ("F1 is their harmonic mean"): a clause or two that say
them are not a recital."""

from __future__ import annotations

import re
from functools import lru_cache

from interviewer.assessment.text import ITEM_SEPARATOR, LIST_MARKER, Sentence, in_runs, words
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import KeyPoint

# Share of a sentence's words, joiners aside, inside rubric strings from which it recites them.
RECITED_SHARE = 0.9
# Items of an enumeration of rubric strings, or sentences in a row.
MIN_ITEMS = 3
# Words that join recited items without saying anything about them.
_JOINERS = frozenset({"and", "or", "et", "ou"})
_ITEM_SEPARATOR = re.compile(rf"{ITEM_SEPARATOR}|\s(?:and|or|et|ou)\s", re.IGNORECASE)

Words = tuple[str, ...]


@lru_cache(maxsize=256)
def _strings(points: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[Words, ...]]:
    """The rubric's strings (each key point's label and phrases) by their first word, longest first."""
    every = {tuple(words(label)) for label, _ in points} | {tuple(words(text)) for _, phrases in points for text in phrases}
    by_first: dict[str, list[Words]] = {}
    for string in sorted((s for s in every if s), key=len, reverse=True):
        by_first.setdefault(string[0], []).append(string)
    return {first: tuple(found) for first, found in by_first.items()}


def _readings(sentence: Sentence) -> list[str]:
    """What the sentence says past a list marker; and, when it has one, past a lead-in before a
    colon (a label may hold a colon too: "says why: difficulty or learning")."""
    text = LIST_MARKER.sub("", sentence.text, count=1)
    after = text.split(":", 1)[1] if ":" in text else ""
    return [text, after] if words(after) else [text]


def _covered(text: str, by_first: dict[str, tuple[Words, ...]]) -> bool:
    """Nearly all the text's words lie inside verbatim rubric strings."""
    said = words(text)
    covered = [False] * len(said)
    for start, word in enumerate(said):
        for string in by_first.get(word, ()):
            if tuple(said[start : start + len(string)]) == string:
                covered[start : start + len(string)] = [True] * len(string)
                break
    counted = [c for w, c in zip(said, covered, strict=True) if w not in _JOINERS]
    return bool(counted) and sum(counted) >= RECITED_SHARE * len(counted)


def recited(found: list[Sentence], points: list[KeyPoint], language: Language) -> set[int]:
    """The sentences that are the rubric's own labels or phrases strung together: in one sentence,
    or one per sentence or line, three or more in a row."""
    if not points:
        return set()
    by_first = _strings(tuple((p.label, tuple(p.phrases(language))) for p in points))
    # Per sentence, the first reading that lies in the rubric's strings, or None.
    said = [next((text for text in _readings(s) if _covered(text, by_first)), None) for s in found]
    enumerations = {
        i for i, text in enumerate(said)
        if text is not None and len([piece for piece in _ITEM_SEPARATOR.split(text) if words(piece)]) >= MIN_ITEMS
    }
    # An item's number cut off as a sentence of its own ("1.") neither counts nor ends a run.
    numbers = [bool(LIST_MARKER.fullmatch(s.text)) for s in found]
    return enumerations | in_runs([text is not None for text in said], MIN_ITEMS, passable=numbers)
