"""The persona schema: who interviews, in which language and tone, the plan of stages and questions,
the follow-up probes and the phrases of the offline voice (loading.py reads and checks the files).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, model_validator
from interviewer.catalog.fields import Language, Localized, Slug, Strict, Text
from interviewer.catalog.rubrics import KeyPoint


# ---------------------------------------------------------------- rubric


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

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Persona:
        # A copy with other questions (a take-home round's) must not keep this one's derived caches.
        copied = super().model_copy(update=update, deep=deep)
        for derived in _DERIVED:
            copied.__dict__.pop(derived, None)
        return copied

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:
        # Looked up several times per turn: built once per parsed persona (it is frozen).
        return {q.id: q for q in self.questions}

    def question(self, question_id: str) -> Question:
        return self._questions_by_id[question_id]

    @cached_property
    def round_texts(self) -> tuple[str, ...]:
        """The round's own words: its questions (both languages), topics and terms."""
        return tuple(t for q in self.questions for t in (q.text.en, q.text.fr, q.topic or "", *q.terms))

    def stage_of(self, question_id: str) -> Stage:
        return next(s for s in self.stages if question_id in s.questions)


# Persona's cached properties: derived from its fields, dropped from a copy.
_DERIVED = ("_questions_by_id", "round_texts")


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
