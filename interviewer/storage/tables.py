"""SQLModel tables and keyword-only query functions. All state lives here, so any worker
can serve any request. SQLite by default, PostgreSQL in production; the same code runs on both.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Text, TypeDecorator, UniqueConstraint, delete, event, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import defer
from sqlmodel import Field, Session, SQLModel, create_engine, select


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
    # The persona and rubric as they were when the session started: editing YAML never changes a past report.
    persona_snapshot: str = Field(sa_column=Column(Text, nullable=False))
    persona_hash: str = Field(max_length=64)
    rubric_snapshot: str = Field(sa_column=Column(Text, nullable=False))
    rubric_hash: str = Field(max_length=64)
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


# An exhausted pool raises this after pool_timeout, and SQLite locked past busy_timeout raises
# OperationalError "database is locked": both are "busy, retry soon" (the API's 503), never a 500.
DatabaseBusy = PoolTimeout


def is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


# SQLite allows one writer at a time; a worker's writers queue here instead of in SQLite's busy loop.
_writers: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(database_url: str, *, pool_size: int = 10, max_overflow: int = 20, pool_timeout: float = 10.0) -> Engine:
    """An engine whose pool is sized for the worker's concurrency; an exhausted pool raises
    sqlalchemy.exc.TimeoutError after `pool_timeout` seconds (the API answers 503)."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if database_url.startswith("sqlite"):
        in_memory = ":memory:" in database_url or database_url.rstrip("/") in ("sqlite:", "sqlite+pysqlite:")
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **({} if in_memory else pool),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers never wait for the writer; busy_timeout: a writer of another process waits, not fails.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.close()

        _writers[engine] = threading.Lock()
        return engine
    return create_engine(database_url, pool_pre_ping=True, **pool)


def writing(db: Session) -> Any:
    """Hold around a write transaction: on SQLite, one writer at a time in this worker; elsewhere nothing."""
    lock = _writers.get(db.get_bind())  # type: ignore[arg-type]
    return lock if lock is not None else nullcontext()


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)


# ---------------------------------------------------------------- queries


def get_session(*, db: Session, session_id: str) -> InterviewSession | None:
    return db.get(InterviewSession, session_id)


# The snapshots are large (100 KB and more) and parsed once per hash: a turn reads them only on a miss.
SNAPSHOTS = {"persona": InterviewSession.persona_snapshot, "rubric": InterviewSession.rubric_snapshot}


def session_row(*, db: Session, session_id: str) -> InterviewSession | None:
    """The session's row without its persona and rubric snapshots (read them with `snapshot_text`)."""
    query = select(InterviewSession).where(InterviewSession.id == session_id).options(
        defer(InterviewSession.persona_snapshot), defer(InterviewSession.rubric_snapshot)  # type: ignore[arg-type]
    )
    return db.exec(query).first()


def snapshot_text(*, db: Session, session_id: str, which: str) -> str:
    return db.exec(select(SNAPSHOTS[which]).where(InterviewSession.id == session_id)).one()


def session_owner(*, db: Session, session_id: str) -> str | None:
    """Who owns a session (None: no such session), without reading the session itself."""
    return db.exec(select(InterviewSession.user_id).where(InterviewSession.id == session_id)).first()


def set_status(*, db: Session, session_id: str, status: str, ended_at: datetime | None) -> bool:
    """Change a session's status in the current transaction; False when the session is gone."""
    result = db.execute(
        update(InterviewSession).where(InterviewSession.id == session_id).values(status=status, ended_at=ended_at)  # type: ignore[arg-type]
    )
    return result.rowcount > 0


def list_sessions(
    *, db: Session, persona_id: str | None = None, limit: int = 100, user_id: str | None = None
) -> list[InterviewSession]:
    """Newest first; only `user_id`'s sessions when given (the API always gives it)."""
    query = select(InterviewSession).order_by(InterviewSession.created_at.desc()).limit(limit)  # type: ignore[attr-defined]
    if persona_id:
        query = query.where(InterviewSession.persona_id == persona_id)
    if user_id is not None:
        query = query.where(InterviewSession.user_id == user_id)
    return list(db.exec(query))


def list_turns(*, db: Session, session_id: str, after_seq: int = 0) -> list[Turn]:
    """The session's turns in order; only those after `after_seq` when given (the rest is known)."""
    query = select(Turn).where(Turn.session_id == session_id, Turn.seq > after_seq).order_by(Turn.seq)  # type: ignore[arg-type]
    return list(db.exec(query))



def find_answer_by_key(*, db: Session, session_id: str, idempotency_key: str) -> Turn | None:
    query = select(Turn).where(Turn.session_id == session_id, Turn.idempotency_key == idempotency_key)
    return db.exec(query).first()


def list_scores(*, db: Session, session_id: str) -> list[AnswerScore]:
    query = select(AnswerScore).where(AnswerScore.session_id == session_id).order_by(AnswerScore.turn_id, AnswerScore.id)  # type: ignore[arg-type]
    return list(db.exec(query))


def scored_turn_ids(*, db: Session, session_id: str) -> set[int]:
    query = select(AnswerScore.turn_id).where(AnswerScore.session_id == session_id).distinct()
    return set(db.exec(query))


def is_scored(*, db: Session, turn_id: int) -> bool:
    return db.exec(select(AnswerScore.id).where(AnswerScore.turn_id == turn_id).limit(1)).first() is not None


def list_judge_calls(*, db: Session, session_id: str) -> list[JudgeCall]:
    return list(db.exec(select(JudgeCall).where(JudgeCall.session_id == session_id).order_by(JudgeCall.id)))  # type: ignore[arg-type]


def report_inputs(*, db: Session, session_id: str, persona_id: str, created_before: datetime, user_id: str, mode: str = "interview") -> str:
    """A fingerprint of everything a report is built from: its turns, scores, judge calls, status,
    and the stored reports of earlier sessions of the round in the same mode (its progress chart)."""
    turns = db.exec(select(func.max(Turn.seq)).where(Turn.session_id == session_id)).one()
    # The sum too: a score re-judged in place changes the report as much as a new one.
    scores = db.exec(
        select(func.count(AnswerScore.id), func.max(AnswerScore.id), func.sum(AnswerScore.score)).where(AnswerScore.session_id == session_id)  # type: ignore[arg-type]
    ).one()
    calls = db.exec(select(func.max(JudgeCall.id)).where(JudgeCall.session_id == session_id)).one()
    status = db.exec(select(InterviewSession.status).where(InterviewSession.id == session_id)).one()
    history = db.exec(
        select(func.count(Report.id), func.max(Report.created_at))  # type: ignore[arg-type]
        .join(InterviewSession, Report.session_id == InterviewSession.id)  # type: ignore[arg-type]
        .where(InterviewSession.persona_id == persona_id, InterviewSession.created_at < created_before, InterviewSession.user_id == user_id)
        .where(InterviewSession.mode == mode)
    ).one()
    return f"t{turns}:s{scores[0]}.{scores[1]}.{scores[2]}:j{calls}:{status}:h{history[0]}.{history[1]}"


def stored_report(*, db: Session, session_id: str) -> Report | None:
    return db.exec(select(Report).where(Report.session_id == session_id)).first()


def save_report(*, db: Session, session_id: str, content: dict[str, Any], inputs: str | None = None) -> None:
    """Store a session's one report, replacing the previous one (an upsert: concurrent builds never collide)."""
    values = {"session_id": session_id, "content": content, "inputs": inputs, "created_at": now()}
    table = Report.__table__  # type: ignore[attr-defined]
    dialect = db.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["session_id"], set_={"content": statement.excluded.content, "inputs": statement.excluded.inputs, "created_at": statement.excluded.created_at}
    )
    db.execute(statement)
    db.commit()


def list_round_reports(
    *, db: Session, persona_id: str, created_before: datetime, limit: int = 50, user_id: str | None = None, mode: str = "interview"
) -> list[tuple[InterviewSession, Report]]:
    """Earlier sessions of the same round that have a report, oldest first (the progress chart); a
    drill's few questions are not comparable with a whole round, so each mode has its own chart."""
    query = (
        select(InterviewSession, Report)
        .join(Report, Report.session_id == InterviewSession.id)  # type: ignore[arg-type]
        .where(InterviewSession.persona_id == persona_id, InterviewSession.created_at < created_before, InterviewSession.mode == mode)
        .order_by(InterviewSession.created_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    if user_id is not None:
        # One user's progress never shows another user's scores.
        query = query.where(InterviewSession.user_id == user_id)
    return list(reversed([(session, report) for session, report in db.exec(query)]))


def delete_session(*, db: Session, session_id: str) -> bool:
    """Remove a session; its turns, scores and report go with it (ON DELETE CASCADE)."""
    with writing(db):
        result = db.execute(delete(InterviewSession).where(InterviewSession.id == session_id))  # type: ignore[arg-type]
        db.commit()
    return result.rowcount > 0


def purge_sessions(*, db: Session, created_before: datetime) -> int:
    """Delete every session started before a moment, with everything derived from it."""
    old = list(db.exec(select(InterviewSession.id).where(InterviewSession.created_at < created_before)))
    for session_id in old:
        delete_session(db=db, session_id=session_id)
    return len(old)


# ---------------------------------------------------------------- users, tokens, share links


def ensure_local_user(*, db: Session) -> None:
    """The implicit user of local single-user mode (the migration creates it; this repairs a bare database)."""
    if db.get(User, LOCAL_USER) is None:
        db.add(User(id=LOCAL_USER, name=LOCAL_USER))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()  # created by a concurrent request


def get_user_by_name(*, db: Session, name: str) -> User | None:
    return db.exec(select(User).where(User.name == name)).first()


def add_user(*, db: Session, name: str) -> User:
    user = User(name=name)
    db.add(user)
    db.commit()
    db.refresh(user)
    return user


def list_users(*, db: Session) -> list[User]:
    return list(db.exec(select(User).order_by(User.created_at)))  # type: ignore[arg-type]


def add_token(*, db: Session, user_id: str, token_hash: str) -> ApiToken:
    token = ApiToken(user_id=user_id, token_hash=token_hash)
    db.add(token)
    db.commit()
    db.refresh(token)
    return token


def user_for_token(*, db: Session, token_hash: str) -> User | None:
    query = (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
    )
    return db.exec(query).first()


def revoke_tokens(*, db: Session, user_id: str) -> int:
    tokens = list(db.exec(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))))  # type: ignore[union-attr]
    for token in tokens:
        token.revoked_at = now()
        db.add(token)
    db.commit()
    return len(tokens)


def add_share(*, db: Session, session_id: str, token_hash: str) -> ReportShare:
    share = ReportShare(session_id=session_id, token_hash=token_hash)
    db.add(share)
    db.commit()
    db.refresh(share)
    return share


def session_for_share(*, db: Session, token_hash: str) -> str | None:
    share = db.exec(select(ReportShare).where(ReportShare.token_hash == token_hash)).first()
    return share.session_id if share else None


def revoke_shares(*, db: Session, session_id: str) -> int:
    shares = list(db.exec(select(ReportShare).where(ReportShare.session_id == session_id)))
    for share in shares:
        db.delete(share)
    db.commit()
    return len(shares)



# ---------------------------------------------------------------- drill schedule (issue 18)


def ended_session_scores(*, db: Session, user_id: str) -> list[tuple[str, str, datetime, str, int, int, bool]]:
    """Every criterion score of the user's ended sessions, as (session id, persona id, ended at,
    question id, turn id, score, assessed): what the drill schedule is rebuilt from."""
    ended = func.coalesce(InterviewSession.ended_at, InterviewSession.created_at)
    mine = (InterviewSession.user_id == user_id, InterviewSession.status == "ended")
    # Two queries, so each session's timestamp is converted once, not once per score.
    sessions = {sid: (persona_id, at) for sid, persona_id, at in db.exec(select(InterviewSession.id, InterviewSession.persona_id, ended).where(*mine))}
    query = (
        select(AnswerScore.session_id, AnswerScore.question_id, AnswerScore.turn_id, AnswerScore.score, AnswerScore.assessed)
        .join(InterviewSession, AnswerScore.session_id == InterviewSession.id)  # type: ignore[arg-type]
        .where(*mine)
    )
    # Plain rows from the connection: thousands of scores need no ORM loading.
    return [(sid, *sessions[sid], q, turn, score, assessed) for sid, q, turn, score, assessed in db.connection().execute(query) if sid in sessions]


def ended_scores_version(*, db: Session, user_id: str) -> str:
    """A fingerprint of everything the user's drill schedule is built from (their ended sessions and
    those sessions' scores): unchanged, the schedule need not be rebuilt."""
    mine = (InterviewSession.user_id == user_id, InterviewSession.status == "ended")
    ended = db.exec(
        select(func.count(InterviewSession.id), func.min(InterviewSession.ended_at), func.max(InterviewSession.ended_at)).where(*mine)
    ).one()
    # The sum too: a score re-judged in place changes the schedule as much as a new one.
    scores = db.exec(
        select(func.count(AnswerScore.id), func.max(AnswerScore.id), func.sum(AnswerScore.score))
        .join(InterviewSession, AnswerScore.session_id == InterviewSession.id)  # type: ignore[arg-type]
        .where(*mine)
    ).one()
    return f"e{ended[0]}.{ended[1]}.{ended[2]}:s{scores[0]}.{scores[1]}.{scores[2]}"


def drill_items(*, db: Session, user_id: str) -> list[DrillItem]:
    return list(db.exec(select(DrillItem).where(DrillItem.user_id == user_id).order_by(DrillItem.due_at)))  # type: ignore[arg-type]


# ---------------------------------------------------------------- loops and handoff notes (issue 18)


def get_loop(*, db: Session, loop_id: str) -> Loop | None:
    return db.get(Loop, loop_id)


def list_loops(*, db: Session, user_id: str, limit: int = 100) -> list[Loop]:
    """A user's loops, newest first."""
    query = select(Loop).where(Loop.user_id == user_id).order_by(Loop.created_at.desc()).limit(limit)  # type: ignore[attr-defined]
    return list(db.exec(query))


def loop_sessions(*, db: Session, loop_ids: list[str]) -> list[tuple[str, int, str, str, str]]:
    """(loop_id, round, session_id, persona_id, status) of the loops' rounds that have started; no snapshots read."""
    if not loop_ids:
        return []
    query = select(
        InterviewSession.loop_id, InterviewSession.loop_round, InterviewSession.id, InterviewSession.persona_id, InterviewSession.status
    ).where(InterviewSession.loop_id.in_(loop_ids))  # type: ignore[union-attr]
    return [tuple(row) for row in db.exec(query)]  # type: ignore[misc]


def list_notes(*, db: Session, loop_id: str) -> list[HandoffNote]:
    return list(db.exec(select(HandoffNote).where(HandoffNote.loop_id == loop_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]


def replace_notes(*, db: Session, loop_id: str, session_id: str, persona_id: str, notes: list[dict[str, Any]], key: Any) -> list[HandoffNote]:
    """Make a round's stored notes what `notes` says: a note that is still derived keeps its id (a
    later turn may point at it) and gets its new text; the others go, the new ones are added."""
    wanted = {key(n): n for n in (HandoffNote(loop_id=loop_id, session_id=session_id, persona_id=persona_id, **fields) for fields in notes)}
    with writing(db):
        # Read inside the write lock: two derivations at once (an end and a next) never both insert.
        db.rollback()
        stored = list(db.exec(select(HandoffNote).where(HandoffNote.session_id == session_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]
        by_key = {key(n): n for n in stored}
        for k, note in by_key.items():
            if k not in wanted:
                db.delete(note)
        for k, note in wanted.items():
            if k in by_key:
                by_key[k].text, by_key[k].quote = note.text, note.quote
                db.add(by_key[k])
            else:
                db.add(note)
        db.commit()
    return list(db.exec(select(HandoffNote).where(HandoffNote.session_id == session_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]
