"""Where a phrase's word is reversed by its opposite, and where it is not: another form of the word
beside it, or the opposite standing only as a comparison."""

from __future__ import annotations

import pytest

from interviewer.assessment.reversal import compared, may_be_reversed, reversed_stems
from interviewer.assessment.text import phrase, sentences


def test_an_opposite_standing_for_a_word_reverses_it_unless_the_phrase_holds_both() -> None:
    [sentence] = sentences("Regularisation decreases the bias.", "en")
    p = phrase("increases the bias", "en")
    assert may_be_reversed(p, sentence, "en")
    assert reversed_stems(p.required, p.required & sentence.all_stems, sentence.all_stems, "en") == p.required - sentence.all_stems
    # "min and max": an opposite that is part of the phrase itself reverses nothing.
    both = phrase("min and max", "en")
    assert reversed_stems(both.required, frozenset(), frozenset(both.required), "en") == set()


def test_another_form_of_the_word_beside_its_opposite_reverses_nothing() -> None:
    [sentence] = sentences("Maximum likelihood is minimising the negative log-likelihood.", "en")
    p = phrase("maximising the likelihood", "en")
    assert not reversed_stems(p.required, p.required & sentence.all_stems, sentence.all_stems, "en")


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "compared_only"),
    [
        ("fr", "REINFORCE a une variance plus faible.", "forte variance", True),
        ("fr", "REINFORCE a une variance faible.", "forte variance", False),  # the level itself
        ("fr", "Le modèle a une variance plus élevée.", "variance plus faible", False),  # a comparison against a comparison
    ],
)
def test_an_opposite_standing_only_as_a_comparison(language: str, text: str, key_phrase: str, compared_only: bool) -> None:
    [sentence] = sentences(text, language)  # type: ignore[arg-type]
    p = phrase(key_phrase, language)  # type: ignore[arg-type]
    swapped = reversed_stems(p.required, p.required & sentence.all_stems, sentence.all_stems, language)  # type: ignore[arg-type]
    assert swapped and all(compared(r, p, sentence, 0, len(sentence.words), language) == compared_only for r in swapped)  # type: ignore[arg-type]

