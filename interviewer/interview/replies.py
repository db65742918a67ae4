"""A decided move put into words and stored (steps 2 and 3 of a turn): the model (or the offline
voice) phrases the interviewer's reply, streamed or in one piece, the only model call on a
turn's critical path; then the interviewer's turn is stored."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer.interview import handoff
from interviewer.interview import prompts, transcripts
from interviewer.interview.engine import Move
from interviewer.interview.errors import Busy, SessionNotFound, deleted_mid_turn
from interviewer.interview.state import load_state
from interviewer.models import calls as calls_module
from interviewer.models import llm
from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import InterviewSession, Turn


log = logging.getLogger("interviewer.service")


@dataclass(frozen=True)
class AnswerResult:
    answer: Turn
    reply: Turn
    status: str
    # Stored by this call (an offline turn in one transaction), not a replay: its answer is still to score.
    stored_now: bool = False


@dataclass(frozen=True)
class PendingReply:
    """An interviewer turn the engine has decided on, still waiting for its words."""

    session: InterviewSession
    answer: Turn | None
    move: Move
    seq: int
    context: prompts.ReplyContext
    # Said before the opening's words (a drill says what is due), whoever phrases them.
    preface: str | None = None


def reply_stream(models: llm.Models, pending: PendingReply) -> calls_module.TextStream:
    """The interviewer's words for the move (step 2), streamed: the only model call on a turn's critical path."""
    model = pending.session.model
    if calls_module.is_offline(model):
        return calls_module.offline_stream(pending.context.scripted)
    messages = prompts.interviewer_messages(pending.context, recent_turns=models.settings.recent_turns)
    return models.stream(model=model, messages=messages)


async def reply_text(models: llm.Models, pending: PendingReply) -> tuple[str, calls_module.Usage]:
    """The same words in one piece: a plain model call, cheaper than a stream nobody watches."""
    model = pending.session.model
    if calls_module.is_offline(model):
        return pending.context.scripted, calls_module.Usage(model=calls_module.OFFLINE, cost_usd=0.0, latency_ms=0)
    messages = prompts.interviewer_messages(pending.context, recent_turns=models.settings.recent_turns)
    reply = await models.complete(model=model, messages=messages, temperature=0.4, purpose="reply")
    return reply.text, reply.usage


def interviewer_turn(pending: PendingReply, text: str, usage: calls_module.Usage) -> Turn:
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
        handoff_note_id=handoff.note_id_for(pending.context.persona, move.kind, move.question_id),
    )


def store_reply(*, db: Session, pending: PendingReply, text: str, usage: calls_module.Usage) -> AnswerResult:
    """Store the interviewer's turn (step 3); a concurrent resend that stored it first wins.

    A session deleted while its turn was in flight answers SessionNotFound (the API's 404)."""
    assert pending.answer is not None, "an opening turn is stored with store_session"
    session_id = pending.session.id
    reply = interviewer_turn(pending, text, usage)
    status = "ended" if pending.move.kind == "ended" else pending.session.status
    with database.writing(db):
        try:
            queries.insert_turns(db=db, turns=[reply])
            if status == "ended" and not queries.set_status(db=db, session_id=session_id, status="ended", ended_at=store.now()):
                raise IntegrityError("the session is gone", None, ValueError(session_id))
            db.commit()
        except IntegrityError:
            db.rollback()
            try:
                state = load_state(db=db, session_id=session_id)
            except SessionNotFound:
                raise deleted_mid_turn(session_id) from None
            finally:
                db.rollback()
            stored = next((t for t in state.transcript.turns if t.seq == pending.seq), None)
            if stored is None:
                raise Busy("another answer to this session was stored at the same moment; resend yours") from None
            return AnswerResult(answer=pending.answer, reply=stored, status=state.session.status)
    base = transcripts.known(session_id)
    if base.last_seq == pending.answer.seq:
        transcripts.extend(session_id, base, [reply])
    return AnswerResult(answer=pending.answer, reply=reply, status=status)
