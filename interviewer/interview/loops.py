"""Loops (issue 18): the rounds of a hiring loop rehearsed one after another, with one dossier (job
description, CV, take-home) stored once and given to every round, and handoff notes left by each
finished round for the next ones (derived in interview/handoff.py). The use cases; the API and the CLI map them.

A round is a session carrying `loop_id` and `loop_round`; its status is the session's. Nothing here
holds a database connection while a model thinks: every store step has a short session of its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import anyio
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog
from interviewer.interview import errors
from interviewer.interview import replies
from interviewer.interview import reporting as feedback, handoff, service
from interviewer.interview import state as state_module
from interviewer.interview import takehome as takehome_module
from interviewer.models import calls as calls_module
from interviewer.models import llm
from interviewer.ops.locks import KeyedLocks
from interviewer.ops.settings import Settings
from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage import tables as store
from interviewer.storage.tables import HandoffNote, Loop

DEFAULT_ROUNDS = ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]
MAX_ROUNDS = 8
RoundStatus = Literal["not_started", "active", "ended"]
LoopStatus = Literal["not_started", "in_progress", "done"]
T = TypeVar("T")
log = logging.getLogger("interviewer.loops")


class LoopNotFound(errors.ServiceError):
    def __init__(self, loop_id: str) -> None:
        super().__init__(f"no loop '{loop_id}'")


class LoopFinished(errors.ServiceError):
    """Every round has been started: there is no next one."""


class RoundActive(errors.ServiceError):
    """The current round is still open: end it before the next one starts."""


@dataclass(frozen=True)
class RoundState:
    index: int
    persona_id: str
    session_id: str | None
    status: RoundStatus


@dataclass(frozen=True)
class LoopView:
    loop: Loop
    rounds: list[RoundState]

    @property
    def status(self) -> LoopStatus:
        return loop_status(self.rounds)


def loop_status(rounds: list[RoundState]) -> LoopStatus:
    if all(r.status == "not_started" for r in rounds):
        return "not_started"
    return "done" if all(r.status == "ended" for r in rounds) else "in_progress"


def _states(loop: Loop, started: list[tuple[str, int, str, str, str]]) -> list[RoundState]:
    by_round = {index: (session_id, status) for _, index, session_id, _, status in started}
    states: list[RoundState] = []
    for index, persona_id in enumerate(loop.rounds):
        session_id, status = by_round.get(index, (None, "not_started"))
        states.append(RoundState(index, persona_id, session_id, "ended" if status == "ended" else status))  # type: ignore[arg-type]
    return states


def loop_rounds(db: Session, loop_id: str) -> list[RoundState]:
    """Each round of the loop in order: its persona, its session once started, and its status."""
    loop = queries.get_loop(db=db, loop_id=loop_id)
    if loop is None:
        raise LoopNotFound(loop_id)
    return _states(loop, queries.loop_sessions(db=db, loop_ids=[loop_id]))


# ---------------------------------------------------------------- creating and reading


def checked_rounds(catalog: Catalog, rounds: list[str] | None) -> list[str]:
    """The rounds asked for, or the default four; each must be a persona of the catalog."""
    if rounds is None:
        return list(DEFAULT_ROUNDS)
    if not rounds:
        raise errors.InvalidInput("rounds: the list is empty; give at least one persona id, or leave rounds out for the default four")
    if len(rounds) > MAX_ROUNDS:
        raise errors.InvalidInput(f"rounds: {len(rounds)} rounds is over the limit of {MAX_ROUNDS}")
    for i, persona_id in enumerate(rounds):
        if persona_id not in catalog.personas:
            raise errors.InvalidInput(f"rounds[{i}]: unknown persona '{persona_id}'; valid ids: {', '.join(sorted(catalog.personas))}")
    return list(rounds)


def create_loop(
    *, db: Session, catalog: Catalog, user_id: str, rounds: list[str] | None = None, language: Language | None = None,
    job_description: str | None = None, cv: str | None = None, takehome: str | None = None, takehome_name: str | None = None,
    document_limit: int,
) -> LoopView:
    """A new loop with its dossier; no round starts until `next_round`."""
    chosen = checked_rounds(catalog, rounds)
    loop = Loop(
        user_id=user_id,
        language=language or catalog.personas[chosen[0]].language,
        rounds=chosen,
        job_description=service.clean_text(job_description, field="job_description", limit=document_limit),
        cv=service.clean_text(cv, field="cv", limit=document_limit),
        takehome=service.clean_text(takehome, field="takehome", limit=document_limit),
        takehome_name=(takehome_name or None) and takehome_name[:255],
    )
    if user_id == store.LOCAL_USER:
        queries.ensure_local_user(db=db)
    with database.writing(db):
        db.add(loop)
        db.commit()
        db.refresh(loop)
    return LoopView(loop, _states(loop, []))


def get_loop(*, db: Session, loop_id: str, user_id: str) -> LoopView:
    """The loop and its rounds; another user's loop is answered as not found, like a session."""
    loop = queries.get_loop(db=db, loop_id=loop_id)
    if loop is None or loop.user_id != user_id:
        raise LoopNotFound(loop_id)
    return LoopView(loop, _states(loop, queries.loop_sessions(db=db, loop_ids=[loop_id])))


def list_loops(*, db: Session, user_id: str, limit: int = 100) -> list[LoopView]:
    """The user's loops, newest first, in two queries however many there are."""
    loops = queries.list_loops(db=db, user_id=user_id, limit=limit)
    started = queries.loop_sessions(db=db, loop_ids=[loop.id for loop in loops])
    return [LoopView(loop, _states(loop, [row for row in started if row[0] == loop.id])) for loop in loops]


# ---------------------------------------------------------------- handoff notes


def _note_key(note: HandoffNote) -> tuple[str, str | None, str | None, str | None]:
    return handoff.NoteDraft(kind=note.kind, text=note.text, criterion_id=note.criterion_id, question_id=note.question_id, topic=note.topic).key


def leave_notes(*, db: Session, session_id: str) -> list[HandoffNote]:
    """Derive a round's notes from its report and answers, and store them in place of the old ones:
    idempotent, like a report (score the answers first for notes on every answer)."""
    view = state_module.get_session(db=db, session_id=session_id)
    session = view.session
    if session.loop_id is None:
        return []
    content = feedback.current_report(db=db, session_id=session_id)
    answers = [(t.question_id, t.content) for t in view.turns if t.role == "candidate" and t.kind == "answer"]
    names = handoff.criterion_names(view.rubric, session.language)  # type: ignore[arg-type]
    drafts = handoff.derive_notes(report=content, answers=answers, language=session.language, names=names)  # type: ignore[arg-type]
    fields = [
        {"kind": d.kind, "criterion_id": d.criterion_id, "question_id": d.question_id, "topic": d.topic and d.topic[:200], "text": d.text, "quote": d.quote}
        for d in drafts
    ]
    return queries.replace_notes(db=db, loop_id=session.loop_id, session_id=session_id, persona_id=session.persona_id, notes=fields, key=_note_key)


def earlier_notes(*, db: Session, catalog: Catalog, loop_id: str, before_round: int) -> list[handoff.EarlierNote]:
    """The notes of the rounds before `before_round`, the latest round's first (its weakest points first)."""
    rounds = {session_id: index for _, index, session_id, _, _ in queries.loop_sessions(db=db, loop_ids=[loop_id])}
    notes = [n for n in queries.list_notes(db=db, loop_id=loop_id) if rounds.get(n.session_id, before_round) < before_round]
    notes.sort(key=lambda n: (-rounds[n.session_id], n.id))

    def colleague(persona_id: str) -> str:
        persona = catalog.personas.get(persona_id)
        return persona.name if persona is not None else persona_id

    return [
        handoff.EarlierNote(id=n.id, kind=n.kind, colleague=colleague(n.persona_id), text=n.text, criterion_id=n.criterion_id, topic=n.topic, quote=n.quote)  # type: ignore[arg-type]
        for n in notes
    ]


# ---------------------------------------------------------------- the next round


def _next_index(view: LoopView) -> int:
    active = next((r for r in view.rounds if r.status == "active"), None)
    if active is not None:
        raise RoundActive(
            f"round {active.index + 1} ({active.persona_id}) is still in progress: finish it or end it "
            f"(POST /api/sessions/{active.session_id}/end) before starting the next one"
        )
    upcoming = next((r for r in view.rounds if r.status == "not_started"), None)
    if upcoming is None:
        raise LoopFinished(
            f"all {len(view.rounds)} rounds of loop '{view.loop.id}' have been played; there is no next round "
            f"(read the debrief: GET /api/loops/{view.loop.id}/debrief)"
        )
    return upcoming.index


def prepare_round(*, db: Session, catalog: Catalog, settings: Settings, loop_id: str, user_id: str, claims: list[takehome_module.Claim] | None = None) -> replies.PendingReply:
    """The next round's session with the loop's dossier and the earlier rounds' notes, not yet stored."""
    view = get_loop(db=db, loop_id=loop_id, user_id=user_id)
    index = _next_index(view)
    loop = view.loop
    notes = earlier_notes(db=db, catalog=catalog, loop_id=loop_id, before_round=index)
    pending = service.prepare_session(
        catalog=catalog, model=settings.model, persona_id=loop.rounds[index], language=loop.language,  # type: ignore[arg-type]
        job_description=loop.job_description, cv=loop.cv, takehome=loop.takehome, claims=claims,
        document_limit=settings.max_document_chars, user_id=loop.user_id, handoff_notes=notes,
    )
    pending.session.loop_id, pending.session.loop_round = loop.id, index
    return pending


def store_round(*, db: Session, pending: replies.PendingReply, text: str, usage: calls_module.Usage, calls: list[tuple[str, calls_module.Usage]] = ()) -> state_module.SessionView:  # type: ignore[assignment]
    try:
        return service.store_session(db=db, pending=pending, text=text, usage=usage, calls=calls)
    except IntegrityError as exc:
        db.rollback()
        raise RoundActive(f"round {(pending.session.loop_round or 0) + 1} of this loop was started by another request at the same moment") from exc


def next_index(*, db: Session, loop_id: str, user_id: str) -> int:
    """Which round starts next (RoundActive or LoopFinished when none can)."""
    return _next_index(get_loop(db=db, loop_id=loop_id, user_id=user_id))


def needs_claims(*, catalog: Catalog, loop: Loop, index: int) -> bool:
    persona = catalog.personas.get(loop.rounds[index])
    if persona is None:
        # Removed from the catalog since the loop was created.
        raise errors.PersonaNotFound(loop.rounds[index], sorted(catalog.personas))
    return bool(loop.takehome) and persona.takehome is not None


async def next_round(
    *, engine: Engine, models: llm.Models, locks: KeyedLocks, catalog: Catalog, settings: Settings, loop_id: str, user_id: str,
) -> state_module.SessionView:
    """Start the next round: the ended rounds' answers are scored and their notes derived again
    (idempotent), then the round opens with the dossier and the notes."""

    async def step(work: Callable[[Session], T]) -> T:
        def run() -> T:
            with Session(engine) as db:
                return work(db)

        return await anyio.to_thread.run_sync(run)

    view = await step(lambda db: get_loop(db=db, loop_id=loop_id, user_id=user_id))
    index = _next_index(view)
    for state in view.rounds:
        if state.status == "ended" and state.session_id is not None:
            await leave_notes_when_ended(engine=engine, models=models, locks=locks, session_id=state.session_id)
    claims, calls = None, []
    if needs_claims(catalog=catalog, loop=view.loop, index=index):
        with calls_module.ledger() as calls:  # the claims call is accounted to the round it starts
            claims = await takehome_module.claims_for(models, view.loop.takehome or "", language=view.loop.language)
    pending = await step(lambda db: prepare_round(db=db, catalog=catalog, settings=settings, loop_id=loop_id, user_id=user_id, claims=claims))
    text, usage = await replies.reply_text(models, pending)
    return await step(lambda db: store_round(db=db, pending=pending, text=text, usage=usage, calls=calls))


async def leave_notes_when_ended(*, engine: Engine, models: llm.Models, locks: KeyedLocks, session_id: str) -> list[HandoffNote]:
    """A round that ends leaves its notes at once: its answers are scored first (as for its report),
    with no connection held meanwhile; the next round derives them again, to the same notes.
    The derivation itself holds the session's lock (as a report build does), so an end, a next and
    the background derivation of a round never replace its notes at the same time."""
    await feedback.report_for(engine=engine, models=models, locks=locks, session_id=session_id)

    def run() -> list[HandoffNote]:
        with Session(engine) as db:
            return leave_notes(db=db, session_id=session_id)

    async with locks.hold(session_id):
        return await anyio.to_thread.run_sync(run)


def leave_notes_soon(*, engine: Engine, models: llm.Models, locks: KeyedLocks, tasks: set[asyncio.Task[Any]], session_id: str) -> None:
    """A session that ended on its last answer: if it is a round of a loop, its notes are left in the
    background once its answers are scored (the reply is not kept waiting); `tasks` holds the task."""

    async def leave() -> None:
        try:
            row = await anyio.to_thread.run_sync(lambda: _loop_of(engine, session_id))
            if row is not None:
                await leave_notes_when_ended(engine=engine, models=models, locks=locks, session_id=session_id)
        except Exception:
            # Derived data: the next round or the end route derives the notes again.
            log.exception("leaving the handoff notes of %s failed; the next round derives them again", session_id)

    task = asyncio.get_running_loop().create_task(leave())
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def _loop_of(engine: Engine, session_id: str) -> str | None:
    with Session(engine) as db:
        row = queries.get_session(db=db, session_id=session_id)
        return row.loop_id if row is not None else None


def summary(view: LoopView) -> dict[str, Any]:
    """The loop as the API and the CLI show it."""
    loop = view.loop
    return {
        "id": loop.id,
        "status": view.status,
        "language": loop.language,
        "rounds": [{"persona_id": r.persona_id, "session_id": r.session_id, "status": r.status} for r in view.rounds],
        # Which documents the dossier holds (each round gets them); their text is not repeated here.
        "dossier": {"job_description": bool(loop.job_description), "cv": bool(loop.cv), "takehome": bool(loop.takehome), "takehome_name": loop.takehome_name},
        "created_at": loop.created_at,
    }
