"""A sentence strung from the rubric's own labels and phrases earns nothing; a sentence that uses
one of them to say something does."""

from __future__ import annotations

import pytest

from interviewer.assessment.recital import recited
from interviewer.assessment.text import LIST_MARKER, sentences
from interviewer.catalog.rubrics import KeyPoint

POINTS = [
    KeyPoint(label="too large overshoots the minimum", en=["overshoots", "diverges"], fr=["dépasse le minimum", "diverge"]),
    KeyPoint(label="too small converges slowly", en=["converges slowly", "takes more time"], fr=["converge lentement", "prend plus de temps"]),
    KeyPoint(label="remedies such as warm-up and schedules", en=["warmup", "schedule"], fr=["warmup", "planification"]),
]


def recited_texts(text: str, language: str) -> list[str]:
    found = sentences(text, language)
    return [found[i].text for i in sorted(recited(found, POINTS, language))]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Overshoots, converges slowly, warmup."),
        ("fr", "Dépasse le minimum ; prend plus de temps ; planification."),
        # The labels themselves, the rubric author's own wording, strung together.
        ("en", "Too large overshoots the minimum, too small converges slowly, remedies such as warm-up and schedules."),
        ("fr", "too large overshoots the minimum, too small converges slowly, planification"),
    ],
)
def test_a_sentence_strung_from_the_rubric_recites_it(language: str, text: str) -> None:
    assert recited_texts(text, language) == [text]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "- too large overshoots the minimum\n- takes more time\n- schedule"),
        ("fr", "- dépasse le minimum\n- prend plus de temps\n- planification"),
    ],
)
def test_bullet_lines_of_rubric_phrases_recite_it(language: str, text: str) -> None:
    assert recited_texts(text, language) == text.split("\n")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Numbered, one per line, as sentences, joined by "and", or after a lead-in.
        ("en", "1. too large overshoots the minimum\n2. too small converges slowly\n3. schedule"),
        ("fr", "dépasse le minimum\nprend plus de temps\nplanification"),
        ("en", "Too large overshoots the minimum. Too small converges slowly. Remedies such as warm-up and schedules."),
        ("en", "Too large overshoots the minimum and too small converges slowly and warmup."),
        ("fr", "Les points clés sont : dépasse le minimum, prend plus de temps, planification."),
    ],
)
def test_the_rubric_recited_in_other_list_forms(language: str, text: str) -> None:
    # A number cut off as a sentence of its own ("1.") is not part of what is recited.
    said = [s.text for s in sentences(text, language) if not LIST_MARKER.fullmatch(s.text)]  # type: ignore[arg-type]
    assert said and recited_texts(text, language) == said


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A clause that says something with the rubric's words, or one label stated as a plain fact.
        ("en", "With a rate that is too large the loss overshoots and diverges, so I use a warmup."),
        ("fr", "Avec un pas trop grand, la perte dépasse le minimum et diverge, donc j'ajoute un warmup."),
        ("en", "Too small converges slowly."),
        # Two facts said in the rubric's words are not yet an enumeration of them.
        ("en", "Too large overshoots the minimum, too small converges slowly."),
        ("en", "Too large overshoots the minimum. Too small converges slowly. I would start from 3e-4 and tune it."),
        ("fr", "Un pas trop petit converge lentement, et prend plus de temps."),
    ],
)
def test_a_sentence_that_uses_the_rubric_words_to_say_something_is_not_a_recital(language: str, text: str) -> None:
    assert recited_texts(text, language) == []
