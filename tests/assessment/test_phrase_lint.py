"""A rubric author is told which phrases the offline scorer reads as less than they say."""

from __future__ import annotations

from interviewer.assessment.phrase_lint import phrase_warnings, reference_warnings
from tests.support.factories import make_persona, make_rubric


def _rubric_with(misconception_en: list[str], misconception_fr: list[str]) -> object:
    rubric = make_rubric()
    key = rubric.questions["q-backprop"].model_dump()
    key["misconceptions"] = [{
        "en": misconception_en, "fr": misconception_fr,
        "correction": {"en": "Back-propagation is exact.", "fr": "La rétropropagation est exacte."},
    }]
    return rubric.model_copy(update={"questions": {"q-backprop": type(rubric.questions["q-backprop"]).model_validate(key)}})


def test_a_mistake_read_from_one_word_and_a_number_read_as_nothing_are_reported() -> None:
    rubric = _rubric_with(["cooperate with each other", "auc of 0.3 is useless"], ["coopèrent entre eux", "une auc de 0,3 est inutile"])
    warnings = phrase_warnings(rubric)  # type: ignore[arg-type]
    assert any("'cooperate with each other': a mistake read from one word (cooper)" in w for w in warnings)
    assert any("'auc of 0.3 is useless': 0, 3 not read" in w for w in warnings)
    assert any(".fr 'une auc de 0,3 est inutile': 0, 3 not read" in w for w in warnings)


def test_phrases_read_in_full_raise_nothing() -> None:
    rubric = _rubric_with(["finds the global optimum"], ["trouve l'optimum global"])
    assert phrase_warnings(rubric) == []  # type: ignore[arg-type]


def test_a_reference_answer_the_scorer_reads_as_wrong_is_reported() -> None:
    # The reference is true by construction: a key point it seems to deny is a misreading that
    # would call a candidate saying the same wrong.
    persona = make_persona()
    rubric = make_rubric()
    denied = rubric.questions["q-backprop"].model_copy(update={
        "reference_answer": "Back-propagation computes the gradients in a backward pass; it does not need the chain rule.",
    })
    misread = reference_warnings(persona, rubric.model_copy(update={"questions": {"q-backprop": denied}}))
    assert len(misread) == 1
    assert misread[0].startswith("questions.q-backprop.reference_answer: ") and "contradicting 'chain rule'" in misread[0]
    # The shipped reference says what its key points say: nothing to report.
    assert reference_warnings(persona, rubric) == []
