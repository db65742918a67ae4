"""The glossary of the field's terms (data/glossary.yaml): techniques, papers, tools and metrics by
their names in both languages, read by the take-home claims, the mentions of an answer and tailoring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import yaml

from interviewer.catalog.fields import SAFE_LOADER


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
    return tuple(GlossaryEntry(**entry) for entry in yaml.load(text, Loader=SAFE_LOADER))


@cache
def _glossary_keys() -> tuple[tuple[GlossaryEntry, tuple[str, ...] | None], ...]:
    """Per glossary entry, the longest word of each of its names, case-folded: a text that contains
    none of them cannot match the entry's pattern. None (always searched) when a key has a letter
    outside _FOLDS_SAFELY."""
    keyed: list[tuple[GlossaryEntry, tuple[str, ...] | None]] = []
    for entry in glossary():
        keys = [max(re.split(r"[\s-]+", name.strip()), key=len).casefold() for name in {entry.name, *entry.aliases}]
        safe = all(k and all(c.isascii() or c in _FOLDS_SAFELY for c in k) for k in keys)
        keyed.append((entry, tuple(keys) if safe else None))
    return tuple(keyed)


# French letters whose every re.IGNORECASE match case-folds to the letter itself (checked over all of Unicode).
_FOLDS_SAFELY = frozenset("àâäçéèêëîïôöùûüÿœæ")


def folded(text: str) -> str:
    """The text case-folded as re.IGNORECASE compares it."""
    # What re.IGNORECASE matches to an ASCII letter folds to it here too: K (Kelvin), ſ, İ and ı.
    return text.casefold().replace("i\u0307", "i").replace("ı", "i")


# Keys are looked up by their first three letters: a text holds a few hundred such trigrams, the
# glossary ~900 keys, so a turn checks only the keys that can be there.
_GRAM = 3


@cache
def _glossary_index() -> tuple[tuple[GlossaryEntry, ...], dict[str, tuple[tuple[str, tuple[int, ...]], ...]], frozenset[int]]:
    """The entries; each distinct key with the entries it may reveal, by the key's first trigram
    (a shorter key is its own); and the entries always searched."""
    entries = tuple(entry for entry, _ in _glossary_keys())
    by_key: dict[str, list[int]] = {}
    always: set[int] = set()
    for i, (_, keys) in enumerate(_glossary_keys()):
        if keys is None:
            always.add(i)
        for key in keys or ():
            by_key.setdefault(key, []).append(i)
    by_gram: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
    for key, found in by_key.items():
        by_gram.setdefault(key[:_GRAM], []).append((key, tuple(found)))
    return entries, {gram: tuple(keys) for gram, keys in by_gram.items()}, frozenset(always)


@cache
def _short_grams() -> tuple[str, ...]:
    return tuple(g for g in _glossary_index()[1] if len(g) < _GRAM)


def _candidates(text: str) -> list[GlossaryEntry]:
    """The entries whose pattern may match `text`, in glossary order: the literal pre-check skips
    most of the ~300 patterns (this runs on every answer)."""
    entries, by_gram, always = _glossary_index()
    text_folded = folded(text)
    hits = set(always)
    # The text's trigrams met with the keys' first trigrams: half the time of looking for each of
    # the ~500 in the text. A key shorter than a trigram is its own, looked for directly.
    present = {text_folded[i : i + _GRAM] for i in range(len(text_folded) - _GRAM + 1)}
    grams = [g for g in _short_grams() if g in text_folded] + list(present & by_gram.keys())
    for gram in grams:
        for key, found in by_gram[gram]:
            if key in text_folded:
                hits.update(found)
    return [entries[i] for i in sorted(hits)]


def glossary_entries_in(text: str) -> list[GlossaryEntry]:
    """The glossary entries the text names."""
    return [entry for entry in _candidates(text) if entry.pattern.search(text)]


def glossary_terms_in(text: str) -> list[tuple[int, str]]:
    """Where the text names glossary entries: (offset, the words it used), one per entry."""
    found: list[tuple[int, str]] = []
    for entry in _candidates(text):
        match = entry.pattern.search(text)
        if match:
            found.append((match.start(), match.group(0)))
    return found
