"""The rubric schema: criteria with anchored levels, worked examples, and per-question key points."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from interviewer.catalog.fields import Language, Localized, Phrases, Slug, Strict, Text


OfflineAssessment = Literal["content", "clarity", "not_assessed"]


class WorkedExample(Strict):
    """A short answer and the level it earns: calibration for the judge model (strong, medium, weak)."""

    level: Annotated[int, Field(ge=1, le=5)]
    answer: Text
    why: Text | None = None


class Criterion(Strict):
    id: Slug
    name: Text
    # The name in French, for what the interviewer says in French (a handoff note). Required of the
    # rubric files (load_catalog); optional here, as older session snapshots have none.
    name_fr: Text | None = None
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
    # False for a risk that good answers name as what they avoid ("so signals neither vanish nor
    # explode"): saying it under a negation is not denying it.
    contradictable: bool = True

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


class Topic(Strict):
    """A subject the candidate chooses ("present an algorithm you know well"): the names that say an
    answer presents it, the facts a correct presentation states, and its classic mistakes."""

    id: Slug
    names: Phrases
    key_points: list[KeyPoint] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(default_factory=list)

    def name(self, language: Language) -> str:
        return self.names.get(language)[0]

    def all_names(self, language: Language) -> list[str]:
        # English names are common in French answers too.
        return list(dict.fromkeys(self.names.get(language) + self.names.get("en")))


class QuestionKey(Strict):
    """How answers to one question are judged on content.

    With `topics`, the candidate chooses the subject: the key points are then the parts of a good
    answer whatever its subject (a negation in them contradicts nothing), and the facts checked
    are those of the topic the answer names first. An answer that names none of the topics is not
    assessed on content offline: the scorer cannot tell whether what it says is true."""

    key_points: list[KeyPoint] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    reference_answer: Text | None = None
    source: Text | None = None

    @model_validator(mode="after")
    def _topic_ids_unique(self) -> QuestionKey:
        ids = [t.id for t in self.topics]
        if len(set(ids)) != len(ids):
            raise ValueError(f"topics: ids must be unique, got {ids}")
        return self


class Rubric(Strict):
    id: Slug
    name: Text
    description: Text
    criteria: list[Criterion] = Field(min_length=4, max_length=6)
    questions: dict[Slug, QuestionKey] = Field(default_factory=dict)
    # Where an explanation is what is judged, a clear delivery must not lift a wrong one into a
    # passing band: an answer that states a mistake, that the learned reader doubts, or that scores
    # 2 or less on every `offline: content` criterion counts at most this much towards the overall.
    mistake_cap: float | None = Field(default=None, ge=1, le=5)
    # Offline, the learned reader (assessment/reader.py) may doubt an answer it finds unlikely to be
    # correct. Only for rounds like those it was trained on: technical explanations, not stories.
    learned_reader: bool = False

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
