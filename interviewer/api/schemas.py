"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interviewer.catalog.fields import Language


class Strict(BaseModel):
    # Unknown fields are refused, so a typo in a field name is an error, not a silent no-op.
    model_config = ConfigDict(extra="forbid")


class PersonaSummary(BaseModel):
    id: str
    name: str
    role: str
    language: Language
    languages: list[Language]
    description: str
    rubric_id: str
    duration_minutes: int


class StageOut(BaseModel):
    id: str
    title: str
    minutes: int
    questions: int


class CriterionOut(BaseModel):
    id: str
    name: str
    description: str
    weight: float
    levels: dict[int, str]


class PersonaDetail(PersonaSummary):
    tone: str
    stages: list[StageOut]
    question_bank_size: int
    criteria: list[CriterionOut]


class SessionCreate(Strict):
    persona_id: str = Field(min_length=1, max_length=64, examples=["technical-ml"])
    language: Language | None = Field(default=None, description="en or fr; defaults to the persona's language")
    job_description: str | None = None
    cv: str | None = None
    takehome: str | None = Field(default=None, description="The take-home write-up, pasted as text")
    mode: Literal["interview", "drill"] = Field(
        default="interview",
        description="interview: the round's own questions; drill: only your questions due for review (scored 2 or lower before), the most overdue first, or your weakest ones when none is due",
    )


class AnswerCreate(Strict):
    content: str = Field(description="The candidate's answer")


class TurnOut(BaseModel):
    seq: int
    role: str
    kind: str
    question_id: str | None
    language: str
    content: str
    created_at: datetime
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: int | None = None
    handoff_note_id: int | None = Field(default=None, description="The earlier round's handoff note that led to this question (loops)")


class ProgressOut(BaseModel):
    stage_id: str | None
    question_number: int
    question_count: int


class PurposeUsageOut(BaseModel):
    model_calls: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None


class UsageOut(BaseModel):
    model_calls: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None = Field(description="null when a model's price is unknown (not zero)")
    latency_ms: int
    by_purpose: dict[str, PurposeUsageOut] = Field(default_factory=dict, description="The same sums per purpose: reply, judge, claims")


class DrillOut(BaseModel):
    nothing_due: bool = Field(description="True when no question was due: the drill offers your weakest questions instead")
    due_count: int = Field(description="Questions of this round due for review now (a drill asks at most 5 of them)")
    question_ids: list[str] = Field(description="What this drill asks, in order: the most overdue (or the weakest) first")
    next_due_at: datetime | None = Field(description="When nothing is due: when the next scheduled question comes due")
    message: str = Field(description="What the interviewer says about it first, in the session's language")


class DrillItemOut(BaseModel):
    persona_id: str
    question_id: str
    question: str = Field(description="The question's text")
    due: bool = Field(description="Due for review now")
    due_at: datetime
    interval_days: int = Field(description="The current interval: 1, 3, 7 or 14 days")
    last_score: float = Field(description="The question's score at its latest review (1-5)")


class SessionOut(BaseModel):
    id: str
    persona_id: str
    rubric_id: str
    language: str
    status: str
    model: str
    created_at: datetime
    ended_at: datetime | None
    progress: ProgressOut
    usage: UsageOut
    turns: list[TurnOut]
    loop_id: str | None = Field(default=None, description="The loop this session is a round of, if any")
    loop_round: int | None = Field(default=None, description="Which round of its loop (0-based)")
    mode: str = Field(default="interview", description="interview or drill")
    drill: DrillOut | None = Field(default=None, description="What a drill asks and why (in the response that starts a drill)")


class SessionSummary(BaseModel):
    id: str
    persona_id: str
    language: str
    status: str
    created_at: datetime
    ended_at: datetime | None
    loop_id: str | None = None
    loop_round: int | None = None
    mode: str = Field(default="interview", description="interview or drill")


class AnswerOut(BaseModel):
    answer: TurnOut
    reply: TurnOut
    status: str


class ErrorOut(BaseModel):
    detail: str
