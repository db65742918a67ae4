"""The one seam to models. Today it serves the embedded offline engine; a litellm-backed model
plugs in behind the same two calls (phrase a move, judge an answer).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from interviewer import offline
from interviewer.catalog import Persona
from interviewer.engine import Move
from interviewer.scoring import Assessment, CriterionScore


class ModelUnavailable(Exception):
    """The configured model cannot be used; the message says what to configure."""


@dataclass(frozen=True)
class Reply:
    text: str
    model: str
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: int


@dataclass(frozen=True)
class Judgement:
    scores: list[CriterionScore]
    model: str


def _check(model: str) -> None:
    if model != offline.OFFLINE_MODEL:
        raise ModelUnavailable(
            f"model '{model}' is not available in this version: set INTERVIEWER_MODEL=offline"
        )


def phrase(*, model: str, persona: Persona, move: Move, session_language: str, turn_index: int) -> Reply:
    _check(model)
    started = time.perf_counter()
    text = offline.phrase_move(persona, move, session_language=session_language, turn_index=turn_index)
    return Reply(
        text=text,
        model=offline.OFFLINE_MODEL,
        prompt_tokens=None,
        completion_tokens=None,
        latency_ms=round((time.perf_counter() - started) * 1000),
    )


def judge(*, model: str, assessment: Assessment) -> Judgement:
    _check(model)
    return Judgement(scores=offline.judge(assessment), model=offline.OFFLINE_MODEL)
