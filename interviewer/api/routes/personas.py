"""Personas: the interview rounds a candidate can rehearse."""

from __future__ import annotations

from fastapi import APIRouter

from interviewer.api.deps import CatalogDep
from interviewer.api.schemas import CriterionOut, PersonaDetail, PersonaSummary, StageOut
from interviewer.catalog.fields import LANGUAGES
from interviewer.catalog.loading import Catalog
from interviewer.catalog.personas import Persona
from interviewer.interview.errors import PersonaNotFound

router = APIRouter(prefix="/api/personas", tags=["personas"])


def summary(persona: Persona) -> PersonaSummary:
    return PersonaSummary(
        id=persona.id,
        name=persona.name,
        role=persona.role,
        language=persona.language,
        languages=list(LANGUAGES),
        description=persona.description,
        rubric_id=persona.rubric,
        duration_minutes=persona.duration_minutes,
    )


def detail(persona: Persona, catalog: Catalog) -> PersonaDetail:
    rubric = catalog.rubric_for(persona)
    return PersonaDetail(
        **summary(persona).model_dump(),
        tone=persona.tone,
        stages=[
            StageOut(id=s.id, title=s.title.get(persona.language), minutes=s.minutes, questions=s.ask or len(s.questions))
            for s in persona.stages
        ],
        question_bank_size=len(persona.questions),
        criteria=[
            CriterionOut(id=c.id, name=c.name, description=c.description, weight=c.weight, levels=dict(c.levels))
            for c in rubric.criteria
        ],
    )


@router.get("")
def list_personas(catalog: CatalogDep) -> list[PersonaSummary]:
    """List the interview rounds available."""
    return [summary(p) for p in catalog.personas.values()]


@router.get("/{persona_id}", responses={404: {"description": "Unknown persona"}})
def get_persona(persona_id: str, catalog: CatalogDep) -> PersonaDetail:
    """One round: its plan, question bank size and rubric criteria."""
    persona = catalog.personas.get(persona_id)
    if persona is None:
        raise PersonaNotFound(persona_id, sorted(catalog.personas))
    return detail(persona, catalog)
