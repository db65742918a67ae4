"""Keyword-only query functions over the tables: every read and write of state goes through here."""

from __future__ import annotations

import weakref
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from interviewer.storage.database import writing
from interviewer.storage.tables import (
    AnswerScore,
    ApiToken,
    DrillItem,
    HandoffNote,
    InterviewSession,
    JudgeCall,
    LOCAL_USER,
    Loop,
    Report,
    ReportShare,
    Snapshot,
    Turn,
    User,
    now,
)


def get_session(*, db: Session, session_id: str) -> InterviewSession | None:
    return db.get(InterviewSession, session_id)


def snapshot_text(*, db: Session, snapshot_hash: str) -> str:
    """A persona's or rubric's stored JSON. Large (a rubric is close to a megabyte) and parsed once
    per hash: a turn reads it only on a miss."""
    return db.exec(select(Snapshot.content).where(Snapshot.hash == snapshot_hash)).one()


def store_snapshots(*, db: Session, snapshots: list[tuple[str, str]]) -> None:
    """Store (content, hash) snapshots not stored yet, in the current transaction; another
    session's worker storing the same one at the same moment is no conflict."""
    wanted = {snapshot_hash: content for content, snapshot_hash in snapshots}
    stored = set(db.exec(select(Snapshot.hash).where(Snapshot.hash.in_(wanted))))  # type: ignore[attr-defined]
    missing = [{"hash": h, "content": c} for h, c in wanted.items() if h not in stored]
    if not missing:
        return
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(Snapshot.__table__).values(missing).on_conflict_do_nothing(index_elements=["hash"]))  # type: ignore[attr-defined]


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


_TURNS_AFTER = select(Turn).where(Turn.session_id == bindparam("session_id"), Turn.seq > bindparam("after_seq")).order_by(Turn.seq)  # type: ignore[arg-type]


def list_turns(*, db: Session, session_id: str, after_seq: int = 0) -> list[Turn]:
    """The session's turns in order; only those after `after_seq` when given (the rest is known)."""
    return list(db.exec(_TURNS_AFTER, params={"session_id": session_id, "after_seq": after_seq}))


_TURN_TABLE = Turn.__table__  # type: ignore[attr-defined]
_TURN_FIELDS = [c.name for c in _TURN_TABLE.columns if c.name != "id"]
_INSERT_TURN = insert(_TURN_TABLE)


_SESSION_TABLE = InterviewSession.__table__  # type: ignore[attr-defined]
_PROGRESS = core_select(
    _SESSION_TABLE.c.status,
    _SESSION_TABLE.c.ended_at,
    core_select(func.max(_TURN_TABLE.c.seq)).where(_TURN_TABLE.c.session_id == _SESSION_TABLE.c.id).scalar_subquery(),
).where(_SESSION_TABLE.c.id == bindparam("session_id"))


class Progress(NamedTuple):
    status: str
    ended_at: datetime | None
    last_seq: int


def session_progress(*, db: Session, session_id: str) -> Progress | None:
    """A session's status, end time and last turn's seq, in one light statement (None: no such
    session): all a turn re-reads of a session whose row this worker already holds, since the
    rest of the row never changes after the session starts."""
    row = db.connection().execute(_PROGRESS, {"session_id": session_id}).first()
    return None if row is None else Progress(row[0], row[1], row[2] or 0)


def insert_turns(*, db: Session, turns: list[Turn]) -> None:
    """Store new turns in the current transaction and give each its id. A Core insert: the turns
    stay plain objects, never in the session, so no flush, expunge or read-back is needed. The id
    comes back as the dialect can give it (RETURNING, or the cursor's lastrowid on a SQLite older
    than 3.35)."""
    connection = db.connection()
    for turn in turns:
        turn.id = connection.execute(_INSERT_TURN, {name: getattr(turn, name) for name in _TURN_FIELDS}).inserted_primary_key[0]


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


# Databases (engines) known to hold the local user: a user is never deleted, so one check each is enough.
_local_user_seen: weakref.WeakSet[Any] = weakref.WeakSet()


def ensure_local_user(*, db: Session) -> None:
    """The implicit user of local single-user mode (the migration creates it; this repairs a bare database)."""
    bind = db.get_bind()
    if bind in _local_user_seen:
        return  # read once per database, not at every session start
    if db.get(User, LOCAL_USER) is None:
        db.add(User(id=LOCAL_USER, name=LOCAL_USER))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()  # created by a concurrent request
    _local_user_seen.add(bind)


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
    later turn may point at it) and gets its new text; the others go, the new ones are added.

    One transaction per round at a time on either database: SQLite's writer lock in this worker, and
    the round's session row locked FOR UPDATE (PostgreSQL; across workers too) before the notes are
    read. A duplicate of a note (the same key twice) never survives: the oldest is kept."""
    wanted = {key(n): n for n in (HandoffNote(loop_id=loop_id, session_id=session_id, persona_id=persona_id, **fields) for fields in notes)}
    with writing(db):
        # Read inside the write lock: two derivations at once (an end and a next) never both insert.
        db.rollback()
        db.exec(select(InterviewSession.id).where(InterviewSession.id == session_id).with_for_update())  # type: ignore[call-overload]
        stored = list(db.exec(select(HandoffNote).where(HandoffNote.session_id == session_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]
        by_key: dict[Any, HandoffNote] = {}
        for note in stored:
            k = key(note)
            if k in by_key:
                # A turn that took up the duplicate now points at the note that stays.
                db.execute(update(Turn).where(Turn.handoff_note_id == note.id).values(handoff_note_id=by_key[k].id))  # type: ignore[arg-type]
            if k in by_key or k not in wanted:
                db.delete(note)
            else:
                by_key[k] = note
        for k, note in wanted.items():
            if k in by_key:
                by_key[k].text, by_key[k].quote = note.text, note.quote
                db.add(by_key[k])
            else:
                db.add(note)
        db.commit()
    return list(db.exec(select(HandoffNote).where(HandoffNote.session_id == session_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]
