"""Whether a reference's claim and an answer's agree."""

from __future__ import annotations

import pytest

from interviewer.assessment.agreement import claims_disagree
from interviewer.assessment.polarity import clauses
from interviewer.assessment.text import sentences


@pytest.mark.parametrize(
    ("language", "reference", "answer", "disagree"),
    [
        ("en", "Oil is less dense than corn syrup.", "Corn syrup is more dense than oil.", False),
        ("en", "Oil is less dense than corn syrup.", "Corn syrup is less dense than oil.", True),
        ("en", "Oil is less dense than corn syrup.", "Oil is more dense than corn syrup.", True),
        ("en", "Oil is less dense than corn syrup.", "Oil is less dense than the corn syrup.", False),
        ("fr", "L'huile est moins dense que le sirop.", "Le sirop est plus dense que l'huile.", False),
        ("fr", "L'huile est moins dense que le sirop.", "Le sirop est moins dense que l'huile.", True),
        ("fr", "L'huile est moins dense que le sirop.", "L'huile est plus dense que le sirop.", True),
    ],
)
def test_a_comparison_with_its_terms_the_other_way_round(language: str, reference: str, answer: str, disagree: bool) -> None:
    """"B is more dense than A" restates "A is less dense than B"; "B is less dense than A" denies it."""
    r, a = sentences(reference, language)[0], sentences(answer, language)[0]
    assert claims_disagree(clauses(r, language)[0], clauses(a, language)[0], language) is disagree
