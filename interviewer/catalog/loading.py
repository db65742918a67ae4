"""Load the catalog: read each YAML file, validate it against its schema, and check that every persona
agrees with its rubric. A bad file fails with its path and the path of the bad field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from pydantic import BaseModel, ValidationError
from interviewer.catalog.fields import SAFE_LOADER
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric


class CatalogError(Exception):
    """A persona or rubric file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class Catalog:
    personas: dict[str, Persona]
    rubrics: dict[str, Rubric]

    def persona(self, persona_id: str) -> Persona:
        return self.personas[persona_id]

    def rubric_for(self, persona: Persona) -> Rubric:
        return self.rubrics[persona.rubric]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc


def _validation_message(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid"]
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


M = TypeVar("M", bound=BaseModel)


def load_file(path: Path, model: type[M]) -> M:
    data = _read_yaml(path)
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(_validation_message(path, exc)) from exc
    if getattr(item, "id", None) != path.stem:
        raise CatalogError(f"{path}: id: must equal the file name '{path.stem}'")
    return item


def cross_check(persona: Persona, rubric: Rubric, path: Path) -> None:
    """Errors that need both files: criteria named by the persona must exist in its rubric."""
    criteria = {c.id for c in rubric.criteria}
    problems: list[str] = []
    for i, question in enumerate(persona.questions):
        unknown = [c for c in question.criteria if c not in criteria]
        if unknown:
            problems.append(f"questions.{i}.criteria: not in rubric '{rubric.id}': {unknown}")
    for criterion_id, probes in persona.follow_ups.items():
        if criterion_id not in criteria:
            problems.append(f"follow_ups.{criterion_id}: not a criterion of rubric '{rubric.id}'")
        if not probes:
            problems.append(f"follow_ups.{criterion_id}: needs at least one probe")
    if persona.takehome:
        claim_criteria = [*persona.takehome.claims.criteria, *(c for p in persona.takehome.claims.by_status.values() for c in p.criteria)]
        unknown = [c for c in claim_criteria if c not in criteria]
        if unknown:
            problems.append(f"takehome.claims.criteria: not in rubric '{rubric.id}': {unknown}")
    for criterion_id in sorted(criteria - set(persona.follow_ups)):
        problems.append(f"follow_ups.{criterion_id}: every rubric criterion needs follow-up probes")
    question_ids = {q.id for q in persona.questions}
    for question_id in sorted(question_ids - set(rubric.questions)):
        # Without key points the offline scorer has no content to judge: every answer would score 1.
        problems.append(f"rubric '{rubric.id}' questions.{question_id}: key points are required for every question")
    for question_id in rubric.questions:
        if question_id not in question_ids:
            problems.append(f"rubric '{rubric.id}' questions.{question_id}: not a question of this persona")
    if problems:
        raise CatalogError(f"{path}: invalid\n  " + "\n  ".join(problems))


def load_catalog(personas_dir: Path, rubrics_dir: Path) -> Catalog:
    rubrics = {p.stem: load_file(p, Rubric) for p in sorted(rubrics_dir.glob("*.yaml"))}
    for rubric_id, rubric in rubrics.items():
        missing = [i for i, c in enumerate(rubric.criteria) if c.name_fr is None]
        if missing:
            raise CatalogError(f"{rubrics_dir / rubric_id}.yaml: invalid\n  " + "\n  ".join(f"criteria.{i}.name_fr: Field required (the name in French)" for i in missing))
    personas: dict[str, Persona] = {}
    for path in sorted(personas_dir.glob("*.yaml")):
        persona = load_file(path, Persona)
        if persona.rubric not in rubrics:
            raise CatalogError(f"{path}: rubric: no rubric '{persona.rubric}' in {rubrics_dir}")
        cross_check(persona, rubrics[persona.rubric], path)
        personas[persona.id] = persona
    if not personas:
        raise CatalogError(f"{personas_dir}: no persona files (*.yaml)")
    return Catalog(personas=personas, rubrics=rubrics)


# Snapshots of the catalog's (frozen) personas and rubrics, by object: each session start stores
# one of each, and serialising a rubric was 15% of a loaded server's CPU. The object is kept with
# its snapshot, so an id is never reused while cached.
_snapshots: dict[int, tuple[BaseModel, tuple[str, str]]] = {}


_SNAPSHOTS_KEPT = 256


def snapshot(item: BaseModel) -> tuple[str, str]:
    """The canonical JSON of a persona or rubric and its SHA-256, stored with each session."""
    cached = _snapshots.get(id(item))
    if cached is not None and cached[0] is item:
        return cached[1]
    content = json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    result = content, hashlib.sha256(content.encode("utf-8")).hexdigest()
    if len(_snapshots) >= _SNAPSHOTS_KEPT:
        _snapshots.clear()
    _snapshots[id(item)] = (item, result)
    return result
