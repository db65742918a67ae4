"""Where a phrase's word is reversed by its opposite, and where it is not: another form of the word
beside it, or the opposite standing only as a comparison."""

from __future__ import annotations

import pytest

from interviewer.assessment.polarity import phrase_polarity
from interviewer.assessment.reversal import may_be_reversed, reversed_stems
from interviewer.assessment.text import phrase, sentences


def polarity(text: str, key_phrase: str, language: str = "en") -> str | None:
    [sentence] = sentences(text, language)  # type: ignore[arg-type]
    return phrase_polarity(phrase(key_phrase, language), sentence, language)  # type: ignore[arg-type]


def test_an_opposite_standing_for_a_word_reverses_it_unless_the_phrase_holds_both() -> None:
    [sentence] = sentences("Regularisation decreases the bias.", "en")
    p = phrase("increases the bias", "en")
    assert may_be_reversed(p, sentence, "en")
    assert reversed_stems(p.required, p.required & sentence.all_stems, sentence.all_stems, "en") == p.required - sentence.all_stems
    # "min and max": an opposite that is part of the phrase itself reverses nothing.
    both = phrase("min and max", "en")
    assert reversed_stems(both.required, frozenset(), frozenset(both.required), "en") == set()


def test_another_form_of_the_word_beside_its_opposite_reverses_nothing() -> None:
    assert polarity("Maximum likelihood is minimising the negative log-likelihood.", "maximising the likelihood") != "contradicted"


@pytest.mark.parametrize(
    ("language", "text", "key_phrase", "expected"),
    [
        # A comparison claims a difference, not the contrary level: the actor-critic's variance is
        # lower than REINFORCE's, which says nothing against REINFORCE's high variance.
        ("fr", "Les méthodes acteur-critique échangent un peu de biais contre une variance beaucoup plus faible.", "forte variance", None),
        ("fr", "REINFORCE a une variance plus faible.", "forte variance", None),
        ("en", "The more different your target domain is, the more layers you can freeze.", "similar domain", None),
        # The level itself is still its contrary, and a comparison still reverses a comparison.
        ("fr", "REINFORCE a une variance faible.", "forte variance", "contradicted"),
        ("en", "REINFORCE has low variance.", "high variance", "contradicted"),
        ("fr", "Le modèle a une variance plus élevée.", "variance plus faible", "contradicted"),
    ],
)
def test_a_comparison_is_not_the_contrary_of_a_level(language: str, text: str, key_phrase: str, expected: str | None) -> None:
    assert polarity(text, key_phrase, language) == expected
