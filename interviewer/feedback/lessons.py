"""Lessons of the domain brief, given when what happened in a session triggers them.

The lessons and their triggers are data (data/lessons.yaml); this module validates them and
evaluates the five generic kinds of trigger over facts about each question thread, with no
round-specific code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from statistics import fmean
from typing import Annotated, Literal

import yaml
from pydantic import Field, model_validator

from interviewer.catalog.fields import Language, Localized, SAFE_LOADER, Slug, Strict, Text
from interviewer.feedback.schema import LessonOccurrence, LessonResult

# At most this many occurrences are quoted per lesson: enough to recognise the pattern.
MAX_OCCURRENCES = 3
# Halves of fewer questions say nothing about a decline.
MIN_QUESTIONS_FOR_DECLINE = 4


class _Trigger(Strict):
    # What happened, as the report tells the candidate.
    observed: Localized


class _QuestionTrigger(_Trigger):
    # Empty means any question of any round.
    questions: list[Slug] = Field(default_factory=list)


class CriterionAtMost(_QuestionTrigger):
    kind: Literal["criterion_at_most"]
    criterion: Slug
    level: int = Field(ge=1, le=4)


class Hedged(_QuestionTrigger):
    kind: Literal["hedged"]


class FollowUpFailed(_QuestionTrigger):
    kind: Literal["follow_up_failed"]


class NoNumber(_QuestionTrigger):
    kind: Literal["no_number"]
    questions: list[Slug] = Field(min_length=1)


class Decline(_Trigger):
    kind: Literal["decline"]
    drop: float = Field(gt=0, le=4)


Trigger = Annotated[CriterionAtMost | Hedged | FollowUpFailed | NoNumber | Decline, Field(discriminator="kind")]


class Lesson(Strict):
    id: Slug
    domain_lesson: Text
    title: Localized
    advice: Localized
    triggers: list[Trigger] = Field(min_length=1)


class LessonBook(Strict):
    lessons: list[Lesson] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> LessonBook:
        ids = [lesson.id for lesson in self.lessons]
        if len(set(ids)) != len(ids):
            raise ValueError(f"lessons: ids must be unique, got {ids}")
        return self


@cache
def load_lessons() -> LessonBook:
    text = resources.files("interviewer.data").joinpath("lessons.yaml").read_text("utf-8")
    return LessonBook.model_validate(yaml.load(text, Loader=SAFE_LOADER))


# ---------------------------------------------------------------- facts about a session


@dataclass(frozen=True)
class AnswerFacts:
    """One candidate turn on a question, as the lesson triggers see it."""

    quote: str
    words: int
    hedged: bool
    to_follow_up: bool


@dataclass(frozen=True)
class ThreadFacts:
    """A question and everything the candidate said about it, with its final scores."""

    question_id: str
    question: str
    answers: list[AnswerFacts]
    scores: dict[str, int]
    evidence: dict[str, list[str]]
    has_number: bool
    min_words: int

    @property
    def mean_score(self) -> float | None:
        return sum(self.scores.values()) / len(self.scores) if self.scores else None


def _applies(trigger: _QuestionTrigger, thread: ThreadFacts) -> bool:
    return bool(thread.answers) and (not trigger.questions or thread.question_id in trigger.questions)


def _occurrence(trigger: Trigger, thread: ThreadFacts, quote: str, language: Language) -> LessonOccurrence:
    return LessonOccurrence(
        kind=trigger.kind,
        observed=trigger.observed.get(language),
        question_id=thread.question_id,
        question=thread.question,
        quote=quote,
    )


def _thread_occurrence(
    trigger: CriterionAtMost | Hedged | FollowUpFailed | NoNumber, thread: ThreadFacts, language: Language
) -> LessonOccurrence | None:
    if not _applies(trigger, thread):
        return None
    first = thread.answers[0]
    if isinstance(trigger, CriterionAtMost):
        score = thread.scores.get(trigger.criterion)
        if score is None or score > trigger.level:
            return None
        quote = (thread.evidence.get(trigger.criterion) or [first.quote])[0]
        return _occurrence(trigger, thread, quote, language)
    if isinstance(trigger, Hedged):
        hedged = next((a for a in thread.answers if a.hedged), None)
        return _occurrence(trigger, thread, hedged.quote, language) if hedged else None
    if isinstance(trigger, FollowUpFailed):
        # Only a claim that was made and then not explained: a first answer that already hedged is another lesson.
        if first.hedged or first.words < thread.min_words:
            return None
        failed = next(
            (a for a in thread.answers if a.to_follow_up and (a.hedged or a.words < thread.min_words / 2)), None
        )
        return _occurrence(trigger, thread, failed.quote, language) if failed else None
    return None if thread.has_number else _occurrence(trigger, thread, first.quote, language)


def _decline(trigger: Decline, threads: list[ThreadFacts], language: Language) -> LessonOccurrence | None:
    scored = [(t, mean) for t in threads if t.answers and (mean := t.mean_score) is not None]
    if len(scored) < MIN_QUESTIONS_FOR_DECLINE:
        return None
    half = len(scored) // 2
    early, late = scored[:half], scored[half:]
    if fmean(m for _, m in early) - fmean(m for _, m in late) < trigger.drop:
        return None
    weakest, _ = min(late, key=lambda tm: tm[1])
    return _occurrence(trigger, weakest, weakest.answers[0].quote, language)


def triggered_lessons(threads: list[ThreadFacts], *, language: Language) -> list[LessonResult]:
    """The lessons whose triggers fired, in the book's order, each with the moments that fired it."""
    results: list[LessonResult] = []
    for lesson in load_lessons().lessons:
        found: list[LessonOccurrence] = []
        for trigger in lesson.triggers:
            if isinstance(trigger, Decline):
                hit = _decline(trigger, threads, language)
                found += [hit] if hit else []
                continue
            for thread in threads:
                hit = _thread_occurrence(trigger, thread, language)
                # One moment is quoted once per lesson, even when several triggers see it.
                if hit and all(o.question_id != hit.question_id for o in found):
                    found.append(hit)
        if found:
            results.append(
                LessonResult(
                    id=lesson.id,
                    title=lesson.title.get(language),
                    advice=lesson.advice.get(language),
                    domain_lesson=lesson.domain_lesson,
                    occurrences=found[:MAX_OCCURRENCES],
                )
            )
    return results
