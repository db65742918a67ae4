"""A question whose subject the candidate chooses ("present an algorithm you know well"): which of
the rubric's topics an answer presents, and how the parts of a presentation and the facts of its
topic make one content value (pure)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from interviewer.assessment import polarity
from interviewer.assessment.text import Phrase, Sentence, phrase, stems
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import Topic


def topic_named(found: list[Sentence], topics: list[Topic], language: Language) -> Topic | None:
    """The topic an answer presents: the one named after a word that announces it ("so I will
    present the random forest"), else the one named first outside a comparison ("unlike linear
    regression, logistic regression ..."), else the one named first. An answer opens with what it
    presents; a name further on, or in a comparison, is another subject."""
    mentions: list[tuple[tuple[int, int, int, int], frozenset[str], Topic]] = []
    for order, topic in enumerate(topics):
        names = topic.names.get(language) + (topic.names.get("en") if language != "en" else [])
        for i, sentence in enumerate(found):
            for name in names:
                p = phrase(name, language)
                at = _position(p, sentence)
                if at is not None:
                    mentions.append(((_rank(sentence, at, language), i, at, order), p.required, topic))
    # A name inside a longer one in the same sentence is part of it: "neural network" of
    # "convolutional neural network" names no neural network of its own.
    kept = [
        (key, required, topic) for key, required, topic in mentions
        if not any(other is not topic and k[1] == key[1] and required < longer for k, longer, other in mentions)
    ]
    return min(kept, key=lambda m: m[0])[2] if kept else None


def _rank(sentence: Sentence, at: int, language: Language) -> int:
    """0 for a name announced as the subject, 2 for one in a comparison, 1 otherwise."""
    if any(stem in _announcing(language) for stem in sentence.word_stems[:at]):
        return 0
    clause = next((c for c in polarity.clauses(sentence, language) if c.start <= at < c.end), None)
    return 2 if clause is not None and clause.compares else 1


@cache
def _announcing(language: Language) -> frozenset[str]:
    text = resources.files("interviewer.data").joinpath("topics.yaml").read_text("utf-8")
    return frozenset(stems(yaml.safe_load(text)[language], language))


def _position(p: Phrase, sentence: Sentence) -> int | None:
    """Where in the sentence the phrase is complete (the first place each of its words has come),
    if the sentence says it: "logistic regression" is not at the "regression" of "linear regression"."""
    if not p.found_in(sentence):
        return None
    return max((sentence.word_stems.index(stem) for stem in p.required if stem in sentence.word_stems), default=0)


def presentation_value(*, parts: float, facts: float) -> float:
    """The facts of what it presents carry the value; the parts of a presentation it covers raise
    it, but never without the facts: a fluent wrong answer has every part and earns nothing."""
    facts = max(0.0, facts)
    return max(facts, (max(0.0, parts) * facts) ** 0.5)
