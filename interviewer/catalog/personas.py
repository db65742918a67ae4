"""Load and validate personas (who interviews) and rubrics (how answers are judged).

Both are YAML data files. A bad file fails with its path and the path of the bad field,
so an author can fix it without reading this code.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml

# libyaml's C loader when installed: the same safe subset, about ten times as fast.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OfflineAssessment = Literal["content", "clarity", "not_assessed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """A text shown to the candidate, in every language a persona can speak."""

    en: Text
    fr: Text

    def get(self, language: Language) -> str:
        return getattr(self, language)


class Phrases(Strict):
    """Lexical cues in each language (the offline scorer matches their stems)."""

    en: list[Text] = Field(min_length=1)
    fr: list[Text] = Field(min_length=1)

    def get(self, language: Language) -> list[str]:
        return list(getattr(self, language))


# ---------------------------------------------------------------- rubric


class WorkedExample(Strict):
    """A short answer and the level it earns: calibration for the judge model (strong, medium, weak)."""

    level: Annotated[int, Field(ge=1, le=5)]
    answer: Text
    why: Text | None = None


class Criterion(Strict):
    id: Slug
    name: Text
    description: Text
    weight: float = Field(gt=0, le=1)
    # Keys are ints 1-5; JSON snapshots store them as strings, which validation converts back.
    levels: dict[Annotated[int, Field(ge=1, le=5)], Text]
    # Which part of the evidence this criterion rests on: what was said (content) or how (cues).
    content_weight: float = Field(ge=0, le=1)
    signals: Phrases | None = None
    # How the offline scorer assesses it: what was said (content), how it is said (clarity),
    # or not at all ("not_assessed", with the reason shown in the report).
    offline: OfflineAssessment = "content"
    offline_reason: Text | None = None
    # Worked examples shown to the judge model with the anchors, so its levels match the rubric's.
    examples: list[WorkedExample] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_level_anchored(self) -> Criterion:
        missing = sorted({1, 2, 3, 4, 5} - set(self.levels))
        if missing:
            raise ValueError(f"levels: an anchor is required for every level 1-5; missing {missing}")
        if self.content_weight < 1 and self.signals is None:
            raise ValueError("signals: required when content_weight < 1 (the cue part needs cues)")
        if self.offline == "not_assessed" and self.offline_reason is None:
            raise ValueError("offline_reason: required when offline is not_assessed (the report shows it)")
        return self


class KeyPoint(Strict):
    """One thing a good answer says; any phrase of the current language counts as saying it."""

    label: Text
    en: list[Text] = Field(min_length=1)
    fr: list[Text] = Field(min_length=1)

    def phrases(self, language: Language) -> list[str]:
        # English technical terms are common in French answers, so French also accepts them.
        return list(self.fr) + list(self.en) if language == "fr" else list(self.en)


class Misconception(Strict):
    """A classic wrong belief: any phrase, stated without negation, is the mistake; the correction
    is what the report says instead ("You said ...; in fact ...")."""

    en: list[Text] = Field(min_length=1)
    fr: list[Text] = Field(min_length=1)
    correction: Localized

    def phrases(self, language: Language) -> list[str]:
        return list(self.fr) + list(self.en) if language == "fr" else list(self.en)


class QuestionKey(Strict):
    """How answers to one question are judged on content."""

    key_points: list[KeyPoint] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(default_factory=list)
    reference_answer: Text | None = None
    source: Text | None = None


class Rubric(Strict):
    id: Slug
    name: Text
    description: Text
    criteria: list[Criterion] = Field(min_length=4, max_length=6)
    questions: dict[Slug, QuestionKey] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError(f"criteria: ids must be unique, got {ids}")
        total = sum(c.weight for c in self.criteria)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"criteria: weights must add up to 1.0, they add up to {total:.3f}")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


# ---------------------------------------------------------------- persona


class Question(Strict):
    id: Slug
    text: Localized
    # Criteria this question gives evidence for; empty means every criterion of the rubric.
    criteria: list[Slug] = Field(default_factory=list)
    topic: Text | None = None
    # Asked once after the first answer, however good: the "why this, when does it fail" probe.
    deepen: list[Localized] = Field(default_factory=list)
    # Asked instead of `text` when the CV names a project ({project}) or the job description topics ({topics}).
    cv_text: Localized | None = None
    jd_text: Localized | None = None
    # Words that make this question relevant to a job description or CV (besides its own text).
    terms: list[Text] = Field(default_factory=list)


class Stage(Strict):
    id: Slug
    title: Localized
    minutes: int = Field(gt=0, le=120)
    # The stage's pool of questions; `ask` of them are drawn per session (all, in order, if unset).
    questions: list[Slug] = Field(min_length=1)
    ask: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ask_fits(self) -> Stage:
        if self.ask is not None and self.ask > len(self.questions):
            raise ValueError(f"ask: {self.ask} is more than the {len(self.questions)} questions of the stage")
        return self


# What a probe asks for, so it is never asked of an answer that already gave it.
Asks = Literal["result", "example", "truth", "choice", "precision", "reasoning"]
# The slots a probe or lead-in may name, filled from what the answer said.
SLOTS = ("term", "choice", "alternative", "number", "example")


class Probe(Localized):
    """A follow-up question; `{term}`-style slots are filled from the answer, or the probe is skipped."""

    asks: list[Asks] = Field(default_factory=list)


class Acknowledgement(Localized):
    """What the interviewer says before moving on; `fits` names the answers it suits."""

    fits: list[Literal["solid", "partial", "weak"]] = Field(default_factory=lambda: ["solid", "partial", "weak"])


def _as_list(value: object) -> object:
    # Older snapshots stored one lead-in per reason; a list lets openings vary.
    return [value] if isinstance(value, dict) else value


class FollowUpLeadIns(Strict):
    """How the interviewer opens a follow-up, by the reason it is asked (several, so openings vary)."""

    too_short: list[Localized] = Field(min_length=1)
    hedge: list[Localized] = Field(min_length=1)
    off_topic: list[Localized] = Field(min_length=1)
    missing_evidence: list[Localized] = Field(min_length=1)
    # Before a question's one deeper probe; empty means an acknowledgement.
    deepen: list[Localized] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _listed(cls, data: object) -> object:
        if isinstance(data, dict):
            return {key: _as_list(value) for key, value in data.items()}
        return data

    def of(self, reason: str) -> list[Localized]:
        return list(getattr(self, reason, None) or [])


class Remarks(Strict):
    """What the interviewer says about the conversation itself, before its next move."""

    # {language} is the round's language, named in the language of the remark.
    wrong_language: Localized
    candidate_question: Localized
    repeated: Localized
    # Before the question again when the candidate asked what it means.
    clarification: Localized | None = None
    language_names: Localized = Localized(en="English", fr="français")


class LanguageSwitch(Strict):
    """A planned switch to another language for one question, as real interviewers do."""

    when_language: Language
    to: Language
    question: Slug
    announce: Localized


class Presentation(Strict):
    """The candidate presents their take-home (in one or more messages) before the questions."""

    question: Slug
    slot_minutes: int = Field(default=15, gt=0, le=120)
    max_messages: int = Field(default=5, ge=1, le=20)
    more: Localized
    # {minutes}, {slot} and {verdict} are filled in; the verdict is one of the three below.
    timing: Localized
    short: Localized
    fits: Localized
    long: Localized


# What the write-up does with a claim: used it, proposed it (future work), cited it, or measured a number.
ClaimStatus = Literal["used", "proposed", "cited", "measured"]


class StatusProbe(Strict):
    """The question and deeper probes for claims of one status; {claim} and {source} are filled in."""

    ask: Localized
    deepen: list[Localized] = Field(min_length=1)
    # Empty: the criteria of the claims block.
    criteria: list[Slug] = Field(default_factory=list)


class ClaimProbes(Strict):
    """How the claims extracted from a take-home become questions of the session."""

    stage: Slug
    max_claims: int = Field(default=4, ge=1, le=12)
    criteria: list[Slug] = Field(min_length=1)
    by_status: dict[ClaimStatus, StatusProbe]
    result_key_points: list[KeyPoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_status(self) -> ClaimProbes:
        missing = [s for s in ("used", "proposed", "cited", "measured") if s not in self.by_status]
        if missing:
            raise ValueError(f"by_status: missing probes for {missing}")
        return self


class TakehomeReview(Strict):
    presentation: Presentation
    claims: ClaimProbes


# The slots a handoff template may name: the earlier interviewer's name and the note's topic.
HANDOFF_SLOTS = ("colleague", "topic")
HandoffKind = Literal["thin_evidence", "claim_to_verify", "chosen_topic"]


class HandoffVoice(Strict):
    """How this persona takes up a note left by an earlier round of a loop, in its own voice (issue 18).

    A note leads to the first planned question sharing its criterion, else to `question`."""

    question: Slug
    thin_evidence: Localized
    claim_to_verify: Localized
    chosen_topic: Localized

    def of(self, kind: str) -> Localized:
        return getattr(self, kind)


class HandedNote(Strict):
    """A note of an earlier round as this session took it: for the prompt and, when it leads to a
    question, the words said before it. Set per session (like take-home claims), never in YAML."""

    id: int
    kind: HandoffKind
    colleague: Text
    text: Text
    quote: str | None = None
    question_id: Slug | None = None
    lead: Localized | None = None


class Persona(Strict):
    id: Slug
    name: Text
    role: Text
    description: Text
    tone: Text
    language: Language = "en"
    rubric: Slug
    duration_minutes: int = Field(gt=0, le=180)
    max_follow_ups_per_question: int = Field(ge=0, le=5)
    min_answer_words: int = Field(ge=1, le=400)
    opening: Localized
    closing: Localized
    # The last words, after the candidate's own questions.
    farewell: Localized
    # Said instead of `opening` when the round's document (take-home write-up) was not given.
    opening_without_document: Localized | None = None
    acknowledgements: list[Acknowledgement] = Field(min_length=1)
    lead_ins: FollowUpLeadIns
    remarks: Remarks | None = None
    stages: list[Stage] = Field(min_length=1)
    questions: list[Question] = Field(min_length=10)
    follow_ups: dict[Slug, list[Probe]]
    language_switch: LanguageSwitch | None = None
    takehome: TakehomeReview | None = None
    handoff: HandoffVoice | None = None
    # Notes of the loop's earlier rounds, set on the session's own snapshot (see interview/handoff.py).
    handoff_notes: list[HandedNote] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Persona:
        question_ids = [q.id for q in self.questions]
        if len(set(question_ids)) != len(question_ids):
            raise ValueError("questions: ids must be unique")
        known = set(question_ids)
        for i, stage in enumerate(self.stages):
            unknown = [q for q in stage.questions if q not in known]
            if unknown:
                raise ValueError(f"stages.{i}.questions: unknown question ids {unknown}")
        planned = [q for s in self.stages for q in s.questions]
        if len(set(planned)) != len(planned):
            raise ValueError("stages: a question is planned twice")
        if self.language_switch:
            switch = self.language_switch.question
            stage = next((s for s in self.stages if switch in s.questions), None)
            if stage is None or stage.ask not in (None, len(stage.questions)):
                raise ValueError("language_switch.question: must be in a stage that asks all its questions")
        if self.takehome:
            if self.takehome.presentation.question not in planned:
                raise ValueError("takehome.presentation.question: must be a planned question")
            if self.takehome.claims.stage not in {s.id for s in self.stages}:
                raise ValueError(f"takehome.claims.stage: no stage '{self.takehome.claims.stage}'")
        if self.handoff:
            _check_handoff(self.handoff, self.stages)
        return self

    def probe(self, probe_id: str) -> Localized:
        """A follow-up's text: `criterion:i` from the persona's probes, `deepen:question:i` from a question's."""
        if probe_id.startswith("deepen:"):
            _, question_id, index = probe_id.split(":")
            return self.question(question_id).deepen[int(index)]
        criterion_id, index = probe_id.rsplit(":", 1)
        return self.follow_ups[criterion_id][int(index)]

    @property
    def planned_questions(self) -> list[str]:
        return [q for s in self.stages for q in s.questions]

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def stage_of(self, question_id: str) -> Stage:
        return next(s for s in self.stages if question_id in s.questions)


def _check_handoff(voice: HandoffVoice, stages: list[Stage]) -> None:
    # The fallback question must always be asked, or a note could lead nowhere.
    stage = next((s for s in stages if voice.question in s.questions), None)
    if stage is None or stage.ask not in (None, len(stage.questions)):
        raise ValueError("handoff.question: must be in a stage that asks all its questions")
    for kind in ("thin_evidence", "claim_to_verify", "chosen_topic"):
        for language in ("en", "fr"):
            text = voice.of(kind).get(language)  # type: ignore[arg-type]
            slots = set(re.findall(r"\{([a-z_]+)\}", text))
            if unknown := slots - set(HANDOFF_SLOTS):
                raise ValueError(f"handoff.{kind}.{language}: unknown slots {sorted(unknown)}; use {{colleague}} and {{topic}}")
            if "topic" not in slots:
                raise ValueError(f"handoff.{kind}.{language}: must name the note's {{topic}}")


# ---------------------------------------------------------------- loading


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
