"""Drills (issue 18): the caller's spaced-practice schedule. A drill itself is a session, started
with `POST /api/sessions {"persona_id": ..., "mode": "drill"}`."""

from __future__ import annotations

from fastapi import APIRouter

from interviewer.api.auth import CallerDep
from interviewer.api.deps import CatalogDep, SessionDep
from interviewer.api.schemas import DrillItemOut
from interviewer.catalog.fields import Language
from interviewer.interview import drill_schedule
from interviewer.storage import tables as store

router = APIRouter(prefix="/api/drills", tags=["drills"])


@router.get("")
def get_drills(db: SessionDep, catalog: CatalogDep, caller: CallerDep, language: Language | None = None) -> list[DrillItemOut]:
    """Your questions on the spaced-practice schedule, the most overdue first (`due`: due now).

    Questions scored 2 or lower come back after 1, 3, 7 and 14 days; the texts are in `language`,
    else in each round's own language."""
    languages = dict.fromkeys(catalog.personas, language) if language else None
    items = drill_schedule.due_questions(db=db, catalog=catalog, user_id=caller.user_id, now=store.now(), languages=languages)
    return [DrillItemOut(**item.__dict__) for item in items]
