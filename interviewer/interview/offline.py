"""The embedded offline engine's voice: each move phrased from the persona's own texts.
Deterministic and without network, so the interviewer works out of the box; its scores come
from the lexical scorer (assessment/scoring.py). Model prompts use this text as the script to follow.
"""

from __future__ import annotations

from interviewer.assessment import mentions
from interviewer.assessment.turns import presentation_minutes, timing_verdict
from interviewer.catalog.personas import Persona
from interviewer.interview import handoff
from interviewer.interview.engine import Move


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


def _filled(template: str, move: Move) -> str:
    return mentions.fill(template, move.slot_values) or template


def fill_probe(persona: Persona, move: Move) -> str:
    """A follow-up probe with its slots filled from the answer (what a model prompt also needs)."""
    assert move.probe_id is not None
    return _filled(persona.probe(move.probe_id).get(move.language), move)


def _remark(persona: Persona, move: Move, session_language: str) -> str:
    """A word about the conversation before the move, in the language of the move."""
    if move.remark is None or persona.remarks is None:
        return ""
    remarks = persona.remarks
    remark = getattr(remarks, move.remark) or remarks.candidate_question
    text = remark.get(move.language)
    # The remark is said in the round's language, so that language is named in itself.
    return text.replace("{language}", remarks.language_names.get(move.language)) + " "


def _question_text(persona: Persona, move: Move) -> str:
    question = persona.question(move.question_id or "")
    lang = move.language
    values = move.slot_values
    for variant in (question.cv_text, question.jd_text):
        if variant is not None:
            filled = mentions.fill(variant.get(lang), values)
            if filled and mentions.slots_of(variant.get(lang)):
                return filled
    return question.text.get(lang)


def phrase_move(persona: Persona, move: Move, *, session_language: str, turn_index: int, has_document: bool = True) -> str:
    """The interviewer's words for a move, in the move's language."""
    lang = move.language
    # Interviewer turns have even indexes, so halve it or half of the acknowledgements never show.
    index = move.ack if move.ack is not None else (turn_index // 2) % len(persona.acknowledgements)
    ack = persona.acknowledgements[index].get(lang)
    remark = _remark(persona, move, session_language)
    if move.kind == "ended":
        return persona.farewell.get(lang)
    if move.kind == "closing":
        return f"{remark}{ack} {persona.closing.get(lang)}"
    assert move.question_id is not None
    question = _question_text(persona, move)
    if lead := handoff.lead_for(persona, move.kind, move.question_id, lang):
        # An earlier round's note leads to this question: the persona takes it up first (issue 18).
        question = f"{lead}\n\n{question}"
    if move.kind == "presentation_more" and persona.takehome:
        return persona.takehome.presentation.more.get(lang)
    if move.kind == "follow_up":
        if move.reason == "candidate_question":
            return f"{remark}\n\n{question}"
        assert move.probe_id is not None and move.reason is not None
        options = persona.lead_ins.of(move.reason)
        if move.lead_in is not None and move.lead_in < len(options):
            lead_in = _filled(options[move.lead_in].get(lang), move)
        else:
            lead_in = ack if move.reason == "deepen" else options[0].get(lang)
        probe = fill_probe(persona, move)
        if lead_in.endswith(","):
            # "Regarding X, which of..." reads as one sentence.
            probe = probe[:1].lower() + probe[1:]
        return f"{remark}{lead_in} {probe}"
    if turn_index == 0:
        opening = persona.opening
        if not has_document and persona.opening_without_document is not None:
            # Never claim to have read a write-up that was not given.
            opening = persona.opening_without_document
        return f"{opening.get(lang)}\n\n{question}"
    if move.presentation_words is not None:
        ack = f"{ack} {timing_sentence(persona, move.presentation_words, session_language)}\n\n"
    if move.kind == "language_switch" and persona.language_switch:
        # Announced in the session's language, then asked in the other one.
        return f"{remark}{ack} {persona.language_switch.announce.get(session_language)}\n\n{question}"
    return f"{remark}{ack} {question}"
