"""Where a phrase's word is reversed: its opposite stands in the clause instead (data:
`data/opposites.yaml`), unless another form of the word stands beside it, or the opposite stands only
as a comparison (pure; read by polarity and agreement)."""

from __future__ import annotations

from interviewer.assessment.cues import cues, opposites
from interviewer.assessment.text import Phrase, Sentence, tokens
from interviewer.catalog.fields import Language

# Two stems sharing this many first letters are forms of one word ("maximum", "maximis").
KIN_PREFIX = 5


def reversed_stems(required: frozenset[str], direct: frozenset[str], stems: frozenset[str], language: Language) -> set[str]:
    """Parts of the phrase missing from the clause whose opposite stands there instead (an opposite
    that is itself part of the phrase, as in "min and max", is no reversal)."""
    opposite = opposites(language)
    return {r for r in required - direct if (opposite.get(r, frozenset()) - required) & stems and not _kin_in(r, stems)}


def _kin_in(stem: str, stems: frozenset[str]) -> bool:
    """Another form of the word stands in the clause ("maximum" for "maximise"): "maximum likelihood
    is minimising the squared error" relates the two, it reverses nothing."""
    return len(stem) >= KIN_PREFIX and any(s != stem and s[:KIN_PREFIX] == stem[:KIN_PREFIX] for s in stems)


def compared(stem: str, p: Phrase, sentence: Sentence, start: int, end: int, language: Language) -> bool:
    """The word's opposite stands only as a comparison in the clause (words start to end: « une variance
    plus faible ») and the phrase makes none ("high variance"): a difference is claimed, not the
    contrary level."""
    compare, opposite = cues(language).comparatives, opposites(language).get(stem, frozenset())
    at = [i for i in range(start, end) if sentence.word_stems[i] in opposite]
    return compare.isdisjoint(tokens(p.text)) and bool(at) and all(i > 0 and sentence.words[i - 1] in compare for i in at)


def may_be_reversed(p: Phrase, sentence: Sentence, language: Language) -> bool:
    """Cheap test before `phrase_polarity`: part of the phrase is there and another part's opposite."""
    present = p.required & sentence.all_stems
    return bool(present) and bool(reversed_stems(p.required, present, sentence.all_stems, language))
