"""The embedded offline engine's voice: each move phrased from the persona's own texts.
Deterministic and without network, so the interviewer works out of the box; its scores come
from the lexical scorer (scoring.py). Model prompts use this text as the script to follow.
"""

from __future__ import annotations

from interviewer.catalog import Persona
from interviewer.engine import Move
from interviewer.takehome import presentation_minutes, timing_verdict


def timing_sentence(persona: Persona, words: int, language: str) -> str:
    """How long the presentation would take spoken, against the persona's slot."""
    assert persona.takehome is not None
    presentation = persona.takehome.presentation
    minutes = presentation_minutes(words)
    slot = presentation.slot_minutes
    verdict = getattr(presentation, timing_verdict(minutes, slot))
    return (
        presentation.timing.get(language)  # type: ignore[arg-type]
        .replace("{minutes}", f"{max(1.0, minutes):.0f}")
        .replace("{slot}", str(slot))
        .replace("{verdict}", verdict.get(language))  # type: ignore[arg-type]
    )


def phrase_move(persona: Persona, move: Move, *, session_language: str, turn_index: int) -> str:
    """The interviewer's words for a move, in the move's language."""
    lang = move.language
    # Interviewer turns have even indexes, so halve it or half of the acknowledgements never show.
    ack = persona.acknowledgements[(turn_index // 2) % len(persona.acknowledgements)].get(lang)
    if move.kind == "ended":
        return persona.farewell.get(lang)
    if move.kind == "closing":
        return f"{ack} {persona.closing.get(lang)}"
    assert move.question_id is not None
    question = persona.question(move.question_id).text.get(lang)
    if move.kind == "presentation_more" and persona.takehome:
        return persona.takehome.presentation.more.get(lang)
    if move.kind == "follow_up":
        assert move.probe_id is not None and move.reason is not None
        lead_in = ack if move.reason == "deepen" else getattr(persona.lead_ins, move.reason).get(lang)
        return f"{lead_in} {persona.probe(move.probe_id).get(lang)}"
    if turn_index == 0:
        return f"{persona.opening.get(lang)}\n\n{question}"
    if move.presentation_words is not None:
        ack = f"{ack} {timing_sentence(persona, move.presentation_words, session_language)}\n\n"
    if move.kind == "language_switch" and persona.language_switch:
        # Announced in the session's language, then asked in the other one.
        return f"{ack} {persona.language_switch.announce.get(session_language)}\n\n{question}"
    return f"{ack} {question}"
