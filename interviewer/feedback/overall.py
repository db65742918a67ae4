"""The overall score of a round: the criteria's scores weighted by the rubric, then held down by
the answers that stated a mistake, where the rubric says a wrong explanation cannot be made up for
by how clearly it is put (`mistake_cap`). Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping

from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.schema import CriterionResult, QuestionResult


def weighted(scores: Mapping[str, float], rubric: Rubric) -> float | None:
    """Scores by criterion id, weighted by the rubric's weights; None when none is given."""
    weights = {c.id: c.weight for c in rubric.criteria if c.id in scores}
    total = sum(weights.values())
    return sum(scores[c] * w for c, w in weights.items()) / total if total else None


def capped(score: float, *, stated_mistake: bool, rubric: Rubric) -> float:
    """One answer's overall: at most the rubric's mistake cap when the answer stated a mistake."""
    if stated_mistake and rubric.mistake_cap is not None:
        return min(score, rubric.mistake_cap)
    return score


def question_overall(question: QuestionResult, rubric: Rubric) -> float | None:
    return weighted({s.criterion_id: s.calibrated_score or s.score for s in question.scores}, rubric)


def overall_score(rubric: Rubric, questions: list[QuestionResult], criteria: list[CriterionResult]) -> tuple[float | None, str | None]:
    """The round's overall and, when answers that stated a mistake held it down, why.

    An answer the offline scorer's learned reader doubted (`doubt`) counts as one that stated a
    mistake. Each such answer counts at most `mistake_cap`: the overall loses what the answer scored above
    the cap, in proportion to the answer's share of the round's planned minutes. A round of one
    wrong answer therefore scores at most the cap; one wrong answer in ten costs a tenth of it."""
    mean = weighted({c.id: c.score for c in criteria}, rubric)
    if mean is None:
        return None, None
    scored = [q for q in questions if q.scores]
    minutes = sum(q.minutes for q in scored)
    lost, held = 0.0, 0
    for q in scored:
        own = question_overall(q, rubric)
        if not (q.corrections or q.doubt) or own is None or minutes <= 0:
            continue
        above = own - capped(own, stated_mistake=True, rubric=rubric)
        if above > 0:
            lost += q.minutes / minutes * above
            held += 1
    if not held:
        return round(mean, 2), None
    score = round(max(1.0, mean - lost), 2)
    answers = "an answer" if held == 1 else f"{held} answers"
    return score, (
        f"Held at {score:.2f} from {mean:.2f}: {answers} stated a mistake (quoted under the question) "
        "or read as wrong to the offline scorer's learned reader, "
        f"and in this round an answer that does counts at most {rubric.mistake_cap:g} out of 5, "
        "however clearly it is put."
    )
