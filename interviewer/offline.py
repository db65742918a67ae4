"""The embedded offline engine's voice: each move phrased from the persona's own texts.
Deterministic and without network, so the interviewer works out of the box; its scores come
from the lexical scorer (scoring.py). Model prompts use this text as the script to follow.
"""

from __future__ import annotations

from interviewer.catalog import Persona
from interviewer.engine import Move


def phrase_move(persona: Persona, move: Move, *, session_language: str, turn_index: int) -> str:
    """The interviewer's words for a move, in the move's language."""
    lang = move.language
    # Interviewer turns have even indexes, so halve it or half of the acknowledgements never show.
    ack = persona.acknowledgements[(turn_index // 2) % len(persona.acknowledgements)]
    if move.kind == "ended":
        return persona.farewell.get(lang)
    if move.kind == "closing":
        return f"{ack.get(lang)} {persona.closing.get(lang)}"
    assert move.question_id is not None
    question = persona.question(move.question_id).text.get(lang)
    if move.kind == "follow_up":
        assert move.probe_id is not None and move.criterion_id is not None and move.reason is not None
        index = int(move.probe_id.rsplit(":", 1)[1])
        lead_in = getattr(persona.lead_ins, move.reason).get(lang)
        return f"{lead_in} {persona.follow_ups[move.criterion_id][index].get(lang)}"
    if turn_index == 0:
        return f"{persona.opening.get(lang)}\n\n{question}"
    if move.kind == "language_switch" and persona.language_switch:
        # Announced in the session's language, then asked in the other one.
        return f"{ack.get(session_language)} {persona.language_switch.announce.get(session_language)}\n\n{question}"
    return f"{ack.get(lang)} {question}"
