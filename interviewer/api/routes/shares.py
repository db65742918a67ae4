"""Share links: a revocable, unguessable link giving read-only access to one session's report.

The link shows that report and nothing else (no history of the owner), opens as the HTML page in a
browser, never makes the server call a model, and is rate-limited per client address."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel

from interviewer.api.deps import SessionDep
from interviewer.api.routes import sessions
from interviewer.api.schemas import ErrorOut
from interviewer.feedback import report as report_module
from interviewer.interview import sharing
from interviewer.ops import tokens
from interviewer.storage import queries

# Under /api/sessions/{session_id}: the owner's side (auth and ownership apply).
router = APIRouter(prefix="/api/sessions", tags=["sharing"])
# The link itself: the token is the only credential, and it opens the report and nothing else.
shared_router = APIRouter(prefix="/api/shared", tags=["sharing"])
UNKNOWN_LINK: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Unknown or revoked link"}}


class ShareOut(BaseModel):
    token: str
    path: str


@router.post("/{session_id}/share", status_code=201, responses=sessions.NOT_FOUND)
def share_report(session_id: str, db: SessionDep) -> ShareOut:
    """A new read-only link to this session's report (shown once; revoke with DELETE)."""
    token = tokens.new_share_token()
    queries.add_share(db=db, session_id=session_id, token_hash=tokens.hash_token(token))
    return ShareOut(token=token, path=f"/api/shared/{token}/report")


@router.delete("/{session_id}/share", status_code=204, responses=sessions.NOT_FOUND)
def revoke_shares(session_id: str, db: SessionDep) -> Response:
    """Revoke every share link of this session."""
    queries.revoke_shares(db=db, session_id=session_id)
    return Response(status_code=204)


@shared_router.get(
    "/{token}/report",
    response_model=report_module.Report,
    responses={**UNKNOWN_LINK, 200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
async def shared_report(token: str, request: Request, db: SessionDep, format: report_module.ReportFormat | None = None) -> Any:
    """The report a share link points to, read-only: HTML for a browser, else JSON (or ?format=md|html|json)."""
    settings = request.app.state.settings
    client = request.client.host if request.client else "unknown"
    wait = request.app.state.share_limiter.hit(f"share:{client}")
    if wait is not None:
        raise HTTPException(
            status_code=429, headers={"Retry-After": str(wait)},
            detail=f"over the limit of {settings.rate_limit_per_minute} shared-report reads a minute from this address; retry after {wait} s",
        )
    content = await run_in_threadpool(lambda: sharing.shared_report(db=db, token=token))
    if content is None:
        raise HTTPException(status_code=404, detail="unknown or revoked share link")
    chosen = format or ("html" if "text/html" in request.headers.get("accept", "") else "json")
    if chosen == "md":
        return PlainTextResponse(report_module.render_markdown(content), media_type="text/markdown")
    if chosen == "html":
        return HTMLResponse(report_module.render_html(content))
    return content
