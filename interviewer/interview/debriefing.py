"""The debrief use case: read a loop's rounds (their reports, the candidate's answers and the
handoff notes) and build its debrief. Answers still unscored are judged first, outside any
database connection, exactly as a round's report is."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog
from interviewer.feedback.debrief import build_debrief
from interviewer.feedback.debrief_model import Answer, Debrief, NoteInput, RoundInput
from interviewer.interview import reporting as feedback
from interviewer.interview.loops import get_loop
from interviewer.models import llm
from interviewer.ops.locks import KeyedLocks
from interviewer.storage.tables import HandoffNote, Turn


def _answers(db: Session, session_id: str) -> list[Answer]:
    query = select(Turn).where(Turn.session_id == session_id, Turn.role == "candidate").order_by(Turn.seq)  # type: ignore[arg-type]
    return [Answer(t.question_id, t.content, t.language) for t in db.exec(query) if t.question_id]  # type: ignore[arg-type]


def _notes(db: Session, loop_id: str) -> list[NoteInput]:
    notes = list(db.exec(select(HandoffNote).where(HandoffNote.loop_id == loop_id).order_by(HandoffNote.id)))  # type: ignore[arg-type]
    ids = [n.id for n in notes]
    uses: dict[int, list[tuple[str, str]]] = {}
    if ids:
        led = select(Turn).where(Turn.handoff_note_id.in_(ids))  # type: ignore[union-attr]
        for t in db.exec(led):
            if t.question_id:
                uses.setdefault(t.handoff_note_id, []).append((t.session_id, t.question_id))  # type: ignore[arg-type]
    return [
        NoteInput(id=n.id, session_id=n.session_id, persona_id=n.persona_id, kind=n.kind, text=n.text,  # type: ignore[arg-type]
                  criterion_id=n.criterion_id, question_id=n.question_id, topic=n.topic, quote=n.quote,
                  used_by=tuple(uses.get(n.id, [])))  # type: ignore[arg-type]
        for n in notes
    ]


def build(*, db: Session, loop_id: str, user_id: str, catalog: Catalog | None = None) -> Debrief:
    """The debrief from the scores already stored; another user's loop is not found, like a session."""
    view = get_loop(db=db, loop_id=loop_id, user_id=user_id)
    loop = view.loop
    rounds: list[RoundInput] = []
    for state in view.rounds:
        persona = catalog.personas.get(state.persona_id) if catalog else None
        name = f"{persona.name} ({state.persona_id})" if persona else state.persona_id
        if state.session_id is None:
            rounds.append(RoundInput(persona_id=state.persona_id, name=name, session_id=None, status=state.status))  # type: ignore[arg-type]
            continue
        content = feedback.current_report(db=db, session_id=state.session_id)
        name = f"{content.session.interviewer} ({state.persona_id})"
        rounds.append(RoundInput(
            persona_id=state.persona_id, name=name, session_id=state.session_id, status=state.status,  # type: ignore[arg-type]
            report=content.model_dump(mode="json"), answers=_answers(db, state.session_id),
        ))
    notes = _notes(db, loop_id)
    db.commit()
    language: Language = loop.language  # type: ignore[assignment]
    return build_debrief(loop_id=loop.id, language=language, rounds=rounds, notes=notes)


def loop_debrief(*, db: Session, loop_id: str, user_id: str, catalog: Catalog | None = None) -> dict[str, Any]:
    """The loop's debrief as JSON, from the scores already stored."""
    return build(db=db, loop_id=loop_id, user_id=user_id, catalog=catalog).model_dump(mode="json")


async def debrief_for(
    *, engine: Engine, models: llm.Models, locks: KeyedLocks, loop_id: str, user_id: str, catalog: Catalog | None = None
) -> Debrief:
    """Judge what each round left unscored (one round at a time, no connection held while a model
    thinks), then build the debrief from the stored scores."""

    def sessions() -> list[str]:
        with Session(engine) as db:
            return [s.session_id for s in get_loop(db=db, loop_id=loop_id, user_id=user_id).rounds if s.session_id]

    for session_id in await anyio.to_thread.run_sync(sessions):
        await feedback.report_for(engine=engine, models=models, locks=locks, session_id=session_id)

    def debrief() -> Debrief:
        with Session(engine) as db:
            return build(db=db, loop_id=loop_id, user_id=user_id, catalog=catalog)

    return await anyio.to_thread.run_sync(debrief)
