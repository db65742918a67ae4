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
