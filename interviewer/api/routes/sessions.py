"""Sessions: start a mock interview, answer, end it, read its report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Header, Query, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer import engine as interview_engine
from interviewer import report as report_module
from interviewer import service
from interviewer.api.deps import CatalogDep, EngineDep, SessionDep, SettingsDep
from interviewer.api.schemas import (
    AnswerCreate,
    AnswerOut,
    ErrorOut,
    ProgressOut,
    SessionCreate,
    SessionOut,
    SessionSummary,
    TurnOut,
)
from interviewer.store import Turn, list_sessions

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Unknown session"}}


def turn_out(turn: Turn) -> TurnOut:
    return TurnOut.model_validate(turn, from_attributes=True)


def session_out(view: service.SessionView) -> SessionOut:
    s = view.session
    progress = interview_engine.progress(view.persona, s.plan, service._views(view.turns))
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
    )


def _score_in_background(engine: Engine, session_id: str) -> None:
    # Full scoring runs after the response: the reply is the only work on a turn's critical path.
    with Session(engine) as db:
        service.score_pending(db=db, session_id=session_id)


@router.post(
    "",
    status_code=201,
    responses={404: {"model": ErrorOut, "description": "Unknown persona"}, 413: {"model": ErrorOut}},
)
def create_session(body: SessionCreate, db: SessionDep, catalog: CatalogDep, settings: SettingsDep) -> SessionOut:
    """Start a mock interview; the response holds the interviewer's first turn."""
    view = service.start_session(
        db=db,
        catalog=catalog,
        model=settings.model,
        persona_id=body.persona_id,
        language=body.language,
        job_description=body.job_description,
        cv=body.cv,
        takehome=body.takehome,
        document_limit=settings.max_document_chars,
    )
    return session_out(view)


@router.get("")
def get_sessions(db: SessionDep, persona_id: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[SessionSummary]:
    """Past sessions, newest first."""
    return [SessionSummary.model_validate(s, from_attributes=True) for s in list_sessions(db=db, persona_id=persona_id, limit=limit)]


@router.get("/{session_id}", responses=NOT_FOUND)
def get_session(session_id: str, db: SessionDep) -> SessionOut:
    """A session with its whole transcript."""
    return session_out(service.get_session(db=db, session_id=session_id))


@router.post(
    "/{session_id}/answers",
    responses={**NOT_FOUND, 409: {"model": ErrorOut}, 413: {"model": ErrorOut}, 422: {"description": "Empty or invalid answer"}},
)
def post_answer(
    session_id: str,
    body: AnswerCreate,
    db: SessionDep,
    settings: SettingsDep,
    engine: EngineDep,
    background: BackgroundTasks,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> AnswerOut:
    """Answer the interviewer's last turn; resending with the same Idempotency-Key never adds a turn."""
    result = service.answer(
        db=db,
        session_id=session_id,
        content=body.content,
        idempotency_key=idempotency_key,
        answer_limit=settings.max_answer_chars,
    )
    background.add_task(_score_in_background, engine, session_id)
    return AnswerOut(answer=turn_out(result.answer), reply=turn_out(result.reply), status=result.status)


@router.post("/{session_id}/end", responses=NOT_FOUND)
def end_session(session_id: str, db: SessionDep) -> SessionOut:
    """End the interview now; the report covers what was answered."""
    return session_out(service.end_session(db=db, session_id=session_id))


@router.get("/{session_id}/report", responses={**NOT_FOUND, 200: {"content": {"text/markdown": {}}}})
def get_report(
    session_id: str, db: SessionDep, format: Literal["json", "md"] = "json"
) -> Any:
    """The feedback report: overall score, criteria with evidence, question by question."""
    content = service.build_report(db=db, session_id=session_id)
    if format == "md":
        return PlainTextResponse(report_module.render_markdown(content), media_type="text/markdown")
    return content


@router.delete("/{session_id}", status_code=204, responses=NOT_FOUND)
def delete_session(session_id: str, db: SessionDep) -> Response:
    """Delete a session with its transcript, scores and reports."""
    service.delete_session(db=db, session_id=session_id)
    return Response(status_code=204)
