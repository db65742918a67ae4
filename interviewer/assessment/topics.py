"""A question whose subject the candidate chooses ("present an algorithm you know well"): which of
the rubric's topics an answer presents, and how the parts of a presentation and the facts of its
topic make one content value (pure)."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

import yaml

from interviewer.assessment import polarity
from interviewer.assessment.text import Sentence, tokens
from interviewer.catalog.fields import Language, SAFE_LOADER
from interviewer.catalog.rubrics import Topic

# A name is the subject of its clause when it starts within this many words of the clause's start
# ("the random forest is ..."), or comes this close after a word that announces it ("I will
# present the random forest").
SUBJECT_WITHIN = 3


def topic_named(found: list[Sentence], topics: list[Topic], language: Language) -> Topic | None:
    """The topic an answer presents: in the first sentence that has one, the topic announced ("so
    I will present the random forest"), else the one that is the subject of a clause ("unlike
    linear regression, logistic regression is ..."); failing that, the one named most often, at
    least twice, outside comparisons. None otherwise: an algorithm named once in passing, or only
    compared with, is not the one presented."""
    names = _names_by_first_word(topics, language)
    counts: dict[int, int] = {}
    for sentence in found:
        mentions = []
        for start, end, order in dict.fromkeys(_named(sentence.words, names)):
            rank = _rank(sentence, start, language)
            if rank is not None:
                # Ties go to the longer name ("convolutional neural network" over "neural network").
                mentions.append((rank, start, start - end, order))
            if rank != 2:
                counts[order] = counts.get(order, 0) + 1
        subjects = [m for m in mentions if m[0] < 2]
        if subjects:
            return topics[min(subjects)[3]]
    if not counts:
        return None
    most = max(counts.values())
    leaders = [order for order, n in counts.items() if n == most]
    return topics[leaders[0]] if most >= 2 and len(leaders) == 1 else None


def _rank(sentence: Sentence, start: int, language: Language) -> int | None:
    """0 for a name just after a word that announces it, 1 for the subject of a clause, 2 for a
    name in a comparison, None for a name in passing (the object of another subject)."""
    window = tuple(_base(w) for w in sentence.words[max(0, start - SUBJECT_WITHIN) : start])
    if any(_spans(cue, window) for cue in _announcing(language)):
        return 0
    clause = next((c for c in polarity.clauses(sentence, language) if c.start <= start < c.end), None)
    if clause is None or clause.compares:
        return 2
    return 1 if start - clause.start <= SUBJECT_WITHIN else None


NameIndex = dict[str, list[tuple[tuple[str, ...], int]]]
# A rubric's topic list (held by the catalog or a session's snapshot) -> its names by first word.
_indexes: dict[tuple[int, Language], tuple[list[Topic], NameIndex]] = {}
_indexes_lock = threading.Lock()
INDEXES_KEPT = 64


def _names_by_first_word(topics: list[Topic], language: Language) -> NameIndex:
    """Every name of every topic (with the topic's order), by its first word: a sentence is then
    read once, a lookup per word, instead of once per name (34 topics have about 300 names)."""
    key = (id(topics), language)
    held = _indexes.get(key)
    if held is not None and held[0] is topics:
        return held[1]
    index: NameIndex = {}
    for order, topic in enumerate(topics):
        for name in topic.all_names(language):
            name_words = _name_tokens(name)
            if name_words:
                index.setdefault(name_words[0], []).append((name_words, order))
    with _indexes_lock:
        if len(_indexes) >= INDEXES_KEPT:
            _indexes.clear()  # topic lists are a handful per process: this only bounds a leak
        _indexes[key] = (topics, index)  # the list is held, so its id is not reused while indexed
    return index


def _named(words: tuple[str, ...], names: NameIndex) -> list[tuple[int, int, int]]:
    """(start, end, topic order) of each name standing in `words`, plurals allowed."""
    bases = [_base(w) for w in words]
    found: list[tuple[int, int, int]] = []
    for i, base in enumerate(bases):
        for name_words, order in names.get(base, ()):
            n = len(name_words)
            if tuple(bases[i : i + n]) == name_words:
                found.append((i, i + n, order))
    return found


def _spans(name: tuple[str, ...], words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the name's words stand together in the sentence, plurals allowed ("random forests")."""
    n = len(name)
    if not n:
        return []
    return [(i, i + n) for i in range(len(words) - n + 1) if all(_base(words[i + k]) == name[k] for k in range(n))]


@cache
def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(_base(t) for t in tokens(name))


def _base(word: str) -> str:
    # A plural is the same name: "forests", "réseaux" (only long words: "svms", not "gans" from "gan").
    if len(word) > 3 and word.endswith(("s", "x")):
        return word[:-1]
    return word


@cache
def _announcing(language: Language) -> frozenset[tuple[str, ...]]:
    text = resources.files("interviewer.data").joinpath("topics.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)
    # An elided last word ("parler d'") is a token only before a word: tokenise it before one.
    return frozenset(
        tuple(_base(w) for w in (tokens(item + "x")[:-1] if item.endswith("'") else tokens(item))) for item in data[language]
    )


def presentation_value(*, parts: float, facts: float) -> float:
    """The facts of what it presents carry the value; the parts of a presentation it covers raise
    it, but never without the facts: a fluent wrong answer has every part and earns nothing."""
    facts = max(0.0, facts)
    return max(facts, (max(0.0, parts) * facts) ** 0.5)
