"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from interviewer.catalog import Language


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


class SessionSummary(BaseModel):
    id: str
    persona_id: str
    language: str
    status: str
    created_at: datetime
    ended_at: datetime | None


class AnswerOut(BaseModel):
    answer: TurnOut
    reply: TurnOut
    status: str


class ErrorOut(BaseModel):
    detail: str
