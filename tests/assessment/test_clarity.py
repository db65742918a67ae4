"""Clarity comes from what a listener notices, never from signposting words alone."""

from __future__ import annotations

import pytest

from interviewer.assessment.clarity import assess_clarity
from interviewer.assessment.text import content_stems, sentences

QUESTION = "What is overfitting?"


def clarity(text: str, language: str = "en") -> float:
    found = [s for s in sentences(text, language) if not s.is_list]  # type: ignore[arg-type]
    return assess_clarity(found, frozenset(content_stems(QUESTION + " overfitting surapprentissage", language)), language).quality  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "clear", "signposts"),
    [
        (
            "en",
            "Overfitting is the situation where a model fits the noise of its training data. It shows as a low training error with a high validation error. We fight it with more data, regularisation or early stopping.",
            "First, in short, to summarise, finally, then, secondly, in conclusion, overall, so basically, you know, first of all, to begin with and then to end with the last point, which is the final point of all the points, in short.",
        ),
        (
            "fr",
            "Le surapprentissage est la situation où un modèle apprend le bruit de ses données d'entraînement. On le voit à une erreur d'entraînement faible et une erreur de validation élevée. On le combat avec plus de données, de la régularisation ou un arrêt précoce.",
            "D'abord, bref, pour résumer, enfin, ensuite, deuxièmement, en conclusion, globalement, donc en gros, tu vois, tout d'abord, pour commencer et puis pour finir avec le dernier point, qui est le point final de tous les points, bref.",
        ),
    ],
)
def test_a_clear_answer_beats_a_string_of_signposts(language: str, clear: str, signposts: str) -> None:
    assert clarity(clear, language) >= 0.75
    assert clarity(signposts, language) < 0.35


def test_french_takes_more_words_to_say_the_same_and_is_no_less_clear() -> None:
    # 42 words in English, 51 in its French translation: one long sentence in both, a run-on in neither
    english = (
        "Overfitting is when a model learns the noise of its training data instead of the pattern underneath, so it does well on "
        "the examples it has seen and badly on new ones, which shows in a validation error above the training error."
    )
    french = (
        "Le surapprentissage, c'est quand un modèle apprend le bruit de ses données d'entraînement au lieu de la structure sous-jacente, "
        "si bien qu'il réussit sur les exemples déjà vus et mal sur les nouveaux, ce qui se voit à une erreur de validation au-dessus "
        "de l'erreur d'entraînement."
    )
    assert clarity(french, "fr") == pytest.approx(clarity(english, "en"), abs=0.05)
    found = [s for s in sentences(french, "fr") if not s.is_list]
    reading = assess_clarity(found, frozenset(content_stems("surapprentissage", "fr")), "fr")
    # the report gives the words as counted, not rescaled
    assert (reading.run_ons, reading.findings()[-1]) == (0, "51 words per sentence")
