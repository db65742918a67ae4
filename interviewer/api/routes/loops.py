"""Loops (issue 18): rehearse a whole hiring loop, round after round, with one dossier."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from interviewer.api.auth import CallerDep
from interviewer.api.deps import CatalogDep, EngineDep, ModelsDep, SessionDep, SettingsDep
from interviewer.api.forms import DOCUMENT_FIELDS, document_body
from interviewer.api.routes.sessions import MODEL_FAILED, session_out
from interviewer.api.schemas import ErrorOut, SessionOut
from interviewer.interview import loops
from interviewer.storage import queries

router = APIRouter(prefix="/api/loops", tags=["loops"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Unknown loop"}}


class LoopCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rounds: list[str] | None = Field(
        default=None, description="Persona ids in the order the rounds are taken; in a form, comma-separated",
        examples=[loops.DEFAULT_ROUNDS],
    )
    language: Literal["en", "fr"] | None = Field(default=None, description="en or fr, for every round; defaults to the first round's persona's")
    job_description: str | None = None
    cv: str | None = None
    takehome: str | None = Field(default=None, description="The take-home write-up, pasted as text (or a file in a multipart form)")

    @field_validator("rounds", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        # A form sends one text field: "recruiter-screen,technical-ml".
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


class DossierOut(BaseModel):
    job_description: bool
    cv: bool
    takehome: bool
    takehome_name: str | None


class RoundOut(BaseModel):
    persona_id: str
    session_id: str | None
    status: Literal["not_started", "active", "ended"]


class NoteOut(BaseModel):
    """A handoff note a finished round left; a later turn's `handoff_note_id` names the note that led to it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    session_id: str = Field(description="The round that left it")
    persona_id: str
    kind: Literal["thin_evidence", "claim_to_verify", "chosen_topic"]
    text: str = Field(description="The note, in the loop's language")
    criterion_id: str | None
    question_id: str | None
    topic: str | None
    quote: str | None = Field(description="The candidate's words it rests on")


class LoopOut(BaseModel):
    id: str
    status: Literal["not_started", "in_progress", "done"]
    language: str
    rounds: list[RoundOut]
    dossier: DossierOut
    created_at: datetime
    notes: list[NoteOut] | None = Field(default=None, description="The handoff notes the finished rounds left (in GET /api/loops/{id} only)")


LOOP_FORM = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rounds": {"type": "string", "description": "persona ids, comma-separated"},
        "language": {"type": "string", "enum": ["en", "fr"]},
        **{name: {"type": "string", "format": "binary", "description": "a .md, .txt, .ipynb or .pdf file, or the text itself"} for name in DOCUMENT_FIELDS},
    },
}


def loop_out(view: loops.LoopView) -> LoopOut:
    return LoopOut.model_validate(loops.summary(view))


@router.post(
    "",
    status_code=201,
    responses={413: {"model": ErrorOut}, 422: {"description": "Invalid rounds, language or document"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": LoopCreate.model_json_schema()}, "multipart/form-data": {"schema": LOOP_FORM}},
        }
    },
)
async def create_loop(request: Request, db: SessionDep, catalog: CatalogDep, settings: SettingsDep, caller: CallerDep) -> LoopOut:
    """Create a loop: its rounds (default: recruiter screen, technical, hiring manager, take-home review)
    and its dossier, stored once and given to every round. No round starts until `next`."""
    filenames: dict[str, str] = {}
    body = await document_body(request, settings, LoopCreate, filenames)
    view = await run_in_threadpool(lambda: loops.create_loop(
        db=db, catalog=catalog, user_id=caller.user_id, rounds=body.rounds, language=body.language,
        job_description=body.job_description, cv=body.cv, takehome=body.takehome, takehome_name=filenames.get("takehome"),
        document_limit=settings.max_document_chars,
    ))
    return loop_out(view)


@router.get("")
def list_loops(db: SessionDep, caller: CallerDep, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[LoopOut]:
    """Your loops, newest first."""
    return [loop_out(v) for v in loops.list_loops(db=db, user_id=caller.user_id, limit=limit)]


@router.get("/{loop_id}", responses=NOT_FOUND)
def get_loop(loop_id: str, db: SessionDep, caller: CallerDep) -> LoopOut:
    """A loop, the state of each of its rounds, and the handoff notes the finished rounds left."""
    out = loop_out(loops.get_loop(db=db, loop_id=loop_id, user_id=caller.user_id))
    out.notes = [NoteOut.model_validate(n) for n in queries.list_notes(db=db, loop_id=loop_id)]
    return out


@router.post(
    "/{loop_id}/next",
    status_code=201,
    responses={**NOT_FOUND, 409: {"model": ErrorOut, "description": "A round is still in progress, or every round has been played"}, **MODEL_FAILED},
)
async def next_round(
    loop_id: str, request: Request, engine: EngineDep, catalog: CatalogDep, settings: SettingsDep, models: ModelsDep, caller: CallerDep,
) -> SessionOut:
    """Start the loop's next round: a session carrying `loop_id`, with the dossier and the notes the
    earlier rounds left. 409 while a round is still in progress, and after the last round."""
    view = await loops.next_round(
        engine=engine, models=models, locks=request.app.state.scoring_locks, catalog=catalog, settings=settings,
        loop_id=loop_id, user_id=caller.user_id,
    )
    return session_out(view)
