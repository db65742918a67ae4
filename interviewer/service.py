"""The conversation's use cases: start a session, answer, end, delete (scoring and reports are in
feedback.py). With feedback.py, the only place where storage, the engine, the scorer and the
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
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer import accounting, engine, llm, offline, prompts, scoring, store
from interviewer import takehome as takehome_module
from interviewer.catalog import Catalog, Language, Persona, Rubric, snapshot
from interviewer.engine import Move, TurnView
from interviewer.store import InterviewSession, JudgeCall, Turn
from interviewer.text import words

log = logging.getLogger("interviewer.service")


class ServiceError(Exception):
    """Base of the errors a caller can act on; the message says what to fix."""


class PersonaNotFound(ServiceError):
    def __init__(self, persona_id: str, valid: list[str]) -> None:
        super().__init__(f"unknown persona '{persona_id}'; valid ids: {', '.join(valid)}")
        self.valid = valid


class SessionNotFound(ServiceError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"no session '{session_id}'")


class SessionEnded(ServiceError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"session '{session_id}' has ended; start a new session to practise again")


class InvalidInput(ServiceError):
    pass


class InputTooLarge(ServiceError):
    pass


class KeyReused(ServiceError):
    """An Idempotency-Key sent again with a different answer."""


class ReplyMissing(ServiceError):
    """The last answer has no reply yet (a model call failed); it must be resent first."""


class Busy(ServiceError):
    """Another answer to the same session is being stored at this moment."""


@dataclass(frozen=True)
class SessionView:
    session: InterviewSession
    persona: Persona
    rubric: Rubric
    turns: list[Turn]
    judge_calls: list[JudgeCall]

    @property
    def usage(self) -> accounting.Totals:
        """Every model call of the session: the interviewer's replies and the judge's calls."""
        return accounting.total([*(t for t in self.turns if t.role == "interviewer"), *self.judge_calls])


@dataclass(frozen=True)
class AnswerResult:
    answer: Turn
    reply: Turn
    status: str


@dataclass(frozen=True)
class PendingReply:
    """An interviewer turn the engine has decided on, still waiting for its words."""

    session: InterviewSession
    answer: Turn | None
    move: Move
    seq: int
    context: prompts.ReplyContext


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


def turn_views(turns: list[Turn]) -> list[TurnView]:
    return [
        TurnView(role=t.role, kind=t.kind, question_id=t.question_id, probe_id=t.probe_id, words=len(words(t.content)))  # type: ignore[arg-type]
        for t in turns
    ]


def get_session(*, db: Session, session_id: str) -> SessionView:
    session = store.get_session(db=db, session_id=session_id)
    if session is None:
        raise SessionNotFound(session_id)
    persona = Persona.model_validate_json(session.persona_snapshot)
    rubric = Rubric.model_validate_json(session.rubric_snapshot)
    return SessionView(
        session=session, persona=persona, rubric=rubric,
        turns=store.list_turns(db=db, session_id=session_id),
        judge_calls=store.list_judge_calls(db=db, session_id=session_id),
    )


def answers_to(turns: list[Turn], question_id: str, *, up_to: int | None = None) -> list[Turn]:
    """The candidate's answers to one question (its main answer and follow-up answers)."""
    return [t for t in turns if t.role == "candidate" and t.question_id == question_id and (up_to is None or t.seq <= up_to)]


def assess_answer(view: SessionView, turns: list[Turn], answer: Turn) -> scoring.Assessment | None:
    if answer.question_id is None:
        return None
    thread = answers_to(turns, answer.question_id, up_to=answer.seq)
    return scoring.assess(
        thread=scoring.merge_answers([t.content for t in thread], answer.language),  # type: ignore[arg-type]
        latest=answer.content,
        question=view.persona.question(answer.question_id),
        rubric=view.rubric,
        language=answer.language,  # type: ignore[arg-type]
        min_words=view.persona.min_answer_words,
    )


def _pending(
    *, session: InterviewSession, persona: Persona, rubric: Rubric, turns: list[Turn], answer: Turn | None, move: Move,
    lacking: list[str],
) -> PendingReply:
    seq = answer.seq + 1 if answer else 1
    scripted = offline.phrase_move(persona, move, session_language=session.language, turn_index=seq - 1)
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


def _decide(view: SessionView, turns: list[Turn], answer: Turn) -> PendingReply:
    """The engine's decision for the reply to `answer`, given the transcript up to it."""
    session = view.session
    assessment = assess_answer(view, turns, answer)
    move = engine.next_move(
        persona=view.persona,
        planned=session.plan,
        language=session.language,  # type: ignore[arg-type]
        turns=turn_views(turns),
        assessment=assessment,
        seed=session.id,
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
    persona_snapshot, persona_hash = snapshot(persona)
    rubric_snapshot, rubric_hash = snapshot(rubric)
    session = InterviewSession(
        user_id=user_id,
        persona_id=persona.id,
        rubric_id=rubric.id,
        language=language or persona.language,
        model=model,
        persona_snapshot=persona_snapshot,
        persona_hash=persona_hash,
        rubric_snapshot=rubric_snapshot,
        rubric_hash=rubric_hash,
        plan=[],
        job_description=clean_text(job_description, field="job_description", limit=document_limit),
        cv=clean_text(cv, field="cv", limit=document_limit),
        takehome=takehome,
        claims=records,
    )
    session.plan = engine.plan(persona, seed=session.id)
    move = engine.first_move(persona, session.plan, session.language)  # type: ignore[arg-type]
    return _pending(session=session, persona=persona, rubric=rubric, turns=[], answer=None, move=move, lacking=[])


def store_session(*, db: Session, pending: PendingReply, text: str, usage: llm.Usage) -> SessionView:
    if pending.session.user_id == store.LOCAL_USER:
        store.ensure_local_user(db=db)
    db.add(pending.session)
    db.add(_interviewer_turn(pending, text, usage))
    db.commit()
    return get_session(db=db, session_id=pending.session.id)


# ---------------------------------------------------------------- answering


def accept_answer(
    *, db: Session, session_id: str, content: str, idempotency_key: str | None, answer_limit: int
) -> AnswerResult | PendingReply:
    """Store the answer (step 1). A replayed key returns its result, or resumes its missing reply."""
    view = get_session(db=db, session_id=session_id)
    session = view.session
    text = clean_text(content, field="content", limit=answer_limit)
    if idempotency_key:
        previous = store.find_answer_by_key(db=db, session_id=session_id, idempotency_key=idempotency_key)
        if previous is not None:
            if text != previous.content:
                raise KeyReused(
                    "this Idempotency-Key was already used for a different answer; use a new key for a new answer"
                )
            return _resume(view, previous)
    if session.status != "active":
        raise SessionEnded(session_id)
    if text is None:
        raise InvalidInput("content: the answer is empty; type an answer before sending")
    if not words(text):
        raise InvalidInput("content: the answer has no words; write your answer in words before sending")
    last = view.turns[-1]
    if last.role == "candidate":
        if text == last.content:
            # The same answer sent again (without its key) resumes the reply it is waiting for.
            return _resume(view, last)
        raise ReplyMissing(
            "your previous answer is stored but has no reply yet; send it again (same text or same "
            "Idempotency-Key) to get the reply before answering further"
        )
    candidate = Turn(
        session_id=session.id,
        seq=last.seq + 1,
        role="candidate",
        kind="answer" if last.kind != "closing" else "candidate_question",
        question_id=last.question_id,
        language=last.language,
        content=text,
        idempotency_key=idempotency_key,
    )
    db.add(candidate)
    try:
        # The answer is committed before any model call: nothing after this may lose it.
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise Busy("another answer to this session was stored at the same moment; resend yours") from exc
    db.refresh(candidate)
    return _decide(view, [*view.turns, candidate], candidate)


def _resume(view: SessionView, answer: Turn) -> AnswerResult | PendingReply:
    reply = next((t for t in view.turns if t.seq == answer.seq + 1), None)
    if reply is not None:
        return AnswerResult(answer=answer, reply=reply, status=view.session.status)
    return _decide(view, [t for t in view.turns if t.seq <= answer.seq], answer)


def reply_stream(models: llm.Models, pending: PendingReply) -> llm.TextStream:
    """The interviewer's words for the move (step 2): the only model call on a turn's critical path."""
    model = pending.session.model
    if llm.is_offline(model):
        return llm.offline_stream(pending.context.scripted)
    messages = prompts.interviewer_messages(pending.context, recent_turns=models.settings.recent_turns)
    return models.stream(model=model, messages=messages)


def _interviewer_turn(pending: PendingReply, text: str, usage: llm.Usage) -> Turn:
    move = pending.move
    log.info("turn session=%s seq=%s kind=%s prompt_tokens=%s", pending.session.id, pending.seq, move.kind, usage.prompt_tokens)
    return Turn(
        session_id=pending.session.id,
        seq=pending.seq,
        role="interviewer",
        kind="farewell" if move.kind == "ended" else move.kind,
        question_id=move.question_id,
        criterion_id=move.criterion_id,
        probe_id=move.probe_id,
        language=move.language,
        # PostgreSQL refuses NUL in text, and a model may emit one: never let it cost the reply.
        content=text.replace("\x00", "").strip(),
        model=usage.model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
        latency_ms=usage.latency_ms,
    )


def store_reply(*, db: Session, pending: PendingReply, text: str, usage: llm.Usage) -> AnswerResult:
    """Store the interviewer's turn (step 3); a concurrent resend that stored it first wins."""
    assert pending.answer is not None
    session = db.get(InterviewSession, pending.session.id)
    assert session is not None
    reply = _interviewer_turn(pending, text, usage)
    db.add(reply)
    if pending.move.kind == "ended":
        session.status = "ended"
        session.ended_at = store.now()
        db.add(session)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        view = get_session(db=db, session_id=session.id)
        stored = next(t for t in view.turns if t.seq == pending.seq)
        return AnswerResult(answer=pending.answer, reply=stored, status=view.session.status)
    db.refresh(reply)
    db.refresh(session)
    return AnswerResult(answer=pending.answer, reply=reply, status=session.status)


def end_session(*, db: Session, session_id: str) -> SessionView:
    view = get_session(db=db, session_id=session_id)
    if view.session.status == "active":
        view.session.status = "ended"
        view.session.ended_at = store.now()
        db.add(view.session)
        db.commit()
    return get_session(db=db, session_id=session_id)


def delete_session(*, db: Session, session_id: str) -> None:
    if not store.delete_session(db=db, session_id=session_id):
        raise SessionNotFound(session_id)
