"""A rubric's English misconception phrases read in French answers, word by word through a
bilingual lexicon (`data/lexicon.yaml`). The French wordings of a mistake are written apart from
the English ones and cover less, and French answers mix in English terms ("un learning rate
constant"), so each English phrase also matches a French clause that says every one of its words,
in French or in English, close together (pure, cached)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources

import yaml

from interviewer.assessment.cues import cues
from interviewer.assessment.polarity import clauses, negation_positions, phrase_negated
from interviewer.assessment.text import Phrase, Sentence, content_stems, stems, stop_words, tokens
from interviewer.catalog.fields import SAFE_LOADER

# One English word of a phrase: the ways a French sentence may say it, each a set of French stems.
Slot = tuple[frozenset[str], ...]
# Read through a lexicon, which offers several ways to say each word, a phrase of fewer words
# matches correct answers too often ("relu is bounded" in « ReLU limite ce problème »).
MIN_WORDS = 3
# The words found must stand within this many words per stem, and a little more: French adds
# articles and prepositions, but a claim scattered over a long clause is not the phrase's claim.
SPAN_PER_STEM = 2
SPAN_SLACK = 2


@cache
def entries() -> dict[str, tuple[str, ...]]:
    """Each English word of the rubrics' phrases with the French words and expressions that say it."""
    text = resources.files("interviewer.data").joinpath("lexicon.yaml").read_text("utf-8")
    return {str(word): tuple(str(f) for f in french) for word, french in yaml.load(text, Loader=SAFE_LOADER).items()}


def _way(french: str) -> frozenset[str]:
    # Content words only: a rendering made of function words ("un" for "one") is in every sentence;
    # and none with a negation ("sans biais" for "unbiased"), whose negation the stems would lose.
    if negation_positions(tuple(tokens(french)), "fr"):
        return frozenset()
    return frozenset(content_stems(french, "fr"))


@cache
def slots(english: str) -> tuple[Slot, ...]:
    """For each content word of an English phrase, the French stem sets that can say it; the word
    itself is always one of them, as French answers use English terms."""
    found: list[Slot] = []
    for word in tokens(english):
        word = word.strip("'")
        if word in cues("en").restrictive:
            # "depends only on the test": the restriction is the claim, and a function word the
            # stems would drop (« dépend fortement ... du test » would say it), so not read at all.
            return ()
        if word in stop_words("en"):
            continue
        ways = {frozenset(stems([word], "fr"))} | {_way(f) for f in entries().get(word, ())}
        found.append(tuple(sorted((w for w in ways if w), key=lambda w: (len(w), sorted(w)))))
    return tuple(found)


@cache
def _anchors(english: str) -> tuple[frozenset[str], ...]:
    # Per word, every stem of every way to say it: a sentence with none of them cannot say the word.
    return tuple(frozenset().union(*slot) for slot in slots(english))


def crossed(english: str, sentence: Sentence) -> Phrase | None:
    """The English phrase as one clause of the French sentence says it (the French stems chosen for
    its words), or None when no clause says them all close together."""
    wanted = slots(english)
    # Most phrases miss most sentences: a set test per word first (this runs on every French answer).
    if len(wanted) < MIN_WORDS or any(a.isdisjoint(sentence.all_stems) for a in _anchors(english)):
        return None
    if _chosen(wanted, sentence.all_stems) is None:
        return None
    for clause in clauses(sentence, "fr"):
        chosen = _chosen(wanted, clause.stems)
        if chosen is not None and _close(chosen, sentence.word_stems[clause.start : clause.end]):
            # The English words carry the phrase's own negation ("no need to scale"): read it in English.
            return Phrase(text=english, required=chosen, negated=phrase_negated(english, "en"))
    return None


def _chosen(wanted: tuple[Slot, ...], found: frozenset[str]) -> frozenset[str] | None:
    chosen: set[str] = set()
    for slot in wanted:
        way = next((w for w in slot if w <= found), None)
        if way is None:
            return None
        chosen |= way
    return frozenset(chosen) if len(chosen) >= MIN_WORDS else None


def _close(chosen: frozenset[str], clause_stems: tuple[str, ...]) -> bool:
    """Every chosen stem stands within a span of SPAN_PER_STEM words per stem, plus SPAN_SLACK."""
    last: dict[str, int] = {}
    for i, stem in enumerate(clause_stems):
        if stem in chosen:
            last[stem] = i
            if len(last) == len(chosen) and i - min(last.values()) + 1 <= SPAN_PER_STEM * len(chosen) + SPAN_SLACK:
                return True
    return False


@cache
def _any_anchor(english: tuple[str, ...]) -> frozenset[str]:
    # Each phrase's most telling word, all stems of its ways: a sentence with none says no phrase.
    return frozenset().union(*(min(_anchors(t), key=len) for t in english if len(slots(t)) >= MIN_WORDS))


def readings(english: tuple[str, ...], sentence: Sentence) -> Iterator[Phrase]:
    """The English phrases a French sentence says, each as the French stems it used."""
    if _any_anchor(english).isdisjoint(sentence.all_stems):
        return
    for text in english:
        if (p := crossed(text, sentence)) is not None:
            yield p
