"""The interview as a pure state machine: given the persona, the transcript so far and the quick
assessment of the last answer, decide the interviewer's next move. No I/O, no model.

The state is derived from the transcript (turn kinds, question ids, probe ids), so any worker
can rebuild it from the database and a re-run gives the same decision.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

from interviewer.assessment import mentions
from interviewer.assessment.mentions import Said
from interviewer.assessment.scoring import Assessment
from interviewer.assessment.turns import DONE_PRESENTING_WORDS, TurnView, presentation_words
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona, Probe
from interviewer.interview import follow_up
from interviewer.interview.tailoring import Focus, ranked

MoveKind = Literal["question", "language_switch", "follow_up", "presentation_more", "closing", "ended"]
FollowUpReason = Literal["too_short", "hedge", "off_topic", "missing_evidence", "deepen", "candidate_question"]
Remark = Literal["wrong_language", "candidate_question", "clarification", "repeated"]
# Interviewer turn kinds that open or continue a question thread.
ASKING_KINDS = ("question", "language_switch", "follow_up", "presentation_more")
MAX_REPEAT_REMARKS = 2


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
    # Slot values taken from the answer (or the CV / job description) that the words fill in.
    slots: tuple[tuple[str, str], ...] = ()
    # Index of the lead-in (in persona.lead_ins.of(reason)) and of the acknowledgement to say.
    lead_in: int | None = None
    ack: int | None = None
    # Said before the move: the answer was in another language, a question, or a repeat.
    remark: Remark | None = None

    @property
    def slot_values(self) -> dict[str, str]:
        return dict(self.slots)


def _rng(seed: str, salt: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"{seed}:{salt}".encode()).hexdigest()[:16], 16))


def plan(persona: Persona, seed: str, focus: Focus | None = None) -> list[str]:
    """The questions this session asks, stage by stage; a stage with `ask` draws from its pool,
    the questions its documents make relevant first (the seeded draw orders the rest)."""
    chosen: list[str] = []
    for stage in persona.stages:
        if stage.ask is None:
            chosen.extend(stage.questions)
            continue
        rng = _rng(seed, stage.id)
        if focus is None or focus.empty:
            picked = set(rng.sample(stage.questions, stage.ask))
        else:
            order = rng.sample(stage.questions, len(stage.questions))
            picked = set(ranked(stage.questions, persona, focus, order, persona.language)[: stage.ask])
        chosen.extend(q for q in stage.questions if q in picked)
    return chosen


def question_language(persona: Persona, question_id: str, language: Language) -> Language:
    switch = persona.language_switch
    if switch and switch.question == question_id and switch.when_language == language:
        return switch.to
    return language


def _ask(
    persona: Persona, question_id: str, language: Language, *, focus: Focus | None = None,
    interviewer_turns: list[TurnView] | None = None,
) -> Move:
    asked_in = question_language(persona, question_id, language)
    kind: MoveKind = "language_switch" if asked_in != language else "question"
    return Move(kind=kind, language=asked_in, question_id=question_id, slots=_document_slots(persona, question_id, focus, interviewer_turns or []))


def _document_slots(persona: Persona, question_id: str, focus: Focus | None, interviewer_turns: list[TurnView]) -> tuple[tuple[str, str], ...]:
    """A CV project or the job description's topics, for a question that has a text using them."""
    if focus is None:
        return ()
    question = persona.question(question_id)
    if question.cv_text is not None and focus.projects:
        # Each CV-grounded question takes up the next project, so two never ask about the same one.
        earlier = sum(
            1 for t in interviewer_turns
            if t.kind in ("question", "language_switch") and t.question_id and persona.question(t.question_id).cv_text is not None
        )
        return (("project", focus.projects[earlier % len(focus.projects)]),)
    if question.jd_text is not None and focus.topics:
        return (("topics", ", ".join(focus.topics)),)
    return ()


def first_move(persona: Persona, planned: list[str], language: Language, focus: Focus | None = None) -> Move:
    return _ask(persona, planned[0], language, focus=focus)


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
    said: Said,
    used: Counter[str],
    seed: str,
    language: Language,
    follow_up_texts: list[str],
) -> Move | None:
    reason = _reason(assessment)
    if reason is None:
        return None
    if said.dont_know and reason in ("too_short", "off_topic"):
        # "I don't know" is a hedge however short: it gets an invitation to reason, not "say more".
        reason = "hedge"
    question = persona.question(question_id)
    in_scope = question.criteria or list(persona.follow_ups)
    # Probe the criteria that lack evidence first; a short or hedged answer may probe any.
    candidates = [c for c in assessment.lacking if c in in_scope]
    if reason != "missing_evidence":
        candidates += [c for c in in_scope if c not in candidates]
    slots = said.slots()
    if "choice" in slots:
        # "X over Y" is the answer's own decision: asking about it is the follow-up a listener makes.
        candidates += [
            c for c in in_scope if c not in candidates
            and any("choice" in mentions.slots_of(p.get(language)) for p in persona.follow_ups.get(c, []))
        ]
    gave = said.gave()
    options: list[tuple[int, int, float, str, Probe]] = []
    for rank, criterion_id in enumerate(candidates):
        rng = _rng(seed, f"{question_id}:{criterion_id}")
        for index, probe in enumerate(persona.follow_ups.get(criterion_id, [])):
            probe_id = f"{criterion_id}:{index}"
            if not follow_up.fresh(probe_id, probe, language, slots, used, follow_up_texts) or not follow_up.probe_fits(probe, language, slots, gave, reason):
                continue
            wants_reasoning = reason == "hedge" and "reasoning" in probe.asks
            filled = len(mentions.slots_of(probe.get(language)))
            # Probes that take up the answer's words first, then the criteria most in need, then the seed.
            options.append((-(filled + 2 * wants_reasoning), rank, rng.random(), probe_id, probe))
    if not options:
        return None
    _, _, _, probe_id, probe = min(options)
    criterion_id = probe_id.rsplit(":", 1)[0]
    needed = mentions.slots_of(probe.get(language))
    lead_in = follow_up.lead_in(
        persona, reason, language, slots, follow_up_texts, _rng(seed, f"lead:{len(follow_up_texts)}"),
        prefer_slots=not needed, avoid_slots=set(needed),
    )
    if lead_in is not None:
        needed |= mentions.slots_of(persona.lead_ins.of(reason)[lead_in].get(language))
    return Move(
        kind="follow_up",
        language=language,
        question_id=question_id,
        criterion_id=criterion_id,
        probe_id=probe_id,
        reason=reason,
        slots=tuple((k, v) for k, v in slots.items() if k in needed),
        lead_in=lead_in,
    )


def _presentation(persona: Persona, turns: list[TurnView], current: str) -> Move | None:
    """While the candidate presents: ask for more until they are done, or None once they are."""
    assert persona.takehome is not None
    presentation = persona.takehome.presentation
    asked_more = sum(1 for t in turns if t.kind == "presentation_more" and t.question_id == current)
    latest = next(t for t in reversed(turns) if t.role == "candidate")
    # "That's all" / "c'est tout" ends it at once, however long the message that says it.
    said_done = mentions.read_answer(latest.content, language=persona.language).done if latest.content else False
    done = said_done or asked_more >= presentation.max_messages or (asked_more > 0 and latest.words <= DONE_PRESENTING_WORDS)
    if done:
        return None
    return Move(kind="presentation_more", language=persona.language, question_id=current)


def _deepen(
    persona: Persona, interviewer_turns: list[TurnView], question_id: str, seed: str, language: Language, said: Said,
    follow_up_texts: list[str],
) -> Move | None:
    """The one deeper probe a question with `deepen` texts always gets after its first answer."""
    question = persona.question(question_id)
    if not question.deepen or any(t.kind == "follow_up" and t.question_id == question_id for t in interviewer_turns):
        return None
    used = {t.probe_id for t in interviewer_turns if t.probe_id}
    start = _rng(seed, f"deepen:{question_id}").randrange(len(question.deepen))
    slots = said.slots()
    for offset in range(len(question.deepen)):
        probe_id = f"deepen:{question_id}:{(start + offset) % len(question.deepen)}"
        if probe_id not in used:
            # The deeper probe names nothing of the answer, so its lead-in does when it can.
            lead_in = follow_up.lead_in(
                persona, "deepen", language, slots, follow_up_texts, _rng(seed, f"lead:{len(follow_up_texts)}"), prefer_slots=True,
            )
            needed = mentions.slots_of(persona.lead_ins.deepen[lead_in].get(language)) if lead_in is not None else set()
            return Move(
                kind="follow_up", language=language, question_id=question_id, probe_id=probe_id, reason="deepen",
                slots=tuple((k, v) for k, v in slots.items() if k in needed), lead_in=lead_in,
            )
    return None


def _vocabulary(persona: Persona) -> frozenset[str]:
    """The round's own words: a candidate naming them is worth following up on, glossary or not."""
    return mentions.vocabulary_of(persona.round_texts)


def _remark(persona: Persona, turns: list[TurnView], latest: TurnView, said: Said, expected: Language) -> Remark | None:
    """Something about the conversation worth saying before the next move."""
    if persona.remarks is None:
        return None
    switch = persona.language_switch
    on_switch = switch is not None and switch.question == latest.question_id
    if said.language is not None and said.language != expected and not on_switch:
        return "wrong_language"
    earlier = [t.content for t in turns if t.role == "candidate" and t is not latest and t.content]
    said_before = [t for t in turns if t.role == "interviewer" and t.kind != "farewell"]
    # Noticing a repeat is worth saying, but not at every turn: at most twice a round, never twice running.
    openings = _remark_openings(persona, "repeated")
    noticed = sum(1 for t in said_before if t.content and t.content.lower().startswith(openings))
    just_said = bool(said_before) and bool(said_before[-1].content) and said_before[-1].content.lower().startswith(openings)
    if noticed < MAX_REPEAT_REMARKS and not just_said and mentions.repeats(latest.content, earlier, language=expected):
        return "repeated"
    return None


def _remark_openings(persona: Persona, remark: Remark) -> tuple[str, ...]:
    """How the remark starts when said, in either language (a turn opening so has made it)."""
    assert persona.remarks is not None
    text = getattr(persona.remarks, remark)
    return tuple(follow_up.opening_of(text.get(lang))[:30] for lang in ("en", "fr"))


def next_move(
    *,
    persona: Persona,
    planned: list[str],
    language: Language,
    turns: list[TurnView],
    assessment: Assessment | None,
    seed: str,
    focus: Focus | None = None,
) -> Move:
    """Decide the move that answers the candidate's latest turn."""
    interviewer_turns = [t for t in turns if t.role == "interviewer"]
    last = interviewer_turns[-1] if interviewer_turns else None
    if last is None:
        return first_move(persona, planned, language, focus)
    if last.kind in ("closing", "ended"):
        return Move(kind="ended", language=language)

    current = last.question_id
    presenting = persona.takehome is not None and current == persona.takehome.presentation.question
    if presenting:
        assert current is not None
        move = _presentation(persona, turns, current)
        if move is not None:
            return Move(kind=move.kind, language=question_language(persona, current, language), question_id=current)
        following = _next_question(persona, planned, language, interviewer_turns, focus=focus, assessment=assessment, seed=seed)
        return replace(following, presentation_words=presentation_words(turns, current))
    latest = next((t for t in reversed(turns) if t.role == "candidate"), None)
    remark: Remark | None = None
    if current is not None and assessment is not None and latest is not None:
        asked_in = question_language(persona, current, language)
        question_text = persona.question(current).text.get(asked_in)
        said = mentions.read_answer(latest.content, language=asked_in, question=question_text, vocabulary=_vocabulary(persona))
        follow_up_texts = [t.content for t in interviewer_turns if t.kind == "follow_up"]
        if said.asks_question and persona.remarks is not None:
            # Once per question (a follow-up without a probe is that re-ask), so it cannot loop.
            answered_here = any(t.kind == "follow_up" and t.question_id == current and t.probe_id is None for t in interviewer_turns)
            if not answered_here:
                # A question back: answered briefly in character, then the pending question again.
                clarify = mentions.asks_to_clarify(latest.content) and persona.remarks.clarification is not None
                return Move(
                    kind="follow_up", language=asked_in, question_id=current, reason="candidate_question",
                    remark="clarification" if clarify else "candidate_question",
                )
        remark = _remark(persona, turns, latest, said, asked_in)
        deepen = _deepen(persona, interviewer_turns, current, seed, asked_in, said, follow_up_texts)
        if deepen is not None and remark != "wrong_language":
            return replace(deepen, remark=remark)
        follow_ups_here = sum(1 for t in interviewer_turns if t.kind == "follow_up" and t.question_id == current)
        # A second "I don't know" on the same question: move on rather than press.
        hedged_before = said.dont_know and any(
            t.kind == "follow_up" and t.question_id == current and t.probe_id and not t.probe_id.startswith("deepen:")
            for t in interviewer_turns
        )
        # "That's it": the candidate has said what they had to say; pressing would only repeat.
        finished = said.done and len(latest.content.split()) <= DONE_PRESENTING_WORDS
        if follow_ups_here < persona.max_follow_ups_per_question and not hedged_before and not finished:
            used = Counter(t.probe_id for t in interviewer_turns if t.probe_id)
            move = _follow_up(
                persona,
                question_id=current,
                assessment=assessment,
                said=said,
                used=used,
                seed=seed,
                language=asked_in,
                follow_up_texts=follow_up_texts,
            )
            if move is not None:
                return replace(move, remark=remark)

    move = _next_question(persona, planned, language, interviewer_turns, focus=focus, assessment=assessment, seed=seed)
    return replace(move, remark=remark)


def _next_question(
    persona: Persona, planned: list[str], language: Language, interviewer_turns: list[TurnView], *,
    focus: Focus | None = None, assessment: Assessment | None = None, seed: str = "",
) -> Move:
    asked = {t.question_id for t in interviewer_turns if t.kind in ASKING_KINDS}
    remaining = [q for q in planned if q not in asked]
    said_before = [t.content for t in interviewer_turns if t.kind in ("question", "language_switch", "closing") and t.content]
    ack = follow_up.acknowledgement(persona, follow_up.answer_fit(assessment), language, said_before, seed)
    if remaining:
        return replace(_ask(persona, remaining[0], language, focus=focus, interviewer_turns=interviewer_turns), ack=ack)
    return Move(kind="closing", language=language, ack=ack)


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
