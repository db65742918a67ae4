"""A question whose subject the candidate chooses ("present an algorithm you know well"): which of
the rubric's topics an answer presents, and how the parts of a presentation and the facts of its
topic make one content value (pure)."""

from __future__ import annotations

from interviewer.assessment.text import Phrase, Sentence, phrase
from interviewer.catalog.fields import Language
from interviewer.catalog.rubrics import Topic


def topic_named(found: list[Sentence], topics: list[Topic], language: Language) -> Topic | None:
    """The topic an answer presents: the one it names first (an answer opens with what it presents;
    a name further on is a comparison, "unlike a random forest")."""
    first: tuple[int, int, int] | None = None
    chosen: Topic | None = None
    for order, topic in enumerate(topics):
        names = topic.names.get(language) + (topic.names.get("en") if language != "en" else [])
        for i, sentence in enumerate(found):
            at = [_position(phrase(n, language), sentence) for n in names]
            where = min((a for a in at if a is not None), default=None)
            if where is not None:
                if first is None or (i, where, order) < first:
                    first, chosen = (i, where, order), topic
                break
    return chosen


def _position(p: Phrase, sentence: Sentence) -> int | None:
    """Where in the sentence the phrase starts, if the sentence says it."""
    if not p.found_in(sentence):
        return None
    return min((j for j, stem in enumerate(sentence.word_stems) if stem in p.required), default=0)


def presentation_value(*, parts: float, facts: float) -> float:
    """The facts of what it presents carry the value; the parts of a presentation it covers raise
    it, but never without the facts: a fluent wrong answer has every part and earns nothing."""
    facts = max(0.0, facts)
    return max(facts, (max(0.0, parts) * facts) ** 0.5)
