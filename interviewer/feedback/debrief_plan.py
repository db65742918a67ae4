"""The debrief's practice plan: the worst round's weakest question and competency first, then the
weakest of every round, with what a strong answer covers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from interviewer.feedback.debrief_model import Competency, PlanItem, RoundInput, answer_on, question_score
from interviewer.feedback.debrief_text import text
from interviewer.feedback.report import quote_of

# A question or criterion below this score has room to grow: it goes into the plan.
WEAK_BELOW = 4.0
PLAN_MAX = 8
PLAN_QUESTIONS_PER_ROUND = 3


def _and(items: Sequence[str], language: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {text(language, 'and')} {items[-1]}"


def _question_item(index: int, r: RoundInput, question: Mapping[str, Any], score: float | None, language: str) -> PlanItem:
    missing = list(question.get("missing_key_points") or [])
    why = text(language, "question_why", score=score, round=r.name) if score is not None else text(language, "unanswered_why", round=r.name)
    points = question.get("key_points") or []
    if missing and score is not None:
        # Every key point missing is said once, not listed twice: the strong answer lists them.
        why += " " + (text(language, "none_covered") if len(missing) == len(points) else text(language, "question_missing", points="; ".join(missing)))
    answer = answer_on(r, question["question_id"])
    return PlanItem(
        kind="question", persona_id=r.persona_id, round_index=index, round=r.name, question_id=question["question_id"],
        title=question["question"], score=score, why=why,
        # What a strong answer covers: the rubric's key points, the missing ones first.
        strong_answer=missing + [p for p in question.get("key_points") or [] if p not in missing],
        quote=quote_of(answer.text, answer.language) if answer else None,
    )


def _competency_item(competency: Competency, rounds: Sequence[RoundInput], language: str) -> PlanItem:
    """A competency to work on: its merged score, named after the rounds that scored it; what the
    next level asks for, from the round where it was weakest."""
    scored = [c for c in competency.rounds if c.score is not None]
    weakest = min(scored, key=lambda c: c.score or 0.0)
    criterion = next(c for c in (rounds[weakest.round_index].report or {}).get("criteria") or [] if c["id"] == weakest.criterion_id)
    strong = [text(language, "next_level", level=criterion["level"] + 1, anchor=criterion["next_anchor"])] if criterion.get("next_anchor") else []
    return PlanItem(
        kind="criterion", persona_id=weakest.persona_id, round_index=weakest.round_index, round=weakest.round, criterion_id=weakest.criterion_id, title=competency.name,
        score=competency.score, strong_answer=strong,
        why=text(language, "criterion_why", criterion=competency.name, score=competency.score, rounds=_and([c.round for c in scored], language)),
    )


def _weak_questions(index: int, r: RoundInput, language: str) -> list[PlanItem]:
    items = [
        _question_item(index, r, q, question_score(q), language)
        for q in (r.report or {}).get("questions") or []
        # An answer nobody scored is not assessed, not weak: only scored or unanswered questions count.
        if not q["answered"] or (score := question_score(q)) is not None and score < WEAK_BELOW
    ]
    # Weakest first; an unanswered question is as weak as the lowest score.
    return sorted(items, key=_weakness)


def _weakness(item: PlanItem) -> tuple[float, bool]:
    return (item.score if item.score is not None else 1.0, item.kind != "question")


def practice_plan(rounds: Sequence[RoundInput], merged: Sequence[Competency], language: str) -> list[PlanItem]:
    """The worst round's weakest question and competency first, then the weakest of every round."""
    # Rounds are told apart by their position: a loop may hold the same persona more than once.
    scored = [i for i, r in enumerate(rounds) if (r.report or {}).get("overall", {}).get("score") is not None]
    if not scored:
        return []
    weak_competencies = [
        c for c in merged
        if c.score is not None and c.score < WEAK_BELOW and any(r.round_index in scored for r in c.rounds if r.score is not None)
    ]
    competency_items = {c.key: _competency_item(c, rounds, language) for c in weak_competencies}
    worst_index = min(scored, key=lambda i: rounds[i].report["overall"]["score"])  # type: ignore[index]
    worst = rounds[worst_index]
    note = text(language, "worst_round", round=worst.name, score=worst.report["overall"]["score"])  # type: ignore[index]
    head: list[PlanItem] = []
    question = next(iter(_weak_questions(worst_index, worst, language)), None)
    if question is not None:
        head.append(_with_note(question, note))
    # The competency the worst round scored lowest, merged with the other rounds' scores of it.
    in_worst = [(r.score, c.key) for c in weak_competencies for r in c.rounds if r.round_index == worst_index and r.score is not None]
    if in_worst:
        key = min(in_worst)[1]
        head.append(_with_note(competency_items.pop(key), note))
    chosen = {(i.round_index, i.question_id) for i in head if i.kind == "question"}
    # A few questions per round, so one bad round does not hide the others' weak points.
    rest = [
        i for index in scored
        for i in [q for q in _weak_questions(index, rounds[index], language) if (q.round_index, q.question_id) not in chosen][: PLAN_QUESTIONS_PER_ROUND - (index == worst_index)]
    ]
    rest += list(competency_items.values())
    return (head + sorted(rest, key=_weakness))[:PLAN_MAX]


def _with_note(item: PlanItem, note: str) -> PlanItem:
    return item.model_copy(update={"why": f"{note} {item.why}"})
