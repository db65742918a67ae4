"""A sentence that recites the rubric: strung word for word from the question's own key-point
labels and phrases, it repeats what the rubric looks for and says nothing about it. Such a
sentence earns no credit, as a list does not ("repeating the rubric's key-point labels earns
nothing").

A sentence recites when nearly all its words lie inside verbatim rubric strings and it is an
enumeration of them (three items or more); so do three bullet lines or more in a row, each one a
rubric string. Phrases are what candidates do say, and a label can be a plain fact ("F1 is their
harmonic mean"): a clause or two that say them are not a recital."""

from __future__ import annotations

import re
from functools import lru_cache

from interviewer.assessment.text import Sentence, words
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import KeyPoint

# Share of a sentence's words, joiners aside, inside rubric strings from which it recites them.
RECITED_SHARE = 0.9
# Items of an enumeration of rubric strings, or bullet lines in a row.
MIN_ITEMS = 3
# Words that join recited items without saying anything about them.
_JOINERS = frozenset({"and", "or", "et", "ou"})
_ITEM_SEPARATOR = re.compile(r"[,;/|•·:]|\s[-–]\s")
_BULLET = ("-", "*", "•", "–")

Words = tuple[str, ...]


@lru_cache(maxsize=256)
def _strings(points: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, tuple[Words, ...]]:
    """The rubric's strings (each key point's label and phrases) by their first word, longest first."""
    every = {tuple(words(label)) for label, _ in points} | {tuple(words(text)) for _, phrases in points for text in phrases}
    by_first: dict[str, list[Words]] = {}
    for string in sorted((s for s in every if s), key=len, reverse=True):
        by_first.setdefault(string[0], []).append(string)
    return {first: tuple(found) for first, found in by_first.items()}


def _covered(sentence: Sentence, by_first: dict[str, tuple[Words, ...]]) -> bool:
    """Nearly all the sentence's words lie inside verbatim rubric strings."""
    said = words(sentence.text)
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
    or one per bullet line, three lines or more in a row."""
    if not points:
        return set()
    by_first = _strings(tuple((p.label, tuple(p.phrases(language))) for p in points))
    covered = [_covered(s, by_first) for s in found]
    reciting = {
        i for i, s in enumerate(found)
        if covered[i] and len([piece for piece in _ITEM_SEPARATOR.split(s.text) if words(piece)]) >= MIN_ITEMS
    }
    run: list[int] = []
    for i, s in enumerate([*found, None]):
        if s is not None and s.text.startswith(_BULLET) and covered[i]:
            run.append(i)
            continue
        if len(run) >= MIN_ITEMS:
            reciting.update(run)
        run = []
    return reciting
