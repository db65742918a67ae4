"""The stored drill schedule follows the scores of ended sessions, and rebuilding it is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from interviewer.interview import drill_schedule
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import AnswerScore, DrillItem, InterviewSession, Turn

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def ended_session(db: Session, *, at: datetime, scores: dict[str, list[int]], status: str = "ended", user_id: str = store.LOCAL_USER) -> str:
    """A session of technical-ml that ended at `at`, its answer to each question scored as given."""
    queries.ensure_local_user(db=db)
    queries.store_snapshots(db=db, snapshots=[("{}", "p"), ("{}", "r")])
    session = InterviewSession(
        user_id=user_id, persona_id="technical-ml", rubric_id="technical-ml", language="en", status=status, model="offline",
        persona_hash="p", rubric_hash="r", plan=list(scores), created_at=at - timedelta(hours=1),
        ended_at=at if status == "ended" else None,
    )
    db.add(session)
    db.flush()
    for seq, (question_id, values) in enumerate(scores.items(), start=1):
        turn = Turn(session_id=session.id, seq=seq, role="candidate", kind="answer", question_id=question_id, language="en", content="an answer")
        db.add(turn)
        db.flush()
        for i, value in enumerate(values):
            db.add(AnswerScore(
                session_id=session.id, turn_id=turn.id, question_id=question_id, criterion_id=f"c{i}", score=value,  # type: ignore[arg-type]
                rationale="", evidence=[], model="offline", scored_by="offline",
            ))
    db.commit()
    return session.id


def rows(db: Session) -> dict[str, tuple[int, datetime, float, int]]:
    db.commit()
    return {r.question_id: (r.interval_days, r.due_at, r.last_score, r.reviews) for r in db.exec(select(DrillItem))}


def test_only_ended_sessions_count_and_a_low_question_enters_at_one_day(db: Session) -> None:
    ended_session(db, at=T0, scores={"likelihood": [2, 1], "bayes": [4, 5]})
    ended_session(db, at=T0, scores={"backprop": [1, 1]}, status="active")
    drill_schedule.refresh(db=db, user_id=store.LOCAL_USER)
    assert rows(db) == {"likelihood": (1, T0 + timedelta(days=1), 1.5, 1)}


def test_rebuilding_never_advances_twice_and_a_rescore_replaces_the_review(db: Session) -> None:
    ended_session(db, at=T0, scores={"likelihood": [2]})
    later = ended_session(db, at=T0 + timedelta(days=1), scores={"likelihood": [4]})
    for _ in range(3):
        drill_schedule.refresh(db=db, user_id=store.LOCAL_USER)
    assert rows(db) == {"likelihood": (3, T0 + timedelta(days=4), 4.0, 2)}
    # The judge re-scores the later answer in place: the schedule is rebuilt, not moved on again.
    for score in db.exec(select(AnswerScore).where(AnswerScore.session_id == later)):
        score.score = 5
        db.add(score)
    db.commit()
    drill_schedule.refresh(db=db, user_id=store.LOCAL_USER)
    assert rows(db) == {"likelihood": (3, T0 + timedelta(days=4), 5.0, 2)}


def test_a_question_that_graduates_leaves_the_table(db: Session) -> None:
    at = T0
    ended_session(db, at=at, scores={"likelihood": [1]})
    for interval in (1, 3, 7):
        at += timedelta(days=interval)
        ended_session(db, at=at, scores={"likelihood": [5]})
    drill_schedule.refresh(db=db, user_id=store.LOCAL_USER)
    assert rows(db)["likelihood"][0] == 14
    ended_session(db, at=at + timedelta(days=14), scores={"likelihood": [5]})
    drill_schedule.refresh(db=db, user_id=store.LOCAL_USER)
    assert rows(db) == {}


def test_a_drill_plan_needs_scores_of_the_round(db: Session, catalog: object) -> None:
    persona = catalog.persona("technical-ml")  # type: ignore[attr-defined]
    with pytest.raises(drill_schedule.NothingToDrill, match="practise the round first"):
        drill_schedule.drill_plan(db=db, persona=persona, user_id=store.LOCAL_USER, now=T0)
    question = persona.questions[0].id
    ended_session(db, at=T0, scores={question: [1]})
    plan = drill_schedule.drill_plan(db=db, persona=persona, user_id=store.LOCAL_USER, now=T0 + timedelta(days=2))
    assert plan.questions == [question] and plan.due
