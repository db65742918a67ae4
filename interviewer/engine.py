"""The interview as a pure state machine: given the persona, the transcript so far and the quick
assessment of the last answer, decide the interviewer's next move. No I/O, no model.

The state is derived from the transcript (turn kinds, question ids, probe ids), so any worker
can rebuild it from the database and a re-run gives the same decision.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Literal

from interviewer.catalog import Language, Persona
from interviewer.scoring import Assessment

MoveKind = Literal["question", "language_switch", "follow_up", "presentation_more", "closing", "ended"]
FollowUpReason = Literal["too_short", "hedge", "off_topic", "missing_evidence", "deepen"]
# Interviewer turn kinds that open or continue a question thread.
ASKING_KINDS = ("question", "language_switch", "follow_up", "presentation_more")
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


@dataclass(frozen=True)
class Move:
    kind: MoveKind
    language: Language
    question_id: str | None = None
    criterion_id: str | None = None
    probe_id: str | None = None
    reason: FollowUpReason | None = None
    # Set on the move right after a presentation: its length in words, to time it against the slot.
    presentation_words: int | None = None


def _rng(seed: str, salt: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{salt}".encode()).hexdigest()[:16], 16))


def plan(persona: Persona, seed: str) -> list[str]:
    """The questions this session asks, stage by stage; a stage with `ask` draws from its pool."""
    chosen: list[str] = []
    for stage in persona.stages:
        if stage.ask is None:
            chosen.extend(stage.questions)
            continue
        picked = set(_rng(seed, stage.id).sample(stage.questions, stage.ask))
        chosen.extend(q for q in stage.questions if q in picked)
    return chosen


def question_language(persona: Persona, question_id: str, language: Language) -> Language:
    switch = persona.language_switch
    if switch and switch.question == question_id and switch.when_language == language:
        return switch.to
    return language


def _ask(persona: Persona, question_id: str, language: Language) -> Move:
    asked_in = question_language(persona, question_id, language)
    kind: MoveKind = "language_switch" if asked_in != language else "question"
    return Move(kind=kind, language=asked_in, question_id=question_id)


def first_move(persona: Persona, planned: list[str], language: Language) -> Move:
    return _ask(persona, planned[0], language)


def _reason(assessment: Assessment) -> FollowUpReason | None:
    # An admission of not knowing is a hedge even when it shares no word with the question.
    if assessment.hedges:
        return "hedge"
    if assessment.off_topic:
        return "off_topic"
    if assessment.too_short:
        return "too_short"
    if assessment.lacking:
        return "missing_evidence"
    return None


def _follow_up(
    persona: Persona,
    *,
    question_id: str,
    assessment: Assessment,
    used: set[str],
    seed: str,
    language: Language,
) -> Move | None:
    reason = _reason(assessment)
    if reason is None:
        return None
    question = persona.question(question_id)
    in_scope = question.criteria or list(persona.follow_ups)
    # Probe the criteria that lack evidence first; a short or hedged answer may probe any.
    candidates = [c for c in assessment.lacking if c in in_scope]
    if reason != "missing_evidence":
        candidates += [c for c in in_scope if c not in candidates]
    for criterion_id in candidates:
        probes = persona.follow_ups.get(criterion_id, [])
        start = _rng(seed, f"{question_id}:{criterion_id}").randrange(len(probes)) if probes else 0
        for offset in range(len(probes)):
            probe_id = f"{criterion_id}:{(start + offset) % len(probes)}"
            if probe_id not in used:
                return Move(
                    kind="follow_up",
                    language=language,
                    question_id=question_id,
                    criterion_id=criterion_id,
                    probe_id=probe_id,
                    reason=reason,
                )
    return None


def presentation_words(turns: list[TurnView], question_id: str) -> int:
    """Words of the presentation: every answer to its question but a closing "that's all"."""
    answers = [t for t in turns if t.role == "candidate" and t.question_id == question_id]
    if len(answers) > 1 and answers[-1].words <= DONE_PRESENTING_WORDS:
        answers = answers[:-1]
    return sum(t.words for t in answers)


def _presentation(persona: Persona, turns: list[TurnView], current: str) -> Move | None:
    """While the candidate presents: ask for more until they are done, or None once they are."""
    assert persona.takehome is not None
    presentation = persona.takehome.presentation
    asked_more = sum(1 for t in turns if t.kind == "presentation_more" and t.question_id == current)
    latest = next(t for t in reversed(turns) if t.role == "candidate")
    done = asked_more >= presentation.max_messages or (asked_more > 0 and latest.words <= DONE_PRESENTING_WORDS)
    if done:
        return None
    return Move(kind="presentation_more", language=persona.language, question_id=current)


def _deepen(persona: Persona, interviewer_turns: list[TurnView], question_id: str, seed: str, language: Language) -> Move | None:
    """The one deeper probe a question with `deepen` texts always gets after its first answer."""
    question = persona.question(question_id)
    if not question.deepen or any(t.kind == "follow_up" and t.question_id == question_id for t in interviewer_turns):
        return None
    used = {t.probe_id for t in interviewer_turns if t.probe_id}
    start = _rng(seed, f"deepen:{question_id}").randrange(len(question.deepen))
    for offset in range(len(question.deepen)):
        probe_id = f"deepen:{question_id}:{(start + offset) % len(question.deepen)}"
        if probe_id not in used:
            return Move(kind="follow_up", language=language, question_id=question_id, probe_id=probe_id, reason="deepen")
    return None


def next_move(
    *,
    persona: Persona,
    planned: list[str],
    language: Language,
    turns: list[TurnView],
    assessment: Assessment | None,
    seed: str,
) -> Move:
    """Decide the move that answers the candidate's latest turn."""
    interviewer_turns = [t for t in turns if t.role == "interviewer"]
    last = interviewer_turns[-1] if interviewer_turns else None
    if last is None:
        return first_move(persona, planned, language)
    if last.kind in ("closing", "ended"):
        return Move(kind="ended", language=language)

    current = last.question_id
    presenting = persona.takehome is not None and current == persona.takehome.presentation.question
    if presenting:
        assert current is not None
        move = _presentation(persona, turns, current)
        if move is not None:
            return Move(kind=move.kind, language=question_language(persona, current, language), question_id=current)
        following = _next_question(persona, planned, language, interviewer_turns)
        return Move(**{**following.__dict__, "presentation_words": presentation_words(turns, current)})
    if current is not None and assessment is not None:
        deepen = _deepen(persona, interviewer_turns, current, seed, question_language(persona, current, language))
        if deepen is not None:
            return deepen
        follow_ups_here = sum(1 for t in interviewer_turns if t.kind == "follow_up" and t.question_id == current)
        if follow_ups_here < persona.max_follow_ups_per_question:
            used = {t.probe_id for t in interviewer_turns if t.probe_id}
            move = _follow_up(
                persona,
                question_id=current,
                assessment=assessment,
                used=used,
                seed=seed,
                language=question_language(persona, current, language),
            )
            if move is not None:
                return move

    return _next_question(persona, planned, language, interviewer_turns)


def _next_question(persona: Persona, planned: list[str], language: Language, interviewer_turns: list[TurnView]) -> Move:
    asked = {t.question_id for t in interviewer_turns if t.kind in ASKING_KINDS}
    remaining = [q for q in planned if q not in asked]
    if remaining:
        return _ask(persona, remaining[0], language)
    return Move(kind="closing", language=language)


@dataclass(frozen=True)
class Progress:
    stage_id: str | None
    question_number: int
    question_count: int


def progress(persona: Persona, planned: list[str], turns: list[TurnView]) -> Progress:
    asked = [t.question_id for t in turns if t.role == "interviewer" and t.kind in ("question", "language_switch")]
    current = asked[-1] if asked else None
    return Progress(
        stage_id=persona.stage_of(current).id if current else None,
        question_number=len(asked),
        question_count=len(planned),
    )
