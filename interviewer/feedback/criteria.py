"""Per-criterion results across a session's questions, and the highlights a report opens with:
each criterion's best and weakest moment, with the candidate's own words."""

from __future__ import annotations

from collections.abc import Mapping

from interviewer.catalog.rubrics import Rubric
from interviewer.feedback import lessons
from interviewer.feedback.schema import CriterionResult, Highlight, QuestionResult, QuestionScore


# A criterion is a strength when one of its answers reached this level.
STRENGTH_FROM = 4


def criteria_results(rubric: Rubric, questions: list[QuestionResult]) -> list[CriterionResult]:
    results: list[CriterionResult] = []
    for criterion in rubric.criteria:
        weighted = [(q.minutes, s.calibrated_score or s.score) for q in questions for s in q.scores if s.criterion_id == criterion.id]
        if not weighted:
            continue
        score = sum(m * s for m, s in weighted) / sum(m for m, _ in weighted)
        level = max(1, min(5, round(score)))
        results.append(
            CriterionResult(
                id=criterion.id,
                name=criterion.name,
                weight=criterion.weight,
                score=round(score, 2),
                level=level,
                anchor=criterion.levels[level],
                next_anchor=criterion.levels[level + 1] if level < 5 else None,
                questions=len(weighted),
            )
        )
    return results


def scored_in(questions: list[QuestionResult], criterion_id: str) -> list[tuple[QuestionResult, QuestionScore]]:
    return [(q, s) for q in questions for s in q.scores if s.criterion_id == criterion_id]


def highlights(
    rubric: Rubric, criteria: list[CriterionResult], questions: list[QuestionResult], facts: Mapping[str, lessons.ThreadFacts]
) -> tuple[list[Highlight], list[Highlight]]:
    """Up to 3 strengths (criteria with a moment at level STRENGTH_FROM or above, best aggregate
    first, quoting that moment) and 3 improvements (criteria with a moment below level 5, those
    not already strengths first, quoting the weakest moment); quotes spread over the questions."""
    used: set[str] = set()
    quoted: set[str] = set()

    def highlight(c: CriterionResult, q: QuestionResult, s: QuestionScore, note: str, missing: list[str]) -> Highlight:
        used.add(q.question_id)
        # The score's own evidence first, then each answer of the thread: a different quote when there is one.
        options = [*s.evidence, *(a.quote for a in facts[q.question_id].answers)]
        quote = next((o for o in options if o not in quoted), options[0])
        quoted.add(quote)
        return Highlight(
            criterion_id=c.id, criterion=c.name, score=c.score, question_id=q.question_id, question=q.question,
            quote=quote, note=note, missing_key_points=missing,
        )

    def best(c: CriterionResult) -> tuple[QuestionResult, QuestionScore]:
        return max(
            scored_in(questions, c.id),
            key=lambda qs: (qs[1].score, qs[0].question_id not in used, bool(qs[1].evidence), qs[0].minutes),
        )

    def worst(c: CriterionResult) -> tuple[QuestionResult, QuestionScore]:
        return min(
            scored_in(questions, c.id),
            key=lambda qs: (qs[1].score, qs[0].question_id in used, -len(qs[0].missing_key_points), -qs[0].minutes),
        )

    strengths: list[Highlight] = []
    for c in sorted(criteria, key=lambda c: (-c.score, -c.weight)):
        q, s = best(c)
        if s.score >= STRENGTH_FROM and len(strengths) < 3:
            strengths.append(highlight(c, q, s, f"{s.rationale} The rubric's target for level {s.score}: {s.anchor}", []))
    listed = {h.criterion_id for h in strengths}
    improvements: list[Highlight] = []
    for c in sorted(criteria, key=lambda c: (c.id in listed, worst(c)[1].score, c.score, -c.weight)):
        q, s = worst(c)
        if s.score < 5 and len(improvements) < 3:
            next_anchor = rubric.criterion(c.id).levels[s.score + 1]
            note = f"{s.rationale} Level {s.score + 1} asks for: {next_anchor}"
            improvements.append(highlight(c, q, s, note, q.missing_key_points))
    return strengths, improvements
