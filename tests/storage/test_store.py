"""Storage runs the same on SQLite and PostgreSQL (the `db` fixture is parametrised over both)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import AnswerScore, InterviewSession, Turn


def make_session(db: Session) -> InterviewSession:
    queries.store_snapshots(db=db, snapshots=[("{}", "a" * 64), ("{}", "b" * 64)])
    session = InterviewSession(
        persona_id="technical-ml", rubric_id="technical-ml", language="en", model="offline",
        persona_hash="a" * 64, rubric_hash="b" * 64,
        plan=["q1", "q2"], takehome="Notre agent PPO atteint 200 ± 12 de récompense 🎯 (中文, עברית).",
    )
    db.add(session)
    db.commit()
    return session


def add_turn(db: Session, session: InterviewSession, seq: int, **fields: object) -> Turn:
    turn = Turn(session_id=session.id, seq=seq, role="candidate", kind="answer", language="en", content=f"turn {seq}", **fields)
    db.add(turn)
    db.commit()
    db.refresh(turn)
    return turn


def test_session_round_trips_with_plan_and_unicode(db: Session) -> None:
    session = make_session(db)
    db.expire_all()
    loaded = queries.get_session(db=db, session_id=session.id)
    assert loaded is not None
    assert loaded.plan == ["q1", "q2"]
    assert loaded.takehome == "Notre agent PPO atteint 200 ± 12 de récompense 🎯 (中文, עברית)."
    assert loaded.created_at is not None


def test_turns_come_back_in_order_and_seq_is_unique_per_session(db: Session) -> None:
    session = make_session(db)
    for seq in (2, 1, 3):
        add_turn(db, session, seq)
    assert [t.seq for t in queries.list_turns(db=db, session_id=session.id)] == [1, 2, 3]
    with pytest.raises(IntegrityError):
        add_turn(db, session, 2)
    db.rollback()


def test_idempotency_key_finds_the_stored_answer_and_cannot_repeat(db: Session) -> None:
    session = make_session(db)
    turn = add_turn(db, session, 1, idempotency_key="key-1")
    found = queries.find_answer_by_key(db=db, session_id=session.id, idempotency_key="key-1")
    assert found is not None and found.id == turn.id
    with pytest.raises(IntegrityError):
        add_turn(db, session, 2, idempotency_key="key-1")
    db.rollback()


def test_delete_removes_turns_scores_and_reports(db: Session) -> None:
    session, other = make_session(db), make_session(db)
    turn = add_turn(db, session, 1)
    add_turn(db, other, 1)
    db.add(AnswerScore(session_id=session.id, turn_id=turn.id, question_id="q1", criterion_id="depth", score=3, rationale="r", evidence=["turn 1"], model="offline"))
    db.commit()
    queries.save_report(db=db, session_id=session.id, content={"overall": 3})
    assert queries.delete_session(db=db, session_id=session.id)
    assert queries.get_session(db=db, session_id=session.id) is None
    assert queries.list_turns(db=db, session_id=session.id) == []
    assert queries.list_scores(db=db, session_id=session.id) == []
    assert len(queries.list_turns(db=db, session_id=other.id)) == 1
    assert not queries.delete_session(db=db, session_id=session.id)


def test_sessions_list_newest_first_and_filter_by_persona(db: Session) -> None:
    first, second = make_session(db), make_session(db)
    ids = [s.id for s in queries.list_sessions(db=db)]
    assert ids.index(second.id) < ids.index(first.id)
    assert queries.list_sessions(db=db, persona_id="recruiter-screen") == []


def test_timestamps_come_back_in_utc(db: Session) -> None:
    session = make_session(db)
    turn = add_turn(db, session, 1)
    db.expire_all()
    loaded = queries.list_turns(db=db, session_id=session.id)[0]
    assert loaded.created_at.utcoffset() is not None and loaded.created_at.utcoffset().total_seconds() == 0
    assert abs((loaded.created_at - store.now()).total_seconds()) < 60
    assert turn.id == loaded.id


def test_sqlite_runs_in_wal_mode_and_waits_for_a_busy_writer(db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's journal and busy timeout")
    assert db.exec(text("PRAGMA journal_mode")).one()[0] == "wal"  # type: ignore[call-overload]
    assert db.exec(text("PRAGMA busy_timeout")).one()[0] == database.SQLITE_BUSY_TIMEOUT_MS  # type: ignore[call-overload]


def test_reports_are_upserted_one_per_session(db: Session) -> None:
    session = make_session(db)
    queries.save_report(db=db, session_id=session.id, content={"v": 1}, inputs="first")
    queries.save_report(db=db, session_id=session.id, content={"v": 2}, inputs="second")
    report = queries.stored_report(db=db, session_id=session.id)
    assert report is not None and report.content == {"v": 2} and report.inputs == "second"


def test_only_the_turns_after_a_known_one_are_read(db: Session) -> None:
    session = make_session(db)
    for seq in (1, 2, 3, 4):
        add_turn(db, session, seq)
    assert [t.seq for t in queries.list_turns(db=db, session_id=session.id, after_seq=2)] == [3, 4]
    assert queries.session_owner(db=db, session_id=session.id) == store.LOCAL_USER
    assert queries.session_owner(db=db, session_id="missing") is None
