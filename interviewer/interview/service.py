"""The conversation's use cases: start a session, answer, end, delete (scoring and reports are in
interview/reporting.py). With interview/reporting.py, the only place where storage, the engine, the scorer and the
model meet. Raises domain errors; the API maps them to HTTP.

A turn is three steps, so that nothing is lost when a model call fails and so that database
work (sync) and model calls (async) stay apart:
  1. `accept_answer` stores the candidate's answer and lets the engine decide the move;
  2. `reply_stream` has the model (or the offline engine) phrase that move;
  3. `store_reply` stores the interviewer's turn.
Re-sending an answer with the same Idempotency-Key resumes at whichever step is missing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer.assessment.text import words
from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog, snapshot
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric
from interviewer.interview import drills, engine, offline, prompts, tailoring, transcripts
from interviewer.interview import handoff
from interviewer.interview import takehome as takehome_module
from interviewer.interview.engine import Move
from interviewer.models import calls as calls_module
from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import InterviewSession, JudgeCall, Turn
from interviewer.interview.errors import (
    Busy,
    InputTooLarge,
    InvalidInput,
    KeyReused,
    PersonaNotFound,
    ReplyMissing,
    SessionEnded,
    SessionNotFound,
    ServiceError,
)
from interviewer.interview.replies import AnswerResult, PendingReply, interviewer_turn
from interviewer.interview.state import SessionState, SessionView, get_session, load_state, read_answer

log = logging.getLogger("interviewer.service")
# The engine's and the scorer's text work is thread-safe (stemmers are per thread, caches are
# lru_cache): turns no longer take this lock, so a turn never waits behind a background scorer's
# embedding model or a report build. Kept for interview/sharing.py's report builds, which still take it.
THINKING = threading.Lock()


@dataclass(frozen=True)
class Drill:
    """A drill's own plan (the questions due for review, issue 18) and what is said about it first."""

    questions: list[str]
    preface: str


def clean_text(value: str | None, *, field: str, limit: int) -> str | None:
    """Normalise a candidate-supplied text; refuse what cannot be stored faithfully."""
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character; remove it and resend")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"{field}: is not valid Unicode text (a lone surrogate at position {exc.start}); resend it as UTF-8") from exc
    if len(value) > limit:
        raise InputTooLarge(f"{field}: {len(value)} characters is over the limit of {limit}")
    value = value.strip()
    return value or None


def _pending(
    *, session: InterviewSession, persona: Persona, rubric: Rubric, turns: list[Turn], answer: Turn | None, move: Move,
    lacking: list[str],
) -> PendingReply:
    seq = answer.seq + 1 if answer else 1
    scripted = offline.phrase_move(persona, move, session_language=session.language, turn_index=seq - 1, has_document=bool(session.takehome))
    context = prompts.ReplyContext(
        persona=persona,
        rubric=rubric,
        move=move,
        session_language=session.language,  # type: ignore[arg-type]
        scripted=scripted,
        turns=[prompts.TurnText(t.role, t.kind, t.question_id, t.content) for t in turns],
        lacking=lacking,
        job_description=session.job_description,
        cv=session.cv,
        takehome=session.takehome,
    )
    return PendingReply(session=session, answer=answer, move=move, seq=seq, context=context)


def _focus(session: InterviewSession, persona: Persona) -> tailoring.Focus:
    """What the job description and CV make relevant (the offline engine's tailoring)."""
    return tailoring.focus_of(job_description=session.job_description, cv=session.cv, language=persona.language)


def _decide(view: SessionState, upto: int, answer: Turn) -> PendingReply:
    """The engine's decision for the reply to `answer`, given the first `upto` turns (up to it)."""
    session = view.session
    turns = list(view.transcript.turns[:upto])
    assessment = read_answer(view, turns, answer)
    move = engine.next_move(
        persona=view.persona,
        planned=session.plan,
        language=session.language,  # type: ignore[arg-type]
        turns=list(view.transcript.views[:upto]),
        assessment=assessment,
        seed=session.id,
        focus=_focus(session, view.persona),
    )
    lacking = assessment.lacking if assessment and move.kind == "follow_up" else []
    return _pending(session=session, persona=view.persona, rubric=view.rubric, turns=turns, answer=answer, move=move, lacking=lacking)


# ---------------------------------------------------------------- starting


def prepare_session(
    *,
    catalog: Catalog,
    model: str,
    persona_id: str,
    language: Language | None = None,
    job_description: str | None = None,
    cv: str | None = None,
    takehome: str | None = None,
    claims: list[takehome_module.Claim] | None = None,
    document_limit: int,
    user_id: str = store.LOCAL_USER,
    drill: Drill | None = None,
    handoff_notes: list[handoff.EarlierNote] | None = None,
) -> PendingReply:
    """A new session and its opening move, not stored until the opening has its words.

    With a take-home, its claims (extracted here offline unless a model already did) become the
    questions of the persona's claims stage, in this session's own persona and rubric snapshots."""
    persona = catalog.personas.get(persona_id)
    if persona is None:
        raise PersonaNotFound(persona_id, sorted(catalog.personas))
    rubric = catalog.rubric_for(persona)
    takehome = clean_text(takehome, field="takehome", limit=document_limit)
    records: list[dict[str, Any]] = []
    if persona.takehome and takehome:
        if claims is None:
            claims = takehome_module.extract_claims(takehome, language=language or persona.language)
        persona, rubric, records = takehome_module.with_claims(persona, rubric, claims)
    session = InterviewSession(
        user_id=user_id,
        persona_id=persona.id,
        rubric_id=rubric.id,
        language=language or persona.language,
        model=model,
        persona_hash=snapshot(persona)[1],
        rubric_hash=snapshot(rubric)[1],
        plan=[],
        job_description=clean_text(job_description, field="job_description", limit=document_limit),
        cv=clean_text(cv, field="cv", limit=document_limit),
        takehome=takehome,
        claims=records,
        mode="drill" if drill else "interview",
    )
    focus = _focus(session, persona)
    session.plan = list(drill.questions) if drill else engine.plan(persona, seed=session.id, focus=focus)
    if handoff_notes:
        # A loop's earlier notes go in this session's own persona snapshot, like take-home claims (issue 18).
        persona = handoff.with_notes(persona, rubric, handoff_notes, planned=session.plan)
        session.persona_hash = snapshot(persona)[1]
    move = engine.first_move(persona, session.plan, session.language, focus)  # type: ignore[arg-type]
    pending = _pending(session=session, persona=persona, rubric=rubric, turns=[], answer=None, move=move, lacking=[])
    if drill is None:
        return pending
    # A drill greets no one (the round was met before): the question alone, after what is due.
    words = drills.question_words(persona, session.plan[0], asked_in=move.language, session_language=session.language)  # type: ignore[arg-type]
    return replace(pending, context=replace(pending.context, scripted=words), preface=drill.preface)


def store_session(
    *, db: Session, pending: PendingReply, text: str, usage: calls_module.Usage, calls: list[tuple[str, calls_module.Usage]] = (),  # type: ignore[assignment]
) -> SessionView:
    """`calls`: model calls made for the session before it existed (reading the take-home's claims)."""
    if pending.session.user_id == store.LOCAL_USER:
        queries.ensure_local_user(db=db)
    text = f"{pending.preface}\n\n{text}" if pending.preface else text
    session, opening = pending.session, interviewer_turn(pending, text, usage)
    accounted = [
        JudgeCall(session_id=session.id, turn_id=None, purpose=purpose, model=u.model, prompt_tokens=u.prompt_tokens,
                  completion_tokens=u.completion_tokens, cost_usd=u.cost_usd, latency_ms=u.latency_ms)
        for purpose, u in calls
    ]
    context = pending.context
    # The session's own persona and rubric (with its take-home claims or a loop's notes): what its
    # hashes name. The snapshot() of each is cached by object, so this serialises nothing again.
    snapshots = [snapshot(context.persona), snapshot(context.rubric)]
    assert [h for _, h in snapshots] == [session.persona_hash, session.rubric_hash], "the session's snapshots are of its own persona and rubric"
    with database.writing(db):
        queries.store_snapshots(db=db, snapshots=snapshots)
        db.add(session)
        db.add(opening)
        db.flush()
        db.add_all(accounted)
        db.flush()
        for call in accounted:
            db.expunge(call)
        # Detached before the commit, so the commit does not expire them: no read-back is needed.
        db.expunge(session)
        db.expunge(opening)
        db.commit()
    transcripts.remember_snapshots(session.persona_hash, context.persona, session.rubric_hash, context.rubric)
    transcripts.extend(session.id, transcripts.Transcript(), [opening])
    return SessionView(session=session, persona=context.persona, rubric=context.rubric, turns=[opening], judge_calls=accounted)


# ---------------------------------------------------------------- answering


def lost_race(db: Session, session_id: str) -> ServiceError:
    """Why an answer could not be stored: its session was deleted meanwhile, or another answer took its place."""
    deleted = queries.session_owner(db=db, session_id=session_id) is None
    db.rollback()
    if deleted:
        transcripts.forget(session_id)
        return SessionNotFound(session_id)
    return Busy("another answer to this session was stored at the same moment; resend yours")


def accept_answer(
    *, db: Session, session_id: str, content: str, idempotency_key: str | None, answer_limit: int, offline_reply: bool = False,
) -> AnswerResult | PendingReply:
    """Store the answer (step 1). A replayed key returns its result, or resumes its missing reply.
    `offline_reply`: a session on the offline engine gets its reply at once, stored with the answer
    in one transaction (one commit instead of two: no model call can fail between them).

    Reads O(1) rows and ends every transaction it opens: nothing is held once it returns."""
    # The reads and the write share one connection: on SQLite the reads open no transaction (the
    # driver begins one at the first write), on PostgreSQL the write follows in the reads' own.
    view = load_state(db=db, session_id=session_id)
    try:
        checked = _checked_answer(view, content=content, idempotency_key=idempotency_key, answer_limit=answer_limit)
    except BaseException:
        db.rollback()
        raise
    if not isinstance(checked, Turn):
        db.rollback()  # a resumed turn writes nothing here: the reads' transaction ends now
        return checked
    candidate = checked
    session = view.session
    if offline_reply and calls_module.is_offline(session.model):
        stored = _answer_with_offline_reply(db, view, candidate)
        if stored is not None:
            return stored
    with database.writing(db):
        try:
            # The answer is committed before any model call: nothing after this may lose it.
            queries.insert_turns(db=db, turns=[candidate])
            db.commit()
        except IntegrityError as exc:
            db.rollback()
            raise lost_race(db, session_id) from exc
    view = SessionState(session, view.persona, view.rubric, transcripts.extend(session_id, view.transcript, [candidate]))
    return _decide(view, len(view.transcript.turns), candidate)


def _checked_answer(
    view: SessionState, *, content: str, idempotency_key: str | None, answer_limit: int,
) -> Turn | AnswerResult | PendingReply:
    """The answer's turn, ready to store; or, for a resent answer, the result or reply it resumes.
    Raises the error that says what to fix."""
    text = clean_text(content, field="content", limit=answer_limit)
    session, turns = view.session, view.transcript.turns
    if idempotency_key:
        previous = next((t for t in turns if t.role == "candidate" and t.idempotency_key == idempotency_key), None)
        if previous is not None:
            if text != previous.content:
                raise KeyReused(
                    "this Idempotency-Key was already used for a different answer; use a new key for a new answer"
                )
            return _resume(view, previous)
    if session.status != "active":
        raise SessionEnded(session.id)
    if text is None:
        raise InvalidInput("content: the answer is empty; type an answer before sending")
    if not words(text):
        raise InvalidInput("content: the answer has no words; write your answer in words before sending")
    last = turns[-1]
    if last.role == "candidate":
        if text == last.content:
            # The same answer sent again (without its key) resumes the reply it is waiting for.
            return _resume(view, last)
        raise ReplyMissing(
            "your previous answer is stored but has no reply yet; send it again (same text or same "
            "Idempotency-Key) to get the reply before answering further"
        )
    return Turn(
        session_id=session.id,
        seq=last.seq + 1,
        role="candidate",
        kind="answer" if last.kind != "closing" else "candidate_question",
        question_id=last.question_id,
        language=last.language,
        content=text,
        idempotency_key=idempotency_key,
    )


def _answer_with_offline_reply(db: Session, view: SessionState, candidate: Turn) -> AnswerResult | None:
    """The answer and the offline engine's reply, stored together; None when deciding failed, so
    that the caller stores the answer alone first (an engine bug never costs the answer)."""
    session_id = view.session.id
    state = SessionState(view.session, view.persona, view.rubric, view.transcript.extended([candidate]))
    try:
        pending = _decide(state, len(state.transcript.turns), candidate)
    except Exception:
        log.exception("deciding the reply to session=%s seq=%s failed; the answer is stored alone", session_id, candidate.seq)
        transcripts.drop_assessments(session_id, candidate.seq)
        return None
    reply = interviewer_turn(pending, pending.context.scripted, calls_module.Usage(model=calls_module.OFFLINE, cost_usd=0.0, latency_ms=0))
    status = "ended" if pending.move.kind == "ended" else view.session.status
    with database.writing(db):
        try:
            queries.insert_turns(db=db, turns=[candidate, reply])
            if status == "ended" and not queries.set_status(db=db, session_id=session_id, status="ended", ended_at=store.now()):
                raise IntegrityError("the session is gone", None, ValueError(session_id))
            db.commit()
        except IntegrityError as exc:
            db.rollback()
            # The reading was of an answer that is not stored: another one may take its place.
            transcripts.drop_assessments(session_id, candidate.seq)
            raise lost_race(db, session_id) from exc
    transcripts.extend(session_id, view.transcript, [candidate, reply])
    return AnswerResult(answer=candidate, reply=reply, status=status, stored_now=True)


def _resume(view: SessionState, answer: Turn) -> AnswerResult | PendingReply:
    turns = view.transcript.turns
    reply = next((t for t in turns if t.seq == answer.seq + 1), None)
    if reply is not None:
        return AnswerResult(answer=answer, reply=reply, status=view.session.status)
    return _decide(view, next(i for i, t in enumerate(turns) if t.seq == answer.seq) + 1, answer)


def end_session(*, db: Session, session_id: str) -> SessionView:
    view = get_session(db=db, session_id=session_id)
    if view.session.status == "active":
        with database.writing(db):
            db.rollback()
            queries.set_status(db=db, session_id=session_id, status="ended", ended_at=store.now())
            db.commit()
        return get_session(db=db, session_id=session_id)
    return view


def delete_session(*, db: Session, session_id: str) -> None:
    deleted = queries.delete_session(db=db, session_id=session_id)
    transcripts.forget(session_id)
    if not deleted:
        raise SessionNotFound(session_id)
