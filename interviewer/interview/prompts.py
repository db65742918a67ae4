"""Render the interviewer's prompt from its jinja2 template (pure, no model calls).

Persona and instructions are the system message. Everything the candidate wrote (job description,
CV, take-home, answers) is in user messages, inside delimiter tags, with `<` and `>` escaped and
headings defused, so it can neither close a tag nor pass for one of the prompt's own headings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric
from interviewer.interview import handoff
from interviewer.interview.engine import Move
from interviewer.interview.offline import fill_probe, timing_sentence
from interviewer.models.prompting import LANGUAGE_NAMES, Messages, as_data, environment

# Documents are clipped in the prompt so a long CV or take-home cannot crowd out the interview.
DOCUMENT_CHARS = 6_000
REASONS = {
    "too_short": "the answer was too short to show what the candidate knows.",
    "hedge": "the candidate hedged or said they did not know; help them reason it out.",
    "off_topic": "the answer drifted away from the question; bring them back to it.",
    "missing_evidence": "the answer left part of the question without evidence.",
    "deepen": "every claim gets one deeper question: why this choice, when it fails, what you would change.",
    "candidate_question": "the candidate asked you a question; answer briefly in character or keep it for the end, then ask your question again.",
}


def _clip(text: str | None, limit: int = DOCUMENT_CHARS) -> str | None:
    if not text:
        return None
    return as_data(text if len(text) <= limit else text[:limit] + "\n[… clipped]")


@dataclass(frozen=True)
class TurnText:
    role: str
    kind: str
    question_id: str | None
    content: str


@dataclass(frozen=True)
class ReplyContext:
    """Everything the interviewer prompt may use for one move."""

    persona: Persona
    rubric: Rubric
    move: Move
    session_language: Language
    scripted: str
    turns: list[TurnText]
    lacking: list[str] = field(default_factory=list)
    job_description: str | None = None
    cv: str | None = None
    takehome: str | None = None


def _earlier_summary(ctx: ReplyContext, recent: list[TurnText]) -> list[str]:
    """One line per question already left behind: the compact state that replaces old turns."""
    recent_ids = {id(t) for t in recent}
    lines: list[str] = []
    for question_id in dict.fromkeys(t.question_id for t in ctx.turns if t.question_id and id(t) not in recent_ids):
        if question_id == ctx.move.question_id:
            continue
        thread = [t for t in ctx.turns if t.question_id == question_id]
        follow_ups = sum(t.kind == "follow_up" for t in thread)
        answered = sum(len(t.content.split()) for t in thread if t.role == "candidate")
        topic = ctx.persona.question(question_id).topic or question_id
        lines.append(f"asked about {topic}: {answered} words of answers, {follow_ups} follow-up(s)")
    return lines


def interviewer_messages(ctx: ReplyContext, *, recent_turns: int) -> Messages:
    """System prompt from the persona and the move, then the recent turns verbatim."""
    move = ctx.move
    recent = ctx.turns[-recent_turns:]
    question_text = ctx.persona.question(move.question_id).text.get(move.language) if move.question_id else None
    criterion = ctx.rubric.criterion(move.criterion_id) if move.criterion_id else None
    probe = fill_probe(ctx.persona, move) if move.probe_id else None
    system = environment().get_template("interviewer.j2").render(
        persona=ctx.persona,
        move=move,
        language_name=LANGUAGE_NAMES[move.language],
        session_language_name=LANGUAGE_NAMES[ctx.session_language],
        # Claim questions quote the take-home and probes may quote the answer: inert like any candidate text.
        question_text=as_data(question_text) if question_text else None,
        criterion=criterion,
        probe=as_data(probe) if probe else None,
        reason=REASONS.get(move.reason or "", ""),
        scripted=as_data(ctx.scripted),
        lacking=[ctx.rubric.criterion(c).name for c in ctx.lacking],
        documents=[name for name, text in _documents(ctx) if text],
        earlier=_earlier_summary(ctx, recent),
        timing=timing_sentence(ctx.persona, move.presentation_words, ctx.session_language) if move.presentation_words is not None else None,
        handoff_lead=as_data(lead) if (lead := handoff.lead_for(ctx.persona, move.kind, move.question_id, move.language)) else None,
    )
    messages: Messages = [{"role": "system", "content": system}]
    if documents := documents_message(ctx):
        messages.append(documents)
    for turn in recent:
        if turn.role == "interviewer":
            messages.append({"role": "assistant", "content": turn.content})
        else:
            messages.append({"role": "user", "content": f"<candidate_answer>\n{as_data(turn.content)}\n</candidate_answer>"})
    if messages[-1]["role"] != "user":
        # Chat APIs expect the last message to be the user's; at the start nobody has spoken yet.
        messages.append({"role": "user", "content": "(The candidate has joined and is listening.)"})
    return messages


DOCUMENT_TAGS = {
    "job_description": "the job the candidate is preparing for", "cv": "the candidate's CV", "takehome": "the candidate's take-home write-up",
    # Derived from the candidate's answers in the loop's earlier rounds: data like the rest.
    "handoff_notes": "notes left by the interviewers of earlier rounds of this loop",
}


def _documents(ctx: ReplyContext) -> list[tuple[str, str | None]]:
    return [("job_description", ctx.job_description), ("cv", ctx.cv), ("takehome", ctx.takehome), ("handoff_notes", handoff.prompt_text(ctx.persona))]


def documents_message(ctx: ReplyContext) -> dict[str, str] | None:
    """The candidate's documents as one user message, each inside its own tags: data, never instructions."""
    blocks = [
        f"<{name}>\n{_clip(text)}\n</{name}>" for name, text in _documents(ctx) if text
    ]
    if not blocks:
        return None
    intro = "The candidate's documents, for context (" + ", ".join(DOCUMENT_TAGS[n] for n, t in _documents(ctx) if t) + "):"
    return {"role": "user", "content": intro + "\n" + "\n".join(blocks)}
