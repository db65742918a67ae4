"""The debrief's inputs (each round's report and answers, the handoff notes), its shape (rounds,
consistency signals, merged competencies, practice plan), and how a round's scores are read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from interviewer.catalog.fields import Language
from interviewer.feedback.debrief_text import text


RoundStatus = Literal["not_started", "active", "ended"]


LoopStatus = Literal["not_started", "in_progress", "done"]


@dataclass(frozen=True)
class Answer:
    """One candidate answer of a round, verbatim."""

    question_id: str
    text: str
    language: Language


@dataclass(frozen=True)
class RoundInput:
    persona_id: str
    name: str
    session_id: str | None
    status: RoundStatus
    # The round's report as JSON (report.Report.model_dump(mode="json")); None before it started.
    report: Mapping[str, Any] | None = None
    answers: Sequence[Answer] = ()


@dataclass(frozen=True)
class NoteInput:
    id: int
    session_id: str
    persona_id: str
    kind: str
    text: str
    criterion_id: str | None = None
    question_id: str | None = None
    topic: str | None = None
    quote: str | None = None
    # The questions of later rounds this note led to: (session id, question id).
    used_by: Sequence[tuple[str, str]] = field(default_factory=tuple)


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QuestionSummary(Part):
    question_id: str
    question: str
    answered: bool
    score: float | None  # mean of the question's final criterion scores; None when nothing was scored


class RoundSummary(Part):
    persona_id: str
    name: str
    session_id: str | None
    status: RoundStatus
    score: float | None
    band: str | None
    band_label: str | None
    complete: bool
    questions: list[QuestionSummary]


class Quote(Part):
    persona_id: str
    # Position of the round in the loop: a loop may hold the same persona more than once.
    round_index: int
    round: str
    question_id: str | None
    text: str


class Signal(Part):
    # claim_asked: a later round asked about the claim, but its answer did not name it: no verdict.
    kind: Literal["figures_differ", "claim_not_confirmed", "claim_confirmed", "claim_not_checked", "claim_asked"]
    about: str
    text: str
    rounds: list[str]
    round_indexes: list[int]
    quotes: list[Quote]


class CompetencyRound(Part):
    persona_id: str
    round_index: int
    round: str
    criterion_id: str
    criterion: str
    score: float | None
    not_assessed: str | None = None


class Competency(Part):
    key: str
    name: str
    shared: bool  # assessed by the rubrics of more than one round
    score: float | None
    rounds: list[CompetencyRound]


class PlanItem(Part):
    kind: Literal["question", "criterion"]
    persona_id: str
    round_index: int
    round: str
    question_id: str | None = None
    criterion_id: str | None = None
    title: str
    score: float | None
    why: str
    strong_answer: list[str]
    quote: str | None = None


class Debrief(Part):
    disclaimer: str
    loop_id: str
    language: str
    status: LoopStatus
    complete: bool
    partial: str | None
    rounds: list[RoundSummary]
    consistency: list[Signal]
    competencies: list[Competency]
    practice_plan: list[PlanItem]


def question_score(question: Mapping[str, Any]) -> float | None:
    scores = [s["score"] for s in question.get("scores") or []]
    return round(sum(scores) / len(scores), 2) if scores else None


def scored_questions(r: RoundInput) -> dict[str, tuple[Mapping[str, Any], float]]:
    return {
        q["question_id"]: (q, score)
        for q in (r.report or {}).get("questions") or []
        if (score := question_score(q)) is not None
    }


def answer_on(r: RoundInput, question_id: str) -> Answer | None:
    return next((a for a in r.answers if a.question_id == question_id), None)
