"""The round's overall: a clear delivery does not lift an answer that stated a mistake, or that
scored 2 or less on everything that judges what it says, above the rubric's cap, and the report
says by how much the overall was held down and why."""

from __future__ import annotations

from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.criteria import criteria_results
from interviewer.feedback.overall import capped, overall_score
from interviewer.feedback.schema import Correction, QuestionResult, QuestionScore

from tests.support.factories import make_rubric

# A fluent wrong answer: correctness and depth capped by the quoted mistake, the rest well put.
WRONG = {"correctness": 2, "depth": 2, "trade_offs": 3, "clarity": 5}
RIGHT = {"correctness": 5, "depth": 4, "trade_offs": 4, "clarity": 4}
MISTAKE = Correction(quote="L2 makes the weights exactly zero.", about="L2 drives weights to zero", correction="L2 shrinks weights; L1 zeroes them.")


def question(question_id: str, scores: dict[str, int], *, minutes: float = 5.0, mistake: bool = False) -> QuestionResult:
    return QuestionResult(
        question_id=question_id, stage="core", stage_title="Core", question="Explain it.", minutes=minutes, answered=True,
        answer_excerpt="...", follow_ups=[],
        scores=[QuestionScore(criterion_id=c, criterion=c, score=s, anchor="target", rationale=f"Level {s}.", evidence=[], flagged=False, scored_by="offline")
                for c, s in scores.items()],
        key_points=["a"], covered_key_points=[], missing_key_points=["a"], corrections=[MISTAKE] if mistake else [],
        reference_answer=None, source=None,
    )


def overall(rubric: Rubric, questions: list[QuestionResult]) -> tuple[float | None, str | None]:
    return overall_score(rubric, questions, criteria_results(rubric, questions))


def test_one_wrong_answer_scores_at_most_the_cap_however_clearly_it_is_put() -> None:
    rubric = make_rubric(mistake_cap=2.4)
    score, held = overall(rubric, [question("q-1", WRONG, mistake=True)])
    assert score == 2.4
    # The weighted mean it was held from (0.4*2 + 0.2*2 + 0.2*3 + 0.2*5 = 2.8) and the reason are said.
    assert held is not None and "2.80" in held and "stated a mistake" in held and "2.4" in held


def test_a_rubric_without_a_cap_keeps_the_weighted_mean() -> None:
    score, held = overall(make_rubric(), [question("q-1", WRONG, mistake=True)])
    assert score == 2.8 and held is None


def delivery_rubric() -> Rubric:
    """The mini rubric with clarity judged on how things are said, as in the technical round."""
    base = make_rubric(mistake_cap=2.4)
    criteria = [c.model_copy(update={"offline": "clarity"}) if c.id == "clarity" else c for c in base.criteria]
    return base.model_copy(update={"criteria": criteria})


def test_an_answer_that_says_too_little_that_is_right_is_held_like_a_wrong_one() -> None:
    # No mistake quoted (none was found), but 2 or less on every criterion that judges what is said:
    # a clear delivery does not lift it out of the cap.
    score, held = overall(delivery_rubric(), [question("q-1", {"correctness": 2, "depth": 2, "trade_offs": 2, "clarity": 5})])
    assert score == 2.4
    assert held is not None and "2.60" in held and "2 or less on every criterion that judges what is said" in held
    assert "stated a mistake" not in held


def test_an_answer_with_no_mistake_and_some_content_is_never_held_down() -> None:
    # One content criterion above 2: the weighted mean stands, however low.
    score, held = overall(delivery_rubric(), [question("q-1", {"correctness": 3, "depth": 2, "trade_offs": 2, "clarity": 5})])
    assert score == 3.0 and held is None
    # Without a cap in the rubric nothing is held either.
    plain = delivery_rubric().model_copy(update={"mistake_cap": None})
    assert overall(plain, [question("q-1", {"correctness": 2, "depth": 2, "trade_offs": 2, "clarity": 5})]) == (2.6, None)


def test_both_reasons_are_said_when_both_held_the_round_down() -> None:
    questions = [question("q-1", WRONG, mistake=True), question("q-2", {"correctness": 2, "depth": 2, "trade_offs": 2, "clarity": 5})]
    score, held = overall(delivery_rubric(), questions)
    assert score == 2.4 and held is not None
    assert "an answer stated a mistake" in held and "an answer scored 2 or less" in held


def test_one_wrong_answer_among_several_costs_its_share_of_the_round() -> None:
    rubric = make_rubric(mistake_cap=2.4)
    questions = [question("q-1", WRONG, mistake=True), *(question(f"q-{i}", RIGHT) for i in range(2, 5))]
    score, held = overall(rubric, questions)
    # Mean of the four: (2.8 + 3 * 4.4) / 4 = 4.0; the wrong answer's 0.4 above the cap, for its quarter.
    assert score == 3.9 and held is not None and "an answer stated" in held
    # A longer question weighs more: the same answer on half the round's minutes costs half its excess.
    longer = [question("q-1", WRONG, minutes=15.0, mistake=True), *(question(f"q-{i}", RIGHT) for i in range(2, 5))]
    assert overall(rubric, longer)[0] == round((15 * 2.8 + 15 * 4.4) / 30 - 0.4 / 2, 2)


def test_a_wrong_answer_already_under_the_cap_is_not_lowered_further() -> None:
    rubric = make_rubric(mistake_cap=2.4)
    score, held = overall(rubric, [question("q-1", {"correctness": 1, "depth": 1, "trade_offs": 2, "clarity": 3}, mistake=True)])
    assert score == 1.6 and held is None


def test_one_answer_is_capped_only_when_it_stated_a_mistake() -> None:
    rubric = make_rubric(mistake_cap=2.4)
    assert capped(3.1, held=True, rubric=rubric) == 2.4
    assert capped(3.1, held=False, rubric=rubric) == 3.1
    assert capped(3.1, held=True, rubric=make_rubric()) == 3.1


def test_an_answer_the_learned_reader_doubted_is_held_like_one_that_stated_a_mistake() -> None:
    rubric = make_rubric(mistake_cap=2.4)
    doubted = question("q-1", WRONG).model_copy(update={"doubt": "A reader trained on graded answers gives this answer a 6% chance ..."})
    score, held = overall(rubric, [doubted])
    assert score == 2.4 and held is not None and "learned reader" in held


def test_a_hold_too_small_to_show_is_not_reported() -> None:
    # One answer 0.04 above the cap in a round of 21 equal questions: it would cost 0.002.
    just_above = question("q-1", {"correctness": 2, "depth": 2, "trade_offs": 2, "clarity": 4})
    just_above.scores[3].calibrated_score = 4.2
    questions = [just_above, *(question(f"q-{i}", RIGHT) for i in range(2, 22))]
    score, held = overall(delivery_rubric(), questions)
    assert held is None
    assert score == overall(delivery_rubric().model_copy(update={"mistake_cap": None}), questions)[0]


def test_the_scores_the_report_shows_decide_whether_an_answer_fell_short() -> None:
    # A judge's calibrated 2.4 is shown as 2: the answer fell short by what the candidate reads.
    shown_two = question("q-1", {"correctness": 2, "depth": 2, "trade_offs": 2, "clarity": 5})
    shown_two.scores[0].calibrated_score = 2.4
    assert overall(delivery_rubric(), [shown_two])[1] is not None
