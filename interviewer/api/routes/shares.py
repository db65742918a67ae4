"""Share links: a revocable, unguessable link giving read-only access to one session's report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from interviewer import auth, store
from interviewer import report as report_module
from interviewer.api.deps import ModelsDep, SessionDep
from interviewer.api.routes import sessions
from interviewer.api.schemas import ErrorOut

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
    token = auth.new_share_token()
    store.add_share(db=db, session_id=session_id, token_hash=auth.hash_token(token))
    return ShareOut(token=token, path=f"/api/shared/{token}/report")


@router.delete("/{session_id}/share", status_code=204, responses=sessions.NOT_FOUND)
def revoke_shares(session_id: str, db: SessionDep) -> Response:
    """Revoke every share link of this session."""
    store.revoke_shares(db=db, session_id=session_id)
    return Response(status_code=204)


@shared_router.get(
    "/{token}/report",
    response_model=report_module.Report,
    responses={**UNKNOWN_LINK, **sessions.MODEL_FAILED, 200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
async def shared_report(token: str, db: SessionDep, models: ModelsDep, format: report_module.ReportFormat = "json") -> Any:
    """The report a share link points to (JSON, Markdown or HTML), read-only."""
    session_id = await run_in_threadpool(lambda: store.session_for_share(db=db, token_hash=auth.hash_token(token)))
    if session_id is None:
        raise HTTPException(status_code=404, detail="unknown or revoked share link")
    return await sessions.get_report(session_id=session_id, db=db, models=models, format=format)
