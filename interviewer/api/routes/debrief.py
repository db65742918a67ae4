"""A loop's debrief: its rounds side by side, consistency across them, competencies and a practice plan."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from interviewer.api.auth import CallerDep
from interviewer.api.deps import CatalogDep
from interviewer.api.schemas import ErrorOut
from interviewer.feedback.debrief_html import render_html
from interviewer.feedback.debrief_markdown import render_markdown
from interviewer.feedback.debrief_model import Debrief
from interviewer.interview import debriefing

router = APIRouter(prefix="/api/loops", tags=["loops"])
DebriefFormat = Literal["json", "md", "html"]


@router.get(
    "/{loop_id}/debrief",
    response_model=Debrief,
    responses={404: {"model": ErrorOut, "description": "Unknown loop"}, 200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
async def get_debrief(loop_id: str, request: Request, caller: CallerDep, catalog: CatalogDep, format: DebriefFormat = "json") -> Any:
    """The loop's debrief (JSON, Markdown, or one self-contained HTML page with SVG charts).

    Before every round has ended it is partial: `complete` is false and `partial` says how many
    rounds ended; unfinished rounds are shown as they stand, never scored as zero."""
    state = request.app.state
    debrief = await debriefing.debrief_for(
        engine=state.engine, models=state.models, locks=state.scoring_locks, loop_id=loop_id, user_id=caller.user_id, catalog=catalog,
    )
    if format == "md":
        return PlainTextResponse(render_markdown(debrief), media_type="text/markdown")
    if format == "html":
        return HTMLResponse(render_html(debrief))
    return debrief
