"""SQLModel tables (queries.py reads and writes them). All state lives here, so any worker
can serve any request. SQLite by default, PostgreSQL in production; the same code runs on both.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored and returned in UTC on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp() -> Any:
    return Field(default_factory=now, sa_type=UTCDateTime)


LOCAL_USER = "local"


class User(SQLModel, table=True):
    """Whoever owns sessions: the implicit local user, or a user added with `interviewer users add`."""

    __tablename__ = "app_user"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(unique=True, max_length=100)
    created_at: datetime = _timestamp()


class ApiToken(SQLModel, table=True):
    """An API token, stored as its SHA-256 only: the token itself is shown once, when created."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Snapshot(SQLModel, table=True):
    """A persona or rubric as sessions started with it: its canonical JSON, stored once by its
    SHA-256 however many sessions use it. Kept apart from the session's row: a rubric is close to
    a megabyte, and on SQLite reading the columns stored after it walked every overflow page."""

    hash: str = Field(primary_key=True, max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))


class InterviewSession(SQLModel, table=True):
    __tablename__ = "interview_session"
    # One session per round of a loop: two concurrent "next" never start the same round twice.
    __table_args__ = (UniqueConstraint("loop_id", "loop_round"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    # Every session belongs to a user; another user's session is answered as not found.
    user_id: str = Field(default=LOCAL_USER, foreign_key="app_user.id", ondelete="CASCADE", index=True, max_length=32)
    persona_id: str = Field(index=True, max_length=64)
    rubric_id: str = Field(max_length=64)
    language: str = Field(max_length=8)
    status: str = Field(default="active", max_length=16)
    model: str = Field(max_length=200)
    # The persona and rubric as they were when the session started (rows of `snapshot`, by their
    # SHA-256): editing YAML never changes a past report.
    persona_hash: str = Field(foreign_key="snapshot.hash", max_length=64)
    rubric_hash: str = Field(foreign_key="snapshot.hash", max_length=64)
    plan: list[str] = Field(sa_column=Column(JSON, nullable=False))
    job_description: str | None = Field(default=None, sa_column=Column(Text))
    cv: str | None = Field(default=None, sa_column=Column(Text))
    takehome: str | None = Field(default=None, sa_column=Column(Text))
    # Claims extracted from the take-home, probed as questions of this session.
    claims: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The loop this session is a round of (issue 18), and which round (0-based); None outside a loop.
    loop_id: str | None = Field(default=None, foreign_key="loop.id", ondelete="SET NULL", index=True, max_length=32)
    loop_round: int | None = None
    # interview (the round's own plan) or drill (the questions due for review, issue 18).
    mode: str = Field(default="interview", max_length=16)
    created_at: datetime = _timestamp()
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Turn(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("session_id", "seq"),
        UniqueConstraint("session_id", "idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", index=True, max_length=32)
    seq: int
    role: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    question_id: str | None = Field(default=None, max_length=64)
    criterion_id: str | None = Field(default=None, max_length=64)
    probe_id: str | None = Field(default=None, max_length=80)
    language: str = Field(max_length=8)
    content: str = Field(sa_column=Column(Text, nullable=False))
    idempotency_key: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: int | None = None
    # The handoff note of an earlier round that led to this question (issue 18), if one did.
    handoff_note_id: int | None = Field(default=None, foreign_key="handoffnote.id", ondelete="SET NULL")
    created_at: datetime = _timestamp()


class AnswerScore(SQLModel, table=True):
    __tablename__ = "answer_score"
    __table_args__ = (UniqueConstraint("turn_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", index=True, max_length=32)
    turn_id: int = Field(foreign_key="turn.id", ondelete="CASCADE", index=True)
    question_id: str = Field(max_length=64)
    criterion_id: str = Field(max_length=64)
    score: int = Field(ge=1, le=5)
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    evidence: list[str] = Field(sa_column=Column(JSON, nullable=False))
    flagged: bool = False
    model: str = Field(max_length=200)
    # judge or offline; offline with a reason when the judge could not score it (re-judged later).
    scored_by: str = Field(default="judge", max_length=16)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    # The judge's probability-weighted or sample-averaged score, of which `score` is the rounding.
    exact_score: float | None = None
    # Spread (standard deviation) of the score over the judge's samples, when it sampled more than once.
    spread: float | None = None
    # False when the answer held no evidence either way: not assessed, which is not a low score.
    assessed: bool = True
    created_at: datetime = _timestamp()


class JudgeCall(SQLModel, table=True):
    """One model call other than a reply (judging an answer, reading the take-home's claims): what it
    cost (replies are accounted on their turn)."""

    __tablename__ = "judge_call"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", index=True, max_length=32)
    # None for a call made for the whole session (the take-home's claims).
    turn_id: int | None = Field(default=None, foreign_key="turn.id", ondelete="CASCADE")
    # judge, claims, ...: what the call was for, as in /metrics.
    purpose: str = Field(default="judge", max_length=32)
    # What a judge call found beyond scores: key points covered and misconceptions, each with its quote.
    findings: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    model: str = Field(max_length=200)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: int | None = None
    created_at: datetime = _timestamp()


class Report(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # One stored report per session, rewritten when the report is built again.
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", unique=True, max_length=32)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # What the report was built from (turns, scores, status, history): unchanged inputs, no rebuild.
    inputs: str | None = Field(default=None, max_length=200)
    created_at: datetime = _timestamp()


class ReportShare(SQLModel, table=True):
    """A read-only link to one session's report, stored as the SHA-256 of its token; revocable."""

    __tablename__ = "report_share"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", index=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _timestamp()


class Loop(SQLModel, table=True):
    """A rehearsal of a whole hiring loop (issue 18): rounds of personas, one dossier given to each."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: str = Field(default=LOCAL_USER, foreign_key="app_user.id", ondelete="CASCADE", index=True, max_length=32)
    language: str = Field(max_length=8)
    # Persona ids in the order the rounds are taken.
    rounds: list[str] = Field(sa_column=Column(JSON, nullable=False))
    job_description: str | None = Field(default=None, sa_column=Column(Text))
    cv: str | None = Field(default=None, sa_column=Column(Text))
    # The take-home's extracted text, and the name of the file it came from.
    takehome: str | None = Field(default=None, sa_column=Column(Text))
    takehome_name: str | None = Field(default=None, max_length=255)
    created_at: datetime = _timestamp()


class HandoffNote(SQLModel, table=True):
    """What a finished round tells the next interviewers: derived data, rebuilt from the round's
    turns and scores like a report."""

    id: int | None = Field(default=None, primary_key=True)
    loop_id: str = Field(foreign_key="loop.id", ondelete="CASCADE", index=True, max_length=32)
    # The round that wrote it.
    session_id: str = Field(foreign_key="interview_session.id", ondelete="CASCADE", index=True, max_length=32)
    persona_id: str = Field(max_length=64)
    # thin_evidence | claim_to_verify | chosen_topic
    kind: str = Field(max_length=32)
    criterion_id: str | None = Field(default=None, max_length=64)
    question_id: str | None = Field(default=None, max_length=64)
    topic: str | None = Field(default=None, max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    quote: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _timestamp()


class DrillItem(SQLModel, table=True):
    """A question on the user's spaced-practice schedule (issue 18): derived data, rebuilt from the
    scores of the user's ended sessions (interview/drills.py); a question that graduates leaves the table."""

    __table_args__ = (UniqueConstraint("user_id", "persona_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(foreign_key="app_user.id", ondelete="CASCADE", index=True, max_length=32)
    persona_id: str = Field(max_length=64)
    question_id: str = Field(max_length=64)
    interval_days: int
    due_at: datetime = Field(sa_type=UTCDateTime)
    last_score: float
    reviews: int
    updated_at: datetime = _timestamp()


class Claim(SQLModel, table=True):
    """A lease on one piece of work (a session's turn, a report build) shared by all workers.

    Taken and released in short transactions, so no connection is held while a model thinks; a
    claim whose worker died expires at `expires_at` and can then be taken over."""

    name: str = Field(primary_key=True, max_length=80)
    owner: str = Field(max_length=32)
    expires_at: datetime = Field(sa_type=UTCDateTime)


# ---------------------------------------------------------------- queries


# ---------------------------------------------------------------- users, tokens, share links


# ---------------------------------------------------------------- drill schedule (issue 18)


# ---------------------------------------------------------------- loops and handoff notes (issue 18)
