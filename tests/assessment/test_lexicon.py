"""A mistake listed in English is caught in a French answer that says it in other French words, or
mixes in the English terms, through the bilingual lexicon; denied, scattered or negated renderings
are not."""

from __future__ import annotations

import pytest

from interviewer.assessment import lexicon
from interviewer.assessment.content import measure
from interviewer.catalog.fields import Localized
from interviewer.catalog.rubrics import KeyPoint, Misconception

POINTS = [KeyPoint(label="SGD estimates the gradient on a mini-batch", en=["mini-batch"], fr=["mini-batch"])]
# The French wordings are narrower than the English ones, as written rubrics often are.
MISCONCEPTIONS = [
    Misconception(
        en=["a constant learning rate converges exactly"], fr=["un pas fixe converge exactement"],
        correction=Localized(en="With a constant learning rate SGD keeps bouncing around the minimum.", fr="Avec un taux constant, SGD oscille autour du minimum."),
    ),
    Misconception(
        en=["no need to scale the features"], fr=["la normalisation est inutile"],
        correction=Localized(en="Distances need features on one scale.", fr="Les distances demandent des variables à la même échelle."),
    ),
]


def mistakes(text: str, language: str = "fr") -> list[str]:
    m = measure(text, question_text="SGD?", key_points=POINTS, reference_answer=None, language=language, misconceptions=MISCONCEPTIONS)  # type: ignore[arg-type]
    return [f.correction for f in m.misconceptions]


@pytest.mark.parametrize(
    "text",
    [
        "On tire un mini-batch à chaque pas. La SGD converge exactement vers le minimum avec un taux d'apprentissage constant.",
        # French answers keep the English term: the same mistake.
        "On tire un mini-batch à chaque pas. La SGD converge exactement vers le minimum avec un learning rate constant.",
    ],
)
def test_a_mistake_listed_in_english_is_caught_in_french_words_with_the_french_correction(text: str) -> None:
    assert mistakes(text) == ["Avec un taux constant, SGD oscille autour du minimum."]


def test_the_english_answer_with_the_same_mistake_is_caught_alike() -> None:
    english = "We draw a mini-batch at each step. SGD converges exactly to the minimum with a constant learning rate."
    assert mistakes(english, "en") == ["With a constant learning rate SGD keeps bouncing around the minimum."]


def test_the_mistake_denied_in_french_is_not_stated() -> None:
    text = "On tire un mini-batch à chaque pas. La SGD ne converge pas exactement avec un taux d'apprentissage constant : elle oscille."
    assert mistakes(text) == []


def test_an_english_phrase_keeps_its_own_negation_in_french() -> None:
    # "no need to scale the features" is a negative claim: « pas besoin » states it, « il faut » does not.
    assert mistakes("Pour les k plus proches voisins, il n'y a pas besoin de mettre les variables à l'échelle.") == [
        "Les distances demandent des variables à la même échelle."
    ]
    assert mistakes("Pour les k plus proches voisins, il faut mettre les variables à l'échelle avant tout.") == []


def test_words_scattered_over_a_long_clause_are_not_the_phrase() -> None:
    text = (
        "Le taux initial se règle avec soin sur une grille puis la perte devient presque constante au fil des nombreuses "
        "itérations sur des données bruitées qui convergent exactement."
    )
    assert mistakes(text) == []


def test_a_rendering_with_a_negation_is_not_taken_for_the_word() -> None:
    # "unbiased" said « sans biais » would otherwise read as "biased".
    assert lexicon._way("sans biais") == frozenset()
    assert lexicon._way("taux d'apprentissage") == frozenset({"taux", "apprentissag"})


def test_a_phrase_of_fewer_than_three_words_is_not_read_through_the_lexicon() -> None:
    from interviewer.assessment.text import sentences

    [sentence] = sentences("Dans un réseau profond, ReLU limite fortement ce problème.", "fr")
    assert lexicon.crossed("relu is bounded", sentence) is None
