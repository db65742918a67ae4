"""Sessions: start a mock interview, answer (as JSON or streamed over SSE), end it, read its report."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from interviewer.api.auth import CallerDep
from interviewer.api.deps import CatalogDep, EngineDep, ModelsDep, SessionDep, SettingsDep
from interviewer.catalog.loading import Catalog
from interviewer.feedback import report as report_module
from interviewer.interview import drill_schedule, drills, reporting as feedback, loops, service
from interviewer.interview import engine as interview_engine
from interviewer.interview import errors
from interviewer.interview import replies
from interviewer.interview import state as state_module
from interviewer.interview import takehome as takehome_module
from interviewer.models import calls as calls_module
from interviewer.models import llm
from interviewer.storage import tables as store
from interviewer.api.schemas import (
    AnswerCreate,
    AnswerOut,
    DrillOut,
    ErrorOut,
    ProgressOut,
    SessionCreate,
    SessionOut,
    SessionSummary,
    TurnOut,
)
from interviewer.api.forms import SESSION_FORM, session_body
from interviewer.ops.locks import NOT_CLAIMED, Contended, NotClaimed, TurnLock
from interviewer.ops.settings import Settings
from interviewer.storage.database import is_disconnect, is_unreachable
from interviewer.storage.queries import list_sessions
from interviewer.storage.tables import Turn

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Unknown session"}}
MODEL_FAILED: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorOut, "description": "The model failed; retry (the answer is kept)"},
    503: {"model": ErrorOut, "description": "The model is unavailable or rate-limited; retry after Retry-After"},
    504: {"model": ErrorOut, "description": "The model timed out; retry"},
}
T = TypeVar("T")
ANSWER_KEPT = "Your answer is saved: send it again with the same Idempotency-Key to get the reply."


def turn_out(turn: Turn) -> TurnOut:
    return TurnOut.model_validate(turn, from_attributes=True)


def session_out(view: state_module.SessionView) -> SessionOut:
    s = view.session
    progress = interview_engine.progress(view.persona, s.plan, state_module.turn_views(view.turns))
    return SessionOut(
        id=s.id,
        persona_id=s.persona_id,
        rubric_id=s.rubric_id,
        language=s.language,
        status=s.status,
        model=s.model,
        created_at=s.created_at,
        ended_at=s.ended_at,
        progress=ProgressOut(**progress.__dict__),
        turns=[turn_out(t) for t in view.turns],
        usage=view.usage,
        loop_id=s.loop_id,
        loop_round=s.loop_round,
        mode=s.mode,
    )


def answer_out(result: replies.AnswerResult) -> AnswerOut:
    return AnswerOut(answer=turn_out(result.answer), reply=turn_out(result.reply), status=result.status)


def score_in_background(app: Any, result: replies.AnswerResult) -> None:
    # Judging runs after the reply is out: the reply is the only model call on a turn's critical path.
    app.state.scoring.submit(result.answer.session_id, result.answer.seq)
    if result.status == "ended":
        # A round of a loop that ends on its last answer leaves its handoff notes too (issue 18).
        state = app.state
        loops.leave_notes_soon(engine=state.engine, models=state.models, locks=state.scoring_locks, tasks=state.reply_tasks, session_id=result.answer.session_id)


def _short(engine: Engine, step: Callable[[Session], T]) -> Callable[[], T]:
    """A store step in a database session of its own, closed when the step ends: no connection
    or transaction is held across a model call."""

    def run() -> T:
        try:
            with Session(engine) as db:
                return step(db)
        except DBAPIError as exc:
            if not is_disconnect(exc):
                raise
        # The database closed a pooled connection (a restart), and the pool is renewed: once more.
        # Safe: a turn stored by the first try is found by its (session, seq) or Idempotency-Key.
        service.log.warning("a store step lost its database connection; retrying it once")
        with Session(engine) as db:
            return step(db)

    return run


@router.post(
    "",
    status_code=201,
    responses={
        404: {"model": ErrorOut, "description": "Unknown persona"}, 409: {"model": ErrorOut, "description": "A drill with nothing scored to drill yet"},
        413: {"model": ErrorOut}, 422: {"description": "Invalid fields or document"}, **MODEL_FAILED,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": SessionCreate.model_json_schema()},
                "multipart/form-data": {"schema": SESSION_FORM},
            },
        }
    },
)
async def create_session(
    request: Request, db: SessionDep, catalog: CatalogDep, settings: SettingsDep, models: ModelsDep, caller: CallerDep
) -> SessionOut:
    """Start a mock interview; the response holds the interviewer's first turn.

    Send JSON, or a multipart form whose job_description, cv and takehome may be files
    (.md, .txt, .ipynb, .pdf). A take-home's claims become the questions of the deep dive."""
    body = await session_body(request, settings)
    if body.mode == "drill":
        return await _start_drill(body, db=db, catalog=catalog, settings=settings, models=models, user_id=caller.user_id)
    claims, calls = None, []
    persona = catalog.personas.get(body.persona_id)
    if body.takehome and persona is not None and persona.takehome is not None:
        with calls_module.ledger() as calls:  # the claims call is accounted to the session it starts
            claims = await takehome_module.claims_for(models, body.takehome, language=body.language or persona.language)
    # CPU work (claims, plan, the opening's words) in a worker thread: the event loop stays free.
    pending = await run_in_threadpool(lambda: service.prepare_session(
        catalog=catalog,
        model=settings.model,
        persona_id=body.persona_id,
        language=body.language,
        job_description=body.job_description,
        cv=body.cv,
        takehome=body.takehome,
        claims=claims,
        document_limit=settings.max_document_chars,
        user_id=caller.user_id,
    ))
    text, usage = await replies.reply_text(models, pending)
    view = await run_in_threadpool(lambda: service.store_session(db=db, pending=pending, text=text, usage=usage, calls=calls))
    return session_out(view)


async def _start_drill(
    body: SessionCreate, *, db: Session, catalog: Catalog, settings: Settings, models: llm.Models, user_id: str
) -> SessionOut:
    """A drill of the round (issue 18): only the questions due for review, the most overdue first,
    or the weakest ones when none is due; the first turn says which. Documents are the session's
    context as in an interview (a model reads them); they do not change what a drill asks."""
    persona = catalog.personas.get(body.persona_id)
    if persona is None:
        raise errors.PersonaNotFound(body.persona_id, sorted(catalog.personas))
    language = body.language or persona.language
    plan = await run_in_threadpool(lambda: drill_schedule.drill_plan(db=db, persona=persona, user_id=user_id, now=store.now()))
    drill = service.Drill(questions=plan.questions, preface=drills.preface(plan, language))
    pending = await run_in_threadpool(lambda: service.prepare_session(
        catalog=catalog, model=settings.model, persona_id=persona.id, language=language,
        job_description=body.job_description, cv=body.cv, takehome=body.takehome,
        document_limit=settings.max_document_chars, user_id=user_id, drill=drill,
    ))
    text, usage = await replies.reply_text(models, pending)
    view = await run_in_threadpool(lambda: service.store_session(db=db, pending=pending, text=text, usage=usage))
    out = DrillOut(
        nothing_due=not plan.due, due_count=plan.due_count, question_ids=plan.questions, next_due_at=plan.next_due_at, message=drill.preface,
    )
    return session_out(view).model_copy(update={"drill": out})


@router.get("")
def get_sessions(
    db: SessionDep, caller: CallerDep, persona_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[SessionSummary]:
    """Your past sessions, newest first."""
    sessions = list_sessions(db=db, persona_id=persona_id, limit=limit, user_id=caller.user_id)
    return [SessionSummary.model_validate(s, from_attributes=True) for s in sessions]


@router.get("/{session_id}", responses=NOT_FOUND)
def get_session(session_id: str, db: SessionDep) -> SessionOut:
    """A session with its whole transcript."""
    return session_out(state_module.get_session(db=db, session_id=session_id))


def _store_reply(db: Session, turn: TurnLock, pending: replies.PendingReply, text: str, usage: calls_module.Usage) -> replies.AnswerResult:
    """Store the reply (step 3), then release the turn's claim in the same session."""
    result = replies.store_reply(db=db, pending=pending, text=text, usage=usage)
    turn.release_in(db)
    return result


def _sse(event: str, data: Any) -> bytes:
    return format_sse_event(event=event, data_str=json.dumps(data, ensure_ascii=False, default=str))


def _stream_reply(request: Request, pending: replies.PendingReply, turn: TurnLock) -> EventSourceResponse:
    """Stream the reply as `token` events, then `done` (the stored turns) or `error`.

    The reply is produced by a task of its own, so it is finished and stored even when the
    client disconnects mid-stream; the response only relays what the task produces. The task
    holds the session's turn until the reply is stored.
    """
    app = request.app
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    async def produce() -> None:
        try:
            stream = replies.reply_stream(app.state.models, pending)
            parts: list[str] = []
            async for delta in stream:
                parts.append(delta)
                queue.put_nowait(("token", {"text": delta}))
            assert stream.usage is not None

            text, usage = "".join(parts), stream.usage
            result = await run_in_threadpool(_short(app.state.engine, lambda db: _store_reply(db, turn, pending, text, usage)))
            await turn.release()
            queue.put_nowait(("done", answer_out(result).model_dump(mode="json")))
            score_in_background(app, result)
        except llm.ModelError as exc:
            queue.put_nowait(("error", {"detail": f"{exc}. {ANSWER_KEPT}", "status": exc.status, "retry_after": exc.retry_after}))
        except errors.SessionNotFound as exc:
            # Deleted mid-turn: the answer went with the session, so saying it is saved would be false.
            queue.put_nowait(("error", {"detail": str(exc), "status": 404, "retry_after": None}))
        except DBAPIError as exc:
            if not is_unreachable(exc):
                service.log.exception("storing a streamed reply failed")
                queue.put_nowait(("error", {"detail": f"the reply could not be produced. {ANSWER_KEPT}", "status": 500, "retry_after": 5}))
            else:
                service.log.warning("storing a streamed reply: the database is unreachable: %s", exc)
                detail = f"the database could not be reached to store the reply; resend your answer in a moment. {ANSWER_KEPT}"
                queue.put_nowait(("error", {"detail": detail, "status": 503, "retry_after": 1}))
        except Exception:
            service.log.exception("streaming a reply failed")
            queue.put_nowait(("error", {"detail": f"the reply could not be produced. {ANSWER_KEPT}", "status": 500, "retry_after": 5}))
        finally:
            await turn.release()

    task = asyncio.create_task(produce())
    # Keep a reference: a task nobody holds can be garbage-collected before it finishes.
    app.state.reply_tasks.add(task)
    task.add_done_callback(app.state.reply_tasks.discard)

    async def events() -> AsyncIterator[bytes]:
        while True:
            kind, data = await queue.get()
            yield _sse(kind, data)
            if kind != "token":
                return

    return EventSourceResponse(events())


@router.post(
    "/{session_id}/answers",
    responses={
        **NOT_FOUND,
        409: {"model": ErrorOut},
        413: {"model": ErrorOut},
        422: {"description": "Empty or invalid answer"},
        200: {"content": {"text/event-stream": {}}, "description": "JSON, or an SSE stream with Accept: text/event-stream"},
        **MODEL_FAILED,
    },
)
async def post_answer(
    session_id: str,
    body: AnswerCreate,
    request: Request,
    settings: SettingsDep,
    models: ModelsDep,
    engine: EngineDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """Answer the interviewer's last turn; resending with the same Idempotency-Key never adds a turn.

    With `Accept: text/event-stream` the reply is streamed: `token` events, then `done` with the
    stored turns, or `error`."""
    # Concurrent answers to one session wait here, one whole turn at a time, in arrival order.
    turn = await request.app.state.turn_locks.acquire(session_id, claim=False)
    handed_over = False
    try:
        wants_stream = "text/event-stream" in request.headers.get("accept", "")

        def accept(db: Session) -> replies.AnswerResult | replies.PendingReply | NotClaimed:
            # Across workers (PostgreSQL) the turn's claim is taken first, in this step's session.
            if not turn.take_in(db):
                return NOT_CLAIMED
            # Offline and not streamed: the answer and its reply are stored in one transaction.
            outcome = service.accept_answer(
                db=db, session_id=session_id, content=body.content, idempotency_key=idempotency_key,
                answer_limit=settings.max_answer_chars, offline_reply=not wants_stream,
            )
            if isinstance(outcome, replies.AnswerResult):
                turn.release_in(db)  # the turn is whole: no model call follows
            return outcome

        try:
            outcome = await turn.until_claimed(lambda: run_in_threadpool(_short(engine, accept)))
        except Contended as exc:
            raise errors.Busy("another answer to this session is still being replied to; resend yours in a moment") from exc
        assert not isinstance(outcome, NotClaimed)  # until_claimed answers only once the claim is taken
        if isinstance(outcome, replies.AnswerResult) and not outcome.stored_now:
            if wants_stream:
                return EventSourceResponse(iter([_sse("done", answer_out(outcome).model_dump(mode="json"))]))
            return answer_out(outcome)
        if isinstance(outcome, replies.AnswerResult):
            result = outcome
        elif wants_stream:
            handed_over = True  # the streaming task releases the turn once the reply is stored
            return _stream_reply(request, outcome, turn)
        else:
            try:
                text, usage = await replies.reply_text(models, outcome)
            except llm.ModelError as exc:
                raise llm.ModelError(f"{exc}. {ANSWER_KEPT}", status=exc.status, retry_after=exc.retry_after) from exc
            pending = outcome
            result = await run_in_threadpool(_short(engine, lambda db: _store_reply(db, turn, pending, text, usage)))
    finally:
        if not handed_over:
            await turn.release()
    score_in_background(request.app, result)
    return answer_out(result)


@router.post("/{session_id}/end", responses=NOT_FOUND)
async def end_session(session_id: str, request: Request, engine: EngineDep) -> SessionOut:
    """End the interview now; the report covers what was answered."""
    view = await run_in_threadpool(_short(engine, lambda db: service.end_session(db=db, session_id=session_id)))
    if view.session.loop_id is not None:
        # A round of a loop leaves its handoff notes for the next rounds as it ends (issue 18), in the
        # background like a round ending on its last answer: scoring its answers may take a judge call
        # each, and the session has already ended (the next round derives the notes again anyway).
        state = request.app.state
        loops.leave_notes_soon(engine=engine, models=state.models, locks=state.scoring_locks, tasks=state.reply_tasks, session_id=session_id)
    return session_out(view)


@router.get(
    "/{session_id}/report",
    response_model=report_module.Report,
    responses={**NOT_FOUND, **MODEL_FAILED, 200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
async def get_report(session_id: str, request: Request, format: report_module.ReportFormat = "json") -> Any:
    """The feedback report (JSON schema v2, Markdown, or a self-contained HTML page with charts)."""
    return await report_response(request.app, session_id, format)


async def report_response(app: Any, session_id: str, format: report_module.ReportFormat, *, judge_answers: bool = True) -> Any:
    """A session's report in `format`; rebuilt only when its inputs changed, one build at a time.
    `judge_answers=False` (a share link's anonymous reader) never triggers judging."""
    state = app.state
    content = await feedback.report_for(
        engine=state.engine, models=state.models, locks=state.scoring_locks, session_id=session_id, judge_answers=judge_answers
    )
    if format == "md":
        return PlainTextResponse(report_module.render_markdown(content), media_type="text/markdown")
    if format == "html":
        return HTMLResponse(report_module.render_html(content))
    return content


@router.delete("/{session_id}", status_code=204, responses=NOT_FOUND)
def delete_session(session_id: str, db: SessionDep) -> Response:
    """Delete a session with its transcript, scores and reports."""
    service.delete_session(db=db, session_id=session_id)
    return Response(status_code=204)
