"""The debrief of a loop: its rounds side by side, what they say about each other, and a practice plan.

Pure: built from each round's report (as `report.build_report` produces it, dumped to JSON), the
candidate's answers and the handoff notes. It asserts only what it checked: a consistency signal
quotes the sentences it compared and names their rounds; a claim no later round asked about is
not called confirmed or unconfirmed, nor is one whose later answer did not name it. Practice
feedback, not a hiring decision.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from interviewer.assessment.glossary import GlossaryEntry
from interviewer.assessment.glossary import glossary_entries_in
from interviewer.assessment.mentions import numbers_in
from interviewer.assessment.text import content_stems, sentences
from interviewer.catalog.fields import Language
from interviewer.feedback.debrief_plan import practice_plan
from interviewer.feedback.debrief_text import band_name, labels, text
from interviewer.feedback.report import quote_of
from interviewer.feedback.debrief_model import (
    Competency,
    CompetencyRound,
    Debrief,
    LoopStatus,
    NoteInput,
    QuestionSummary,
    Quote,
    RoundInput,
    RoundSummary,
    Signal,
    answer_on,
    question_score,
    scored_questions,
)

# A later round's question scored at or below this did not confirm what an earlier round heard.
NOT_CONFIRMED_AT_MOST = 2.0
CONFIRMED_FROM = 4.0
SIGNALS_MAX = 8
# Two sentences tell the same story when they share this many content stems (numbers aside).
SAME_STORY_SHARED = 3
SAME_STORY_JACCARD = 0.3


# ---------------------------------------------------------------- inputs


# ---------------------------------------------------------------- output


# ---------------------------------------------------------------- per round


def round_summary(r: RoundInput, language: str) -> RoundSummary:
    report = r.report or {}
    overall = report.get("overall") or {}
    band = overall.get("band") or None
    return RoundSummary(
        persona_id=r.persona_id, name=r.name, session_id=r.session_id, status=r.status,
        score=overall.get("score"), band=band["key"] if band else None, band_label=(band_name(language, band["key"]) or band["label"]) if band else None,
        complete=bool(overall.get("complete")) and r.status == "ended",
        questions=[
            QuestionSummary(question_id=q["question_id"], question=q["question"], answered=q["answered"], score=question_score(q))
            for q in report.get("questions") or []
        ],
    )


# ---------------------------------------------------------------- consistency


@dataclass(frozen=True)
class _Sentence:
    round_index: int
    question_id: str
    text: str
    numbers: frozenset[str]
    stems: frozenset[str]


def _normal_number(value: str) -> str:
    return re.sub(r"\s+", "", value.lower().replace(",", "."))


@lru_cache(maxsize=8192)
def _figures(text: str, language: Language) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """Each sentence of an answer that gives a number: its text, its numbers and its other words' stems."""
    found = []
    for s in sentences(text, language):
        numbers = frozenset(_normal_number(n) for n in numbers_in(s.text))
        if numbers:
            # Digits are not part of the story's words: "40%" and "20%" must not make it different.
            words = frozenset(t for t in content_stems(s.text, language) if not any(c.isdigit() for c in t))
            found.append((s.text, numbers, words))
    return tuple(found)


def _numbered_sentences(index: int, r: RoundInput) -> list[_Sentence]:
    return [
        _Sentence(index, answer.question_id, sentence, numbers, words)
        for answer in r.answers for sentence, numbers, words in _figures(answer.text, answer.language)
    ]


def _figures_differ(rounds: Sequence[RoundInput], language: str) -> list[Signal]:
    """Two rounds heard sentences that share their words but none of their figures."""
    by_round = [_numbered_sentences(i, r) for i, r in enumerate(rounds)]
    signals: list[Signal] = []
    quoted: set[str] = set()
    for i, first_round in enumerate(by_round):
        for later in by_round[i + 1:]:
            for a in first_round:
                for b in later:
                    shared = a.stems & b.stems
                    union = a.stems | b.stems
                    if len(shared) < SAME_STORY_SHARED or len(shared) / len(union) < SAME_STORY_JACCARD:
                        continue
                    if a.numbers & b.numbers or a.text in quoted or b.text in quoted:
                        continue
                    quoted.update({a.text, b.text})
                    ra, rb = rounds[a.round_index], rounds[b.round_index]
                    signals.append(Signal(
                        kind="figures_differ", about=", ".join(sorted(shared)[:4]),
                        text=text(language, "figures_differ", first_round=ra.name, second_round=rb.name,
                                  first_numbers=", ".join(sorted(a.numbers)), second_numbers=", ".join(sorted(b.numbers))),
                        rounds=[ra.persona_id, rb.persona_id], round_indexes=[a.round_index, b.round_index],
                        quotes=[Quote(persona_id=ra.persona_id, round_index=a.round_index, round=ra.name, question_id=a.question_id, text=a.text),
                                Quote(persona_id=rb.persona_id, round_index=b.round_index, round=rb.name, question_id=b.question_id, text=b.text)],
                    ))
    return signals


def _answers_name(r: RoundInput, question_id: str, subject: str, entry: GlossaryEntry | None = None) -> bool:
    """Whether the round's answers on a question name the subject: a glossary entry the subject
    names or, when it names none, its own words. A question about a claim says nothing of it
    when the answer talked about something else."""
    answers = [a for a in r.answers if a.question_id == question_id]
    entries = {entry.id} if entry else {e.id for e in _named(subject)}
    if entries:
        return any(entries & {e.id for e in _named(a.text)} for a in answers)
    for a in answers:
        words = set(content_stems(subject, a.language))
        if words and len(words & set(content_stems(a.text, a.language))) >= min(SAME_STORY_SHARED, len(words)):
            return True
    return False


def _verdict_signal(
    kind: Literal["claim_not_confirmed", "claim_confirmed", "claim_asked"], about: str, message: str,
    rounds: Sequence[RoundInput], i: int, first_quote: Quote | None, j: int, question_id: str,
) -> Signal:
    first, second = rounds[i], rounds[j]
    answer = answer_on(second, question_id)
    quotes = [q for q in [first_quote] if q is not None]
    if answer is not None:
        quotes.append(Quote(persona_id=second.persona_id, round_index=j, round=second.name, question_id=question_id,
                            text=quote_of(answer.text, answer.language)))
    return Signal(kind=kind, about=about, text=message, rounds=[first.persona_id, second.persona_id], round_indexes=[i, j], quotes=quotes)


@lru_cache(maxsize=8192)
def _named(text: str) -> tuple[GlossaryEntry, ...]:
    # Answers and questions never change once stored: a debrief read again does not scan them again.
    return tuple(glossary_entries_in(text))


def _probed_terms(r: RoundInput) -> dict[str, list[tuple[float, str]]]:
    """Per glossary entry, the round's scored questions about it (its text or its key points name it)."""
    probed: dict[str, list[tuple[float, str]]] = {}
    for question_id, (question, score) in scored_questions(r).items():
        for entry in _named("\n".join([question["question"], *(question.get("key_points") or [])])):
            probed.setdefault(entry.id, []).append((score, question_id))
    return probed


VERDICT_TEXTS = {"claim_confirmed": "confirmed", "claim_not_confirmed": "not_confirmed", "claim_asked": "asked"}


def _named_terms_probed(rounds: Sequence[RoundInput], language: str) -> list[Signal]:
    """A glossary term the candidate named in one round, which a later round asked questions about:
    one signal per term and later round, from its weakest answer on it. Only an answer that names
    the term confirms it or not; otherwise the signal says only that it was asked and what it scored."""
    probed = [_probed_terms(r) for r in rounds]
    signals: list[Signal] = []
    for i, first in enumerate(rounds):
        # Each term with the first answer that names it.
        named = {e.id: (e, a) for a in reversed(first.answers) for e in _named(a.text)}
        for entry, said in named.values():
            for j, second in enumerate(rounds[i + 1:], start=i + 1):
                if not probed[j].get(entry.id):
                    continue
                on_it = [(score, q) for score, q in probed[j][entry.id] if _answers_name(second, q, entry.name, entry)]
                score, question_id = min(on_it or probed[j][entry.id])
                if NOT_CONFIRMED_AT_MOST < score < CONFIRMED_FROM:
                    continue
                kind: Literal["claim_not_confirmed", "claim_confirmed", "claim_asked"] = (
                    ("claim_confirmed" if score >= CONFIRMED_FROM else "claim_not_confirmed") if on_it else "claim_asked"
                )
                sentence = next((s.text for s in sentences(said.text, said.language) if entry.pattern.search(s.text)), said.text)
                first_quote = Quote(persona_id=first.persona_id, round_index=i, round=first.name, question_id=said.question_id, text=sentence)
                message = text(language, VERDICT_TEXTS[kind], term=entry.name, first_round=first.name, second_round=second.name, score=score)
                signals.append(_verdict_signal(kind, entry.name, message, rounds, i, first_quote, j, question_id))
    return signals


def _notes_to_verify(rounds: Sequence[RoundInput], notes: Sequence[NoteInput], language: str) -> list[Signal]:
    """Each 'claim to verify' note, with what the round that followed it up found, when one did."""
    by_session = {r.session_id: i for i, r in enumerate(rounds) if r.session_id}
    signals: list[Signal] = []
    for note in notes:
        i = by_session.get(note.session_id)
        if note.kind != "claim_to_verify" or i is None:
            continue
        first = rounds[i]
        about = note.topic or note.criterion_id or note.question_id or ""
        quote = Quote(persona_id=first.persona_id, round_index=i, round=first.name, question_id=note.question_id, text=note.quote) if note.quote else None
        followed = [(by_session[s], q) for s, q in note.used_by if s in by_session]
        verdicts = [(j, q, scored_questions(rounds[j]).get(q)) for j, q in followed]
        scored = [(j, q, found[1]) for j, q, found in verdicts if found is not None]
        if not scored:
            signals.append(Signal(kind="claim_not_checked", about=about,
                                  text=text(language, "note_unchecked", first_round=first.name, note=note.text),
                                  rounds=[first.persona_id], round_indexes=[i], quotes=[quote] if quote else []))
            continue
        # Only a follow-up whose answer names the claim's subject confirms it or not.
        on_it = [found for found in scored if note.topic and _answers_name(rounds[found[0]], found[1], note.topic)]
        j, question_id, score = min(on_it or scored, key=lambda found: found[2])
        if NOT_CONFIRMED_AT_MOST < score < CONFIRMED_FROM:
            continue
        kind: Literal["claim_not_confirmed", "claim_confirmed", "claim_asked"] = (
            ("claim_confirmed" if score >= CONFIRMED_FROM else "claim_not_confirmed") if on_it else "claim_asked"
        )
        message = text(language, "note_" + VERDICT_TEXTS[kind], first_round=first.name, second_round=rounds[j].name, note=note.text, score=score)
        signals.append(_verdict_signal(kind, about, message, rounds, i, quote, j, question_id))
    return signals


def consistency(rounds: Sequence[RoundInput], notes: Sequence[NoteInput], language: str) -> list[Signal]:
    """Signals across rounds, the ones to act on first: differing figures, then unconfirmed claims."""
    found = _figures_differ(rounds, language) + _notes_to_verify(rounds, notes, language) + _named_terms_probed(rounds, language)
    order = {"figures_differ": 0, "claim_not_confirmed": 1, "claim_not_checked": 2, "claim_asked": 3, "claim_confirmed": 4}
    unique: list[Signal] = []
    told: set[tuple[str, ...]] = set()
    checked = {s.quotes[0].text for s in found if s.kind in ("claim_confirmed", "claim_not_confirmed", "claim_asked") and s.quotes}
    for s in sorted(found, key=lambda s: order[s.kind]):
        # A note and a named term often rest on the same sentence checked by the same round: keep the first telling.
        key = (s.kind, s.about.casefold()) if s.kind == "claim_not_checked" else (s.kind, s.quotes[0].text if s.quotes else s.about, *map(str, s.round_indexes[1:]))
        # A note nobody followed up is still checked when a later round asked about what its sentence names.
        if key in told or s.kind == "claim_not_checked" and s.quotes and s.quotes[0].text in checked:
            continue
        told.add(key)
        unique.append(s)
    return unique[:SIGNALS_MAX]


# ---------------------------------------------------------------- competencies


def competencies(rounds: Sequence[RoundInput]) -> list[Competency]:
    """Every criterion of every round; those the rubrics share (same id or same name) merged into one."""
    merged: dict[str, Competency] = {}
    by_name: dict[str, str] = {}
    for index, r in enumerate(rounds):
        report = r.report or {}
        entries = [(c["id"], c["name"], c["score"], None) for c in report.get("criteria") or []]
        entries += [(c["id"], c["name"], None, c["reason"]) for c in report.get("not_assessed") or []]
        for criterion_id, name, score, reason in entries:
            # Rubrics share a criterion by id ("communication") or by name ("Depth of understanding").
            key = by_name.get(name.casefold(), criterion_id)
            by_name.setdefault(name.casefold(), key)
            item = merged.setdefault(key, Competency(key=key, name=name, shared=False, score=None, rounds=[]))
            item.rounds.append(CompetencyRound(persona_id=r.persona_id, round_index=index, round=r.name, criterion_id=criterion_id,
                                               criterion=name, score=score, not_assessed=reason))
    for item in merged.values():
        item.shared = len({c.round_index for c in item.rounds}) > 1
        scored = [c.score for c in item.rounds if c.score is not None]
        # A criterion not assessed in a round is left out of the mean, never counted as low.
        item.score = round(sum(scored) / len(scored), 2) if scored else None
    return sorted(merged.values(), key=lambda c: (not c.shared, c.score is None, c.score or 0.0))


# ---------------------------------------------------------------- the debrief


def loop_status(rounds: Sequence[RoundInput]) -> LoopStatus:
    if all(r.status == "ended" for r in rounds):
        return "done"
    return "not_started" if all(r.status == "not_started" for r in rounds) else "in_progress"


def build_debrief(*, loop_id: str, language: str, rounds: Sequence[RoundInput], notes: Sequence[NoteInput] = ()) -> Debrief:
    """The loop's debrief; before every round has ended, a partial one that says so."""
    # The same persona twice in a loop: its rounds are named apart by their place ("…, round 3").
    names = Counter(r.name for r in rounds)
    rounds = [replace(r, name=f"{r.name}, {labels(language)['round'].lower()} {n}") if names[r.name] > 1 else r for n, r in enumerate(rounds, 1)]
    ended = sum(r.status == "ended" for r in rounds)
    complete = ended == len(rounds)
    merged = competencies(rounds)
    return Debrief(
        disclaimer=text(language, "disclaimer"),
        loop_id=loop_id,
        language=language,
        status=loop_status(rounds),
        complete=complete,
        partial=None if complete else text(language, "partial", ended=ended, total=len(rounds)),
        rounds=[round_summary(r, language) for r in rounds],
        consistency=consistency(rounds, notes, language),
        competencies=merged,
        practice_plan=practice_plan(rounds, merged, language),
    )
