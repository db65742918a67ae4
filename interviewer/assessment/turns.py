"""Turns as the pure parts read them, and the timing of a take-home presentation: shared by the
engine (when to move on) and the report (how long it would take spoken)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from dataclasses import dataclass
from typing import Literal


# A reply this short to "anything to add?" ends the presentation.
DONE_PRESENTING_WORDS = 12


@dataclass(frozen=True)
class TurnView:
    """The engine's view of a stored turn."""

    role: Literal["candidate", "interviewer"]
    kind: str
    question_id: str | None = None
    probe_id: str | None = None
    words: int = 0
    # The turn's text: what the candidate said is what follow-ups take up.
    content: str = ""


def presentation_words(turns: list[TurnView], question_id: str) -> int:
    """Words of the presentation: every answer to its question but a closing "that's all"."""
    answers = [t for t in turns if t.role == "candidate" and t.question_id == question_id]
    if len(answers) > 1 and answers[-1].words <= DONE_PRESENTING_WORDS:
        answers = answers[:-1]
    return sum(t.words for t in answers)


# Spoken presentations run at about this pace; used to time a presentation from its words.
WORDS_PER_MINUTE = 130


def presentation_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)


def timing_verdict(minutes: float, slot_minutes: int) -> Literal["short", "fits", "long"]:
    """Under 60% of the slot leaves time unused; over 110% will be cut off."""
    if minutes < 0.6 * slot_minutes:
        return "short"
    return "long" if minutes > 1.1 * slot_minutes else "fits"
