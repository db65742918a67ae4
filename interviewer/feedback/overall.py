"""The overall score of a round: the criteria's scores weighted by the rubric, then held down by
the answers that are not right, where the rubric says a wrong explanation cannot be made up for
by how clearly it is put (`mistake_cap`). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping

from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.schema import CriterionResult, QuestionResult

# An answer scored at most this on every criterion that judges what it says has said too little
# that is right: a fluent wrong answer whose mistake no rule could quote lands here too.
FELL_SHORT = 2


def weighted(scores: Mapping[str, float], rubric: Rubric) -> float | None:
    """Scores by criterion id, weighted by the rubric's weights; None when none is given."""
    weights = {c.id: c.weight for c in rubric.criteria if c.id in scores}
    total = sum(weights.values())
    return sum(scores[c] * w for c, w in weights.items()) / total if total else None


def capped(score: float, *, held: bool, rubric: Rubric) -> float:
    """One answer's overall: at most the rubric's mistake cap when the answer is held (it stated a
    mistake, was doubted, or fell short)."""
    if held and rubric.mistake_cap is not None:
        return min(score, rubric.mistake_cap)
    return score


def question_overall(question: QuestionResult, rubric: Rubric) -> float | None:
    return weighted({s.criterion_id: s.calibrated_score or s.score for s in question.scores}, rubric)


def fell_short(question: QuestionResult, rubric: Rubric) -> bool:
    """The answer scored at most FELL_SHORT, as the report shows it, on every content criterion it
    was scored on: those that judge what is said (`offline: content`), not how it is put. With a
    judge model too, so a criterion the offline scorer leaves out (trade-offs) does not count."""
    content = {c.id for c in rubric.criteria if c.offline == "content"}
    scores = [s.score for s in question.scores if s.criterion_id in content]
    return bool(scores) and max(scores) <= FELL_SHORT


def _held_reasons(mistaken: int, short: int) -> str:
    def answers(n: int) -> str:
        return "an answer" if n == 1 else f"{n} answers"

    reasons = []
    if mistaken:
        reasons.append(f"{answers(mistaken)} stated a mistake (quoted under the question) or read as wrong to the offline scorer's learned reader")
    if short:
        reasons.append(f"{answers(short)} scored {FELL_SHORT} or less on every criterion that judges what is said")
    return " and ".join(reasons)


def overall_score(rubric: Rubric, questions: list[QuestionResult], criteria: list[CriterionResult]) -> tuple[float | None, str | None]:
    """The round's overall and, when answers that are not right held it down, why.

    An answer that stated a mistake, that the offline scorer's learned reader doubted (`doubt`),
    or that scored at most FELL_SHORT on every content criterion counts at most `mistake_cap`: the
    overall loses what the answer scored above the cap, in proportion to the answer's share of the
    round's planned minutes. A round of one wrong answer therefore scores at most the cap; one
    wrong answer in ten costs a tenth of it."""
    mean = weighted({c.id: c.score for c in criteria}, rubric)
    if mean is None:
        return None, None
    scored = [q for q in questions if q.scores]
    minutes = sum(q.minutes for q in scored)
    lost, mistaken, short = 0.0, 0, 0
    for q in scored:
        own = question_overall(q, rubric)
        wrong = bool(q.corrections or q.doubt)
        if not (wrong or fell_short(q, rubric)) or own is None or minutes <= 0:
            continue
        above = own - capped(own, held=True, rubric=rubric)
        if above > 0:
            lost += q.minutes / minutes * above
            mistaken += wrong
            short += not wrong
    # A hold too small to show (one answer just above the cap in a long round) is not applied.
    if lost < 0.005:
        return round(mean, 2), None
    score = round(max(1.0, mean - lost), 2)
    return score, (
        f"Held at {score:.2f} from {mean:.2f}: {_held_reasons(mistaken, short)}, "
        f"and in this round such an answer counts at most {rubric.mistake_cap:g} out of 5, "
        "however clearly it is put."
    )
