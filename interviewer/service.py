"""The use cases: start a session, answer, end, score, report. The only place where storage,
the engine, the scorer and the model meet. Raises domain errors; the API maps them to HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer import engine, llm, report, scoring, store
from interviewer.catalog import Catalog, Language, Persona, Rubric, snapshot
from interviewer.engine import Move, TurnView
from interviewer.store import AnswerScore, InterviewSession, Turn


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


class PendingReply(ServiceError):
    """The last answer has no reply yet (a model call failed); it must be resent first."""


class Busy(ServiceError):
    """Another answer to the same session is being stored at this moment."""


@dataclass(frozen=True)
class SessionView:
    session: InterviewSession
    persona: Persona
    rubric: Rubric
    turns: list[Turn]


@dataclass(frozen=True)
class AnswerResult:
    answer: Turn
    reply: Turn
    status: str


def clean_text(value: str | None, *, field: str, limit: int) -> str | None:
    """Normalise a candidate-supplied text; refuse what cannot be stored faithfully."""
    if value is None:
        return None
    if "\x00" in value:
        raise InvalidInput(f"{field}: contains a NUL character; remove it and resend")
    if len(value) > limit:
        raise InputTooLarge(f"{field}: {len(value)} characters is over the limit of {limit}")
    value = value.strip()
    return value or None


def _persona_and_rubric(session: InterviewSession) -> tuple[Persona, Rubric]:
    return (
        Persona.model_validate_json(session.persona_snapshot),
        Rubric.model_validate_json(session.rubric_snapshot),
    )


def _views(turns: list[Turn]) -> list[TurnView]:
    return [TurnView(role=t.role, kind=t.kind, question_id=t.question_id, probe_id=t.probe_id) for t in turns]  # type: ignore[arg-type]


def _interviewer_turn(*, session: InterviewSession, persona: Persona, move: Move, seq: int, model: str) -> Turn:
    reply = llm.phrase(
        model=model, persona=persona, move=move, session_language=session.language, turn_index=seq - 1
    )
    return Turn(
        session_id=session.id,
        seq=seq,
        role="interviewer",
        kind="farewell" if move.kind == "ended" else move.kind,
        question_id=move.question_id,
        criterion_id=move.criterion_id,
        probe_id=move.probe_id,
        language=move.language,
        content=reply.text,
        model=reply.model,
        prompt_tokens=reply.prompt_tokens,
        completion_tokens=reply.completion_tokens,
        latency_ms=reply.latency_ms,
    )


def start_session(
    *,
    db: Session,
    catalog: Catalog,
    model: str,
    persona_id: str,
    language: Language | None = None,
    job_description: str | None = None,
    cv: str | None = None,
    takehome: str | None = None,
    document_limit: int,
) -> SessionView:
    persona = catalog.personas.get(persona_id)
    if persona is None:
        raise PersonaNotFound(persona_id, sorted(catalog.personas))
    rubric = catalog.rubric_for(persona)
    persona_snapshot, persona_hash = snapshot(persona)
    rubric_snapshot, rubric_hash = snapshot(rubric)
    session = InterviewSession(
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
        takehome=clean_text(takehome, field="takehome", limit=document_limit),
    )
    session.plan = engine.plan(persona, seed=session.id)
    move = engine.first_move(persona, session.plan, session.language)  # type: ignore[arg-type]
    first = _interviewer_turn(session=session, persona=persona, move=move, seq=1, model=model)
    db.add(session)
    db.add(first)
    db.commit()
    return get_session(db=db, session_id=session.id)


def get_session(*, db: Session, session_id: str) -> SessionView:
    session = store.get_session(db=db, session_id=session_id)
    if session is None:
        raise SessionNotFound(session_id)
    persona, rubric = _persona_and_rubric(session)
    return SessionView(session=session, persona=persona, rubric=rubric, turns=store.list_turns(db=db, session_id=session_id))


def _thread(turns: list[Turn], question_id: str) -> list[Turn]:
    return [t for t in turns if t.role == "candidate" and t.question_id == question_id]


def _assess(view: SessionView, turns: list[Turn], answer: Turn) -> scoring.Assessment | None:
    if answer.question_id is None:
        return None
    thread = [t for t in _thread(turns, answer.question_id) if t.seq <= answer.seq]
    return scoring.assess(
        thread="\n".join(t.content for t in thread),
        latest=answer.content,
        question=view.persona.question(answer.question_id),
        rubric=view.rubric,
        language=answer.language,  # type: ignore[arg-type]
        min_words=view.persona.min_answer_words,
    )


def _reply_to(*, db: Session, view: SessionView, turns: list[Turn], answer: Turn) -> Turn:
    session = view.session
    move = engine.next_move(
        persona=view.persona,
        planned=session.plan,
        language=session.language,  # type: ignore[arg-type]
        turns=_views(turns),
        assessment=_assess(view, turns, answer),
        seed=session.id,
    )
    reply = _interviewer_turn(session=session, persona=view.persona, move=move, seq=answer.seq + 1, model=session.model)
    if move.kind == "ended":
        session.status = "ended"
        session.ended_at = store.now()
        db.add(session)
    db.add(reply)
    db.commit()
    db.refresh(reply)
    return reply


def answer(
    *, db: Session, session_id: str, content: str, idempotency_key: str | None, answer_limit: int
) -> AnswerResult:
    view = get_session(db=db, session_id=session_id)
    session = view.session
    if idempotency_key:
        previous = store.find_answer_by_key(db=db, session_id=session_id, idempotency_key=idempotency_key)
        if previous is not None:
            return _replay(db=db, view=view, answer=previous)
    if session.status != "active":
        raise SessionEnded(session_id)
    text = clean_text(content, field="content", limit=answer_limit)
    if text is None:
        raise InvalidInput("content: the answer is empty; type an answer before sending")
    last = view.turns[-1]
    if last.role == "candidate":
        raise PendingReply(
            "your previous answer is stored but has no reply yet; resend it with the same Idempotency-Key"
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
    turns = [*view.turns, candidate]
    reply = _reply_to(db=db, view=view, turns=turns, answer=candidate)
    return AnswerResult(answer=candidate, reply=reply, status=session.status)


def _replay(*, db: Session, view: SessionView, answer: Turn) -> AnswerResult:
    """Return the stored result of an answer, producing its reply first if it is still missing."""
    turns = [t for t in view.turns if t.seq <= answer.seq + 1]
    reply = next((t for t in turns if t.seq == answer.seq + 1), None)
    if reply is None:
        reply = _reply_to(db=db, view=view, turns=turns, answer=answer)
    return AnswerResult(answer=answer, reply=reply, status=view.session.status)


def end_session(*, db: Session, session_id: str) -> SessionView:
    view = get_session(db=db, session_id=session_id)
    if view.session.status == "active":
        view.session.status = "ended"
        view.session.ended_at = store.now()
        db.add(view.session)
        db.commit()
    return get_session(db=db, session_id=session_id)


def score_pending(*, db: Session, session_id: str) -> int:
    """Score every answer that has no scores yet; scores are derived data, so this can rerun."""
    view = get_session(db=db, session_id=session_id)
    scored = {s.turn_id for s in store.list_scores(db=db, session_id=session_id)}
    added = 0
    for turn in view.turns:
        if turn.role != "candidate" or turn.question_id is None or turn.id in scored:
            continue
        assessment = _assess(view, view.turns, turn)
        assert assessment is not None
        judgement = llm.judge(model=view.session.model, assessment=assessment)
        for item in judgement.scores:
            evidence, flagged = scoring.verify_evidence(item.evidence, "\n".join(t.content for t in _thread(view.turns, turn.question_id)))
            db.add(
                AnswerScore(
                    session_id=session_id,
                    turn_id=turn.id,  # type: ignore[arg-type]
                    question_id=turn.question_id,
                    criterion_id=item.criterion_id,
                    score=max(1, min(5, item.score)),
                    rationale=item.rationale,
                    evidence=evidence,
                    flagged=flagged or item.flagged,
                    model=judgement.model,
                )
            )
            added += 1
    try:
        db.commit()
    except IntegrityError:
        # Another worker scored the same answers first; their rows are as good as ours.
        db.rollback()
        return 0
    return added


def delete_session(*, db: Session, session_id: str) -> None:
    if not store.delete_session(db=db, session_id=session_id):
        raise SessionNotFound(session_id)


def build_report(*, db: Session, session_id: str) -> dict[str, Any]:
    """Score whatever is still unscored, build the report and store it."""
    score_pending(db=db, session_id=session_id)
    view = get_session(db=db, session_id=session_id)
    content = report.build_report(
        session=view.session,
        persona=view.persona,
        rubric=view.rubric,
        turns=view.turns,
        scores=store.list_scores(db=db, session_id=session_id),
    )
    store.save_report(db=db, session_id=session_id, content=content)
    return content
