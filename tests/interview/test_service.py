"""Storing an answer ends every transaction it opens, whichever way it leaves: a caller that keeps
its database session (the terminal chat does, for a whole round) holds nothing while the model
writes or the candidate types."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from interviewer.catalog.loading import Catalog
from interviewer.interview import service
from interviewer.interview.errors import InvalidInput, KeyReused
from interviewer.models.calls import OFFLINE, Usage

ANSWER = "I would compare against a simple baseline on a held-out set and check for leakage before trusting the gain."


def _session(db: Session, catalog: Catalog) -> str:
    pending = service.prepare_session(catalog=catalog, model=OFFLINE, persona_id="technical-ml", document_limit=100_000)
    view = service.store_session(db=db, pending=pending, text=pending.context.scripted, usage=Usage(model=OFFLINE, cost_usd=0.0, latency_ms=0))
    return view.session.id


def _accept(db: Session, session_id: str, content: str, key: str | None) -> object:
    return service.accept_answer(db=db, session_id=session_id, content=content, idempotency_key=key, answer_limit=20_000, offline_reply=True)


def test_an_answer_stored_resumed_or_refused_leaves_no_transaction_open(db: Session, catalog: Catalog) -> None:
    session_id = _session(db, catalog)
    assert _accept(db, session_id, ANSWER, "k1") is not None
    assert not db.in_transaction(), "stored"
    assert _accept(db, session_id, ANSWER, "k1") is not None
    assert not db.in_transaction(), "resent with its key: resumed"
    with pytest.raises(KeyReused):
        _accept(db, session_id, "Another answer altogether, about precision and recall.", "k1")
    assert not db.in_transaction(), "a key reused for another answer"
    with pytest.raises(InvalidInput):
        _accept(db, session_id, "   ", "k2")
    assert not db.in_transaction(), "an empty answer"


def test_a_session_ended_or_deleted_by_another_worker_is_seen_at_the_next_answer(db: Session, catalog: Catalog) -> None:
    # This worker keeps the session's transcript between turns; another worker (here: a bare
    # statement) ending or deleting the session is still seen, since every turn re-reads its status.
    from sqlalchemy import delete

    from interviewer.interview.errors import SessionEnded, SessionNotFound
    from interviewer.storage import queries, tables

    session_id = _session(db, catalog)
    assert _accept(db, session_id, ANSWER, "k1") is not None
    queries.set_status(db=db, session_id=session_id, status="ended", ended_at=tables.now())
    db.commit()
    with pytest.raises(SessionEnded):
        _accept(db, session_id, "A second answer, about calibration of the scores.", "k2")
    assert service.get_session(db=db, session_id=session_id).session.ended_at is not None
    other = _session(db, catalog)
    assert _accept(db, other, ANSWER, "k1") is not None
    # Deleted as by another worker: a bare statement, this worker's caches never told.
    db.execute(delete(tables.InterviewSession).where(tables.InterviewSession.id == other))  # type: ignore[arg-type]
    db.commit()
    with pytest.raises(SessionNotFound):
        _accept(db, other, "A second answer, about calibration of the scores.", "k2")
