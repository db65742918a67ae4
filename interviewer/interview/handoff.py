"""Handoff notes between the rounds of a loop (issue 18), as pure logic: what a finished round
leaves for the next interviewers, and how a later round takes the notes up.

A round leaves three kinds of note, derived from its report and its answers like the report is:
  - thin_evidence: a criterion scored low, or assessed on too few quotes to be sure;
  - claim_to_verify: something the candidate said they did (a technique, a tool, a result);
  - chosen_topic: a subject the candidate brought up without being asked about it.
A later round gets every earlier note in its prompt (with a model), and up to MAX_LED notes lead to
a question, said before it in the persona's own voice (offline and with a model alike).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from interviewer.assessment import mentions
from interviewer.catalog.fields import Language, Localized
from interviewer.catalog.personas import HandedNote, Persona
from interviewer.catalog.rubrics import Rubric
from interviewer.feedback.schema import Report
from interviewer.interview import takehome as takehome_module

KINDS = ("thin_evidence", "claim_to_verify", "chosen_topic")
# A criterion scored below this (1-5) is a weak point worth coming back to.
THIN_SCORE = 2.5
# Fewer quotes than this behind a criterion's score: too little to go on.
FEW_QUOTES = 2
MAX_THIN, MAX_CLAIMS, MAX_TOPICS = 3, 2, 2
# Notes that lead to a question in a later round: more would turn the round into a recap.
MAX_LED = 2
QUOTE_CHARS = 200
# Claims a candidate made about their own work; cited or proposed ones are not theirs to verify.
OWN_STATUSES = ("used", "measured")

TEXTS: dict[Language, dict[str, str]] = {
    "en": {
        "low": "Evidence was thin on {name}: {score}/5 over {questions} question(s).",
        "few": "Evidence was thin on {name}: {score}/5 on only {quotes} quote(s).",
        "claim": "The candidate mentioned {topic} as their own work; worth verifying.",
        "claim_asked": "The candidate's {topic} was probed and scored {score}/5; worth verifying again.",
        "topic": "The candidate brought up {topic} without being asked.",
    },
    "fr": {
        "low": "Peu d'éléments sur « {name} » : {score}/5 sur {questions} question(s).",
        "few": "Peu d'éléments sur « {name} » : {score}/5 sur seulement {quotes} citation(s).",
        "claim": "À vérifier : {topic}, présenté comme un travail personnel.",
        "claim_asked": "À vérifier encore : {topic}, déjà interrogé et noté {score}/5.",
        "topic": "Sujet abordé spontanément : {topic}.",
    },
}


@dataclass(frozen=True)
class NoteDraft:
    """A note before it is stored; `key` says which stored note it is when the round is re-derived."""

    kind: str
    text: str
    criterion_id: str | None = None
    question_id: str | None = None
    topic: str | None = None
    quote: str | None = None

    @property
    def key(self) -> tuple[str, str | None, str | None, str | None]:
        return (self.kind, self.criterion_id, self.question_id, (self.topic or "").lower() or None)


@dataclass(frozen=True)
class EarlierNote:
    """A stored note of an earlier round, as a later round receives it."""

    id: int
    kind: str
    colleague: str
    text: str
    criterion_id: str | None = None
    topic: str | None = None
    quote: str | None = None


def _clip(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _score(value: float) -> str:
    return f"{value:.1f}"


# ---------------------------------------------------------------- deriving a round's notes


def criterion_names(rubric: Rubric, language: Language) -> dict[str, str]:
    """Each criterion's name in `language` (the report's names are the rubric's English ones)."""
    return {c.id: (c.name_fr or c.name) if language == "fr" else c.name for c in rubric.criteria}


def thin_evidence(report: Report, language: Language, names: Mapping[str, str] | None = None) -> list[NoteDraft]:
    """Criteria scored low, or on too few quotes: weakest first. Criteria the scorer could not
    judge are left out: "not assessed" is not thin evidence, it is no evidence either way.
    `names`: the criteria's names in `language` by id (`criterion_names`), else the report's."""
    texts = TEXTS[language]
    names = names or {}
    found: list[tuple[float, NoteDraft]] = []
    for criterion in report.criteria:
        scored = [(q, s) for q in report.questions for s in q.scores if s.criterion_id == criterion.id]
        quotes = sum(len(s.evidence) for _, s in scored)
        if criterion.score >= THIN_SCORE and quotes >= FEW_QUOTES:
            continue
        weakest = min(scored, key=lambda pair: pair[1].score, default=None)
        quote = next((e for e in weakest[1].evidence), None) if weakest else None
        template = texts["low"] if criterion.score < THIN_SCORE else texts["few"]
        name = names.get(criterion.id, criterion.name)
        text = template.format(name=name, score=_score(criterion.score), questions=criterion.questions, quotes=quotes)
        found.append((criterion.score, NoteDraft(
            kind="thin_evidence", text=text, criterion_id=criterion.id,
            question_id=weakest[0].question_id if weakest else None, topic=name,
            quote=_clip(quote) if quote else None,
        )))
    found.sort(key=lambda pair: pair[0])
    return [note for _, note in found[:MAX_THIN]]


def claims_to_verify(report: Report, answers: list[tuple[str | None, str]], language: Language) -> list[NoteDraft]:
    """What the candidate said they did: the take-home's own claims when the round read one (those
    not probed, or probed and scored low), else the claims their answers make."""
    texts = TEXTS[language]
    notes: list[NoteDraft] = []
    for claim in report.claims:
        if claim.status not in OWN_STATUSES or (claim.score is not None and claim.score >= THIN_SCORE + 1):
            continue
        text = texts["claim_asked"].format(topic=claim.claim, score=_score(claim.score)) if claim.score is not None else texts["claim"].format(topic=claim.claim)
        notes.append(NoteDraft(kind="claim_to_verify", text=text, question_id=claim.question_id, topic=claim.claim, quote=_clip(claim.source)))
    if not report.claims:
        seen: set[str] = set()
        ranked: list[tuple[float, NoteDraft]] = []
        for question_id, content in answers:
            for claim in takehome_module.extract_claims(content, language=language):
                if claim.status not in OWN_STATUSES or claim.claim.lower() in seen:
                    continue
                seen.add(claim.claim.lower())
                ranked.append((-claim.importance, NoteDraft(
                    kind="claim_to_verify", text=texts["claim"].format(topic=claim.claim), question_id=question_id,
                    topic=claim.claim, quote=_clip(claim.source),
                )))
        notes = [note for _, note in sorted(ranked, key=lambda pair: pair[0])]
    return notes[:MAX_CLAIMS]


def chosen_topics(report: Report, answers: list[tuple[str | None, str]], language: Language, *, taken: set[str]) -> list[NoteDraft]:
    """Subjects the candidate raised that the question did not name, the most often raised first."""
    questions = {q.question_id: q.question for q in report.questions}
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str | None, str]] = {}
    for question_id, content in answers:
        said = mentions.read_answer(content, language=language, question=questions.get(question_id or "", ""))
        asked = questions.get(question_id or "", "").lower()
        for term in said.terms[:3]:
            key = term.lower()
            if key in asked or key in taken:
                continue
            counts[key] += 1
            first.setdefault(key, (question_id, term))
    notes: list[NoteDraft] = []
    for key, _ in counts.most_common(MAX_TOPICS):
        question_id, term = first[key]
        content = next(c for q, c in answers if q == question_id and term.lower() in c.lower())
        sentence = next((s for s in _sentences(content) if term.lower() in s.lower()), content)
        notes.append(NoteDraft(kind="chosen_topic", text=TEXTS[language]["topic"].format(topic=term), question_id=question_id, topic=term, quote=_clip(sentence)))
    return notes


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    current = ""
    for char in text:
        current += char
        if char in ".!?\n":
            parts.append(current.strip())
            current = ""
    return [p for p in [*parts, current.strip()] if p]


def derive_notes(
    *, report: Report, answers: list[tuple[str | None, str]], language: Language, names: Mapping[str, str] | None = None,
) -> list[NoteDraft]:
    """Every note a finished round leaves: the same report and answers always give the same notes."""
    thin = thin_evidence(report, language, names)
    claims = claims_to_verify(report, answers, language)
    topics = chosen_topics(report, answers, language, taken={(n.topic or "").lower() for n in claims})
    return [*thin, *claims, *topics]


# ---------------------------------------------------------------- a later round takes them up


def _lead(persona: Persona, note: EarlierNote) -> Localized:
    assert persona.handoff is not None
    template = persona.handoff.of(note.kind)
    topic = note.topic or note.text

    def fill(text: str) -> str:
        return text.replace("{colleague}", note.colleague).replace("{topic}", topic)

    return Localized(en=fill(template.en), fr=fill(template.fr))


def _target(persona: Persona, rubric: Rubric, note: EarlierNote, planned: list[str], taken: set[str]) -> str | None:
    """The question a note leads to: the first planned one assessing its criterion, else the persona's own."""
    assert persona.handoff is not None
    every = [c.id for c in rubric.criteria]
    if note.criterion_id:
        for question_id in planned:
            criteria = persona.question(question_id).criteria or every
            if question_id not in taken and note.criterion_id in criteria:
                return question_id
    fallback = persona.handoff.question
    return fallback if fallback in planned and fallback not in taken else None


def with_notes(persona: Persona, rubric: Rubric, notes: list[EarlierNote], *, planned: list[str]) -> Persona:
    """The session's own persona, carrying the loop's earlier notes; the first MAX_LED that find a
    question lead to it (the latest round's weakest points first, as `notes` is ordered)."""
    if not notes:
        return persona
    taken: set[str] = set()
    handed: list[HandedNote] = []
    for note in notes:
        target = None
        if persona.handoff is not None and len(taken) < MAX_LED:
            target = _target(persona, rubric, note, planned, taken)
        if target is not None:
            taken.add(target)
        handed.append(HandedNote(
            id=note.id, kind=note.kind, colleague=note.colleague, text=note.text, quote=note.quote,  # type: ignore[arg-type]
            question_id=target, lead=_lead(persona, note) if target is not None else None,
        ))
    return persona.model_copy(update={"handoff_notes": handed})


def leading(persona: Persona, question_id: str | None) -> HandedNote | None:
    """The note that leads to this question, if one does."""
    if question_id is None:
        return None
    return next((n for n in persona.handoff_notes if n.question_id == question_id and n.lead is not None), None)


def lead_for(persona: Persona, kind: str, question_id: str | None, language: Language) -> str | None:
    """What the interviewer says before asking a question a note leads to (None for other moves)."""
    note = leading(persona, question_id) if kind in ("question", "language_switch") else None
    return note.lead.get(language) if note is not None and note.lead is not None else None


def note_id_for(persona: Persona, kind: str, question_id: str | None) -> int | None:
    """The note a turn of this kind, asking this question, takes up: recorded on the turn."""
    note = leading(persona, question_id) if kind in ("question", "language_switch") else None
    return note.id if note is not None else None


def prompt_text(persona: Persona) -> str | None:
    """The notes as plain lines for the prompt (fenced there as candidate-derived data)."""
    if not persona.handoff_notes:
        return None
    lines = []
    for note in persona.handoff_notes:
        line = f"- from {note.colleague} ({note.kind.replace('_', ' ')}): {note.text}"
        if note.quote:
            line += f' Quote: "{note.quote}"'
        lines.append(line)
    return "\n".join(lines)
