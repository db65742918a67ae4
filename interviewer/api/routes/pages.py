"""The browser pages: choose a round, interview in a chat, read the report, see past sessions.

Server-rendered with jinja2; the pages' scripts talk to the JSON API, so the browser and any
other client go through the same endpoints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlmodel import select

from interviewer.api.auth import CallerDep
from interviewer.api.deps import CatalogDep, SessionDep, SettingsDep
from interviewer.catalog.personas import Persona
from interviewer.feedback import charts
from interviewer.feedback import report as report_module
from interviewer.feedback.schema import BANDS, HistoryPoint
from interviewer.interview import drill_schedule, loops
from interviewer.interview import engine as interview_engine
from interviewer.interview import errors
from interviewer.interview import state
from interviewer.storage import tables as store
from interviewer.storage.queries import list_sessions
from interviewer.storage.tables import InterviewSession, Report, Turn

router = APIRouter(include_in_schema=False)
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
HISTORY_LIMIT = 100
STATIC = ("interviewer", "web/static")


@cache
def _environment() -> jinja2.Environment:
    # Candidate text is data: autoescape everything, and fail on a misspelt variable.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("interviewer", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship inside the package: no stat() of the file on every render.
        auto_reload=False,
    )
    env.globals.update(asset_version=_asset_version(), language_names=LANGUAGE_NAMES)
    return env


def _asset_version() -> str:
    """A hash of the static files, appended to their URLs so a new release is never served stale."""
    digest = hashlib.sha256()
    for entry in sorted(resources.files(STATIC[0]).joinpath(STATIC[1]).iterdir(), key=lambda e: e.name):
        if entry.is_file():
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:10]


def static_files() -> StaticFiles:
    """The pages' CSS and scripts, served by the app itself (no CDN, no build step)."""
    return StaticFiles(packages=[STATIC])


def render(name: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_environment().get_template(name).render(**context), status_code=status_code)


def not_found(what: str) -> HTMLResponse:
    return render("not_found.html.j2", status_code=404, title="Not found", what=what)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


@router.get("/", response_class=HTMLResponse)
def home(catalog: CatalogDep, settings: SettingsDep, persona: str | None = None) -> HTMLResponse:
    """Choose a round, its language and the documents the interviewer reads."""
    personas = list(catalog.personas.values())
    chosen = persona if persona in catalog.personas else personas[0].id if personas else None
    return render(
        "home.html.j2", title="Practise an interview", personas=personas, chosen=chosen,
        model=settings.model,
    )


@dataclass(frozen=True)
class TurnItem:
    role: str
    kind: str
    question_id: str | None
    language: str
    content: str


def _turn_item(turn: Turn) -> TurnItem:
    return TurnItem(role=turn.role, kind=turn.kind, question_id=turn.question_id, language=turn.language, content=turn.content)


def _stage_titles(persona: Persona, language: str) -> dict[str, str]:
    return {s.id: s.title.get(language) for s in persona.stages}  # type: ignore[arg-type]


def _own_session(db: SessionDep, caller: CallerDep, session_id: str) -> state.SessionView | None:
    """The caller's session; None for a missing one or another user's (the same 404 either way)."""
    try:
        view = state.get_session(db=db, session_id=session_id)
    except errors.SessionNotFound:
        return None
    return view if view.session.user_id == caller.user_id else None


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def interview(session_id: str, db: SessionDep, settings: SettingsDep, caller: CallerDep) -> HTMLResponse:
    """The chat: the transcript so far, the plan's progress, a timer and the answer box."""
    view = _own_session(db, caller, session_id)
    if view is None:
        return not_found("This interview does not exist (it may have been deleted).")
    s = view.session
    turns = [_turn_item(t) for t in view.turns]
    # An answer stored without its reply (a model call failed): it goes back in the box, ready to resend.
    unanswered = turns.pop() if turns and turns[-1].role == "candidate" and s.status == "active" else None
    progress = interview_engine.progress(view.persona, s.plan, state.turn_views(view.turns))
    stage_titles = _stage_titles(view.persona, s.language)
    data = {
        "id": s.id,
        "status": s.status,
        "created_at": s.created_at.isoformat(),
        "ended_at": s.ended_at.isoformat() if s.ended_at else None,
        "server_now": datetime.now(UTC).isoformat(),
        "stage_titles": stage_titles,
        "unanswered": unanswered.content if unanswered else None,
        "max_answer_chars": settings.max_answer_chars,
    }
    return render(
        "interview.html.j2",
        title=f"Interview with {view.persona.name}",
        session=s,
        persona=view.persona,
        turns=turns,
        unanswered=unanswered,
        progress=progress,
        stage_title=stage_titles.get(progress.stage_id or "", ""),
        data=data,
    )


@router.get("/sessions/{session_id}/report", response_class=HTMLResponse)
def report_page(session_id: str, db: SessionDep, caller: CallerDep) -> HTMLResponse:
    """The feedback report (the self-contained HTML report) inside the site's layout."""
    view = _own_session(db, caller, session_id)
    if view is None:
        return not_found("This interview does not exist, so it has no report.")
    return render("report_page.html.j2", title=f"Report: {view.persona.name}", session=view.session, persona=view.persona, when=_utc(view.session.created_at))


@dataclass(frozen=True)
class LoopStep:
    persona_id: str
    name: str
    role: str
    minutes: int | None
    session_id: str | None
    status: str
    score: float | None
    # False for a round ended before its plan: its score covers only the questions answered.
    complete: bool
    is_next: bool


LOOP_STATES = {"not_started": "not started", "active": "in progress", "ended": "ended"}


@router.get("/loops/{loop_id}", response_class=HTMLResponse)
def loop_page(loop_id: str, db: SessionDep, catalog: CatalogDep, caller: CallerDep) -> HTMLResponse:
    """A loop's rounds as steps, each with its state, a button to start the next, and the debrief once all ended."""
    try:
        view = loops.get_loop(db=db, loop_id=loop_id, user_id=caller.user_id)
    except loops.LoopNotFound:
        return not_found("This loop does not exist (it may have been deleted).")
    found, states = view.loop, view.rounds
    sessions = {s.id: s for s in (db.get(InterviewSession, r.session_id) for r in states if r.session_id) if s is not None}
    reports = _stored_reports(db, list(sessions.values()))
    # The next round can start once no round is in progress.
    next_index = next((i for i, r in enumerate(states) if r.status == "not_started"), None)
    if any(r.status == "active" for r in states):
        next_index = None
    steps = []
    for i, r in enumerate(states):
        persona = catalog.personas.get(r.persona_id)
        # The score of the round's stored report (built when its report was read), as on the history page.
        point = report_module.history_point(session=sessions[r.session_id], content=reports[r.session_id]) if r.session_id in reports else None
        steps.append(LoopStep(
            persona_id=r.persona_id, name=persona.name if persona else r.persona_id, role=persona.role if persona else "",
            minutes=persona.duration_minutes if persona else None, session_id=r.session_id, status=r.status,
            score=point.score if point and r.status == "ended" else None, complete=point.complete if point else True, is_next=i == next_index,
        ))
    documents = [name for name, value in (("job description", found.job_description), ("CV", found.cv), ("take-home", found.takehome)) if value]
    return render(
        "loop.html.j2", title="Your interview loop", loop=found, rounds=steps, state_names=LOOP_STATES, when=_utc(found.created_at),
        documents=documents, done=view.status == "done", started=view.status != "not_started",
    )


@dataclass(frozen=True)
class HistoryRow:
    session: InterviewSession
    round_name: str
    when: str
    score: float | None
    band: str | None


@dataclass(frozen=True)
class RoundProgress:
    persona_id: str
    name: str
    chart: charts.ProgressChart


def _stored_reports(db: SessionDep, sessions: list[InterviewSession]) -> dict[str, dict[str, Any]]:
    if not sessions:
        return {}
    query = select(Report).where(Report.session_id.in_([s.id for s in sessions]))  # type: ignore[attr-defined]
    return {r.session_id: r.content for r in db.exec(query)}


@router.get("/history", response_class=HTMLResponse)
def history(db: SessionDep, catalog: CatalogDep, caller: CallerDep) -> HTMLResponse:
    """Past sessions with their overall score, and each round's progress over time."""
    sessions = list_sessions(db=db, limit=HISTORY_LIMIT, user_id=caller.user_id)
    reports = _stored_reports(db, sessions)
    rows: list[HistoryRow] = []
    points: dict[str, list[HistoryPoint]] = {}
    for s in sessions:
        point = report_module.history_point(session=s, content=reports[s.id]) if s.id in reports else None
        persona = catalog.personas.get(s.persona_id)
        rows.append(HistoryRow(
            session=s, round_name=persona.name if persona else s.persona_id, when=_utc(s.created_at),
            score=point.score if point else None, band=point.band.replace("-", " ") if point and point.band else None,
        ))
        if point is not None and s.mode == "interview":  # a drill's few questions are not a round's progress
            points.setdefault(s.persona_id, []).append(point)
    bounds = [bound for bound, _, _ in BANDS]
    rounds = [
        RoundProgress(
            persona_id=pid,
            name=f"{catalog.personas[pid].name} ({pid})" if pid in catalog.personas else pid,
            chart=charts.progress_chart(sorted(found, key=lambda p: p.created_at), bounds),
        )
        for pid, found in sorted(points.items())
    ]
    drills, drill_rounds = _due_for_review(db, catalog, caller.user_id, sessions)
    return render(
        "history.html.j2", title="Your past interviews", rows=rows, rounds=rounds, limit=HISTORY_LIMIT,
        drills=drills, drill_rounds=drill_rounds,
    )


@dataclass(frozen=True)
class DrillRound:
    persona_id: str
    name: str
    language: str
    due: int


def _due_for_review(
    db: SessionDep, catalog: CatalogDep, user_id: str, sessions: list[InterviewSession]
) -> tuple[list[drill_schedule.DueQuestion], list[DrillRound]]:
    """The user's spaced-practice schedule (issue 18), each question in the language of their latest
    session of its round, and one drill button per round on the schedule."""
    latest = {s.persona_id: s.language for s in reversed(sessions)}
    items = drill_schedule.due_questions(db=db, catalog=catalog, user_id=user_id, now=store.now(), languages=latest)  # type: ignore[arg-type]
    rounds = [
        DrillRound(persona_id=pid, name=catalog.personas[pid].name, language=latest.get(pid, catalog.personas[pid].language), due=sum(q.due for q in items if q.persona_id == pid))
        for pid in dict.fromkeys(q.persona_id for q in items)
    ]
    return items, rounds
