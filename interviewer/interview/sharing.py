"""What a share link shows: that one session's report and nothing else.

Read-only and free: the report is built from the scores already stored (an answer not yet scored
shows as not assessed), so an anonymous reader never makes the server call a judge model; and
without the owner's history, so the link reveals no other session, date or score."""

from __future__ import annotations

from sqlmodel import Session

from interviewer.feedback import report
from interviewer.interview import errors
from interviewer.interview import service
from interviewer.interview import state
from interviewer.ops import tokens
from interviewer.storage import queries


def shared_report(*, db: Session, token: str) -> report.Report | None:
    """The report behind a share token; None for an unknown or revoked link."""
    session_id = queries.session_for_share(db=db, token_hash=tokens.hash_token(token))
    if session_id is None:
        return None
    try:
        view = state.get_session(db=db, session_id=session_id)
    except errors.SessionNotFound:
        return None
    scores = queries.list_scores(db=db, session_id=session_id)
    # The scorer's text work is not thread-safe (shared stemmers): one thread at a time, as in turns.
    with service.THINKING:
        return report.build_report(
            session=view.session, persona=view.persona, rubric=view.rubric, turns=view.turns, scores=scores, usage=view.usage,
        )
