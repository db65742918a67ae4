"""How focused an answer is: the share of its words in sentences on the question's topic (by their
words, or in meaning with the embedding model), less repetition; the sentences read as off topic
are kept, to be named in the rationale."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from interviewer.assessment import semantic
from interviewer.assessment.text import Sentence, content_stems
from interviewer.catalog.fields import Language

# A sentence is on topic when this share of its content words (and at least one) is relevant.
ON_TOPIC_SHARE = 0.25


# ... or when it is this similar in meaning to the question, a key point or the reference.
ON_TOPIC_SIMILARITY = 0.35


@dataclass(frozen=True)
class Focus:
    """1.0 for a dense, non-repetitive answer; lower for filler, repetition and rambling, which
    are kept to be named: the sentences read as off topic, and whether words or sentences repeat."""

    value: float
    off_topic: list[Sentence]
    repetitive: bool


def focus_of(
    answer_tokens: list[str], relevant: set[str], found: list[Sentence], language: Language, anchors: list[str]
) -> Focus:
    """How much of the answer bears on the question (its relevant stems, or in meaning its anchors)."""
    if not answer_tokens:
        return Focus(0.0, list(found), False)
    counts = Counter(answer_tokens)
    # Tokens beyond a word's third use are repetition, not information.
    repeated = sum(max(0, c - 3) for c in counts.values()) / len(answer_tokens)
    distinct_sentences = len({s.text.lower() for s in found}) / max(1, len(found))
    # Words spent in sentences that say nothing about the question dilute the answer.
    on_topic_words = total_words = 0
    lexical_misses: list[Sentence] = []
    for s in found:
        own = content_stems(s.text, language)
        total_words += len(s.words)
        if own and sum(t in relevant for t in own) >= max(1, ON_TOPIC_SHARE * len(own)):
            on_topic_words += len(s.words)
        else:
            lexical_misses.append(s)
    # A paraphrase shares no word with the question but is on topic all the same (only the
    # sentences the words missed are embedded: the model is the costly part).
    similar = semantic.similarities([s.text for s in lexical_misses], anchors) if anchors and lexical_misses else None
    off_topic: list[Sentence] = []
    for s, row in zip(lexical_misses, similar or [[] for _ in lexical_misses], strict=True):
        if row and max(row) >= ON_TOPIC_SIMILARITY:
            on_topic_words += len(s.words)
        else:
            off_topic.append(s)
    density = (on_topic_words / total_words) ** 0.5 if total_words else 0.0
    value = max(0.0, min(1.0, density * distinct_sentences * (1.0 - repeated)))
    return Focus(value, off_topic, repeated > 0 or distinct_sentences < 1)
