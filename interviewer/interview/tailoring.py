"""Tailoring a round to the candidate's documents without a model: which questions of each stage's
pool a job description and a CV make relevant, the CV's projects and the job description's topics.

Pure functions over text. Relevance comes from the glossary (shared entries, and shared glossary
sections such as "Reinforcement learning") plus rare words shared with the question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from interviewer.assessment.glossary import glossary
from interviewer.assessment.text import content_stems
from interviewer.catalog.personas import Persona, Question

# The CV counts less than the job description: the round is for the job, not the past.
CV_WEIGHT = 0.5
MAX_PROJECTS = 3
MAX_TOPICS = 3
GROUNDED_BONUS = 3.0
PROJECT_MAX_WORDS = 9
# A line of a CV that describes a piece of work the candidate did.
_ACTION = re.compile(
    r"\b(?:built|build|developed|develop|designed|led|implemented|created|trained|deployed|shipped|wrote|"
    r"worked on|contributed to|improved|automated|launched|maintained|"
    r"développé|conçu|dirigé|implémenté|créé|entraîné|déployé|mis en place|travaillé sur|contribué à|amélioré|automatisé)\b\s+(?P<what>[^.;:\n]{4,160})",
    re.IGNORECASE,
)
# Where a project phrase stops: the means or the result, not the thing itself.
_PROJECT_END = re.compile(r"\s(?:using|with|in order|to reach|that|which|reaching|achieving|for \d|en utilisant|avec|afin|qui|pour atteindre)\b", re.IGNORECASE)
# A bullet point of a CV: "- Sentiment analysis of tweets with BERT (2023)".
_BULLET = re.compile(r"^\s*(?:[-*•·▪]|\d+[.)])\s+(?P<what>\w.{6,})$")
_SECTION = re.compile(r"^# --- (?P<name>.+?) -+\s*$")
_ID = re.compile(r"^- id: (?P<id>\S+)")


@cache
def glossary_sections() -> dict[str, str]:
    """Glossary entry id -> its section ("Reinforcement learning", ...), from the file's headings."""
    text = resources.files("interviewer.data").joinpath("glossary.yaml").read_text("utf-8")
    sections: dict[str, str] = {}
    current = "other"
    for line in text.splitlines():
        heading = _SECTION.match(line)
        if heading:
            current = heading.group("name").strip()
        entry = _ID.match(line)
        if entry:
            sections[entry.group("id")] = current
    return sections


def glossary_hits(text: str) -> Counter[str]:
    """Glossary entry id -> how many times the text names it."""
    hits: Counter[str] = Counter()
    for entry in glossary():
        count = len(entry.pattern.findall(text))
        if count:
            hits[entry.id] = count
    return hits


@dataclass(frozen=True)
class Focus:
    """What the candidate's documents make relevant."""

    entries: dict[str, float] = field(default_factory=dict)
    sections: dict[str, float] = field(default_factory=dict)
    stems: frozenset[str] = frozenset()
    projects: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.entries or self.stems)


def _clean_project(text: str) -> str:
    what = _PROJECT_END.split(text)[0]
    # Dates and parentheses say when, not what: "(2023)", "2022-2023", "| Python".
    what = re.sub(r"\(.*?\)|\b(19|20)\d\d\b(\s*[-–]\s*((19|20)\d\d|present|today))?|[|•].*$", " ", what)
    return " ".join(what.split()[:PROJECT_MAX_WORDS]).strip(" ,;:()-–")


def _projects(cv: str) -> tuple[str, ...]:
    """What the CV says the candidate did: lines with an action verb, else its bullet points, else
    the techniques it names."""
    found: list[str] = []

    def keep(phrase: str) -> None:
        if len(phrase.split()) >= 2 and phrase.lower() not in (p.lower() for p in found) and len(found) < MAX_PROJECTS:
            found.append(phrase)

    for match in _ACTION.finditer(cv):
        keep(_clean_project(match.group("what")))
    for line in cv.splitlines():
        bullet = _BULLET.match(line)
        if bullet and not _ACTION.search(line):
            keep(_clean_project(bullet.group("what")))
    if not found:
        # No described work: the techniques it names are still something to ask about.
        found.extend(_names(glossary_hits(cv))[:MAX_PROJECTS])
    return tuple(found)


def _names(hits: Counter[str]) -> tuple[str, ...]:
    by_id = {entry.id: entry.name for entry in glossary()}
    return tuple(by_id[i] for i, _ in hits.most_common(MAX_TOPICS))


@lru_cache(maxsize=256)
def focus_of(*, job_description: str | None, cv: str | None, language: str) -> Focus:
    """The focus of a session's documents; empty when none was given."""
    if not job_description and not cv:
        return Focus()
    entries: dict[str, float] = {}
    sections: dict[str, float] = {}
    stems: set[str] = set()
    jd_hits: Counter[str] = Counter()
    for text, weight in ((job_description, 1.0), (cv, CV_WEIGHT)):
        if not text:
            continue
        hits = glossary_hits(text)
        if text is job_description:
            jd_hits = hits
        total = sum(hits.values()) or 1
        for entry_id, count in hits.items():
            entries[entry_id] = entries.get(entry_id, 0.0) + weight
            section = glossary_sections().get(entry_id, "other")
            sections[section] = sections.get(section, 0.0) + weight * count / total
        stems.update(content_stems(text, language))  # type: ignore[arg-type]
    return Focus(
        entries=entries,
        sections=sections,
        stems=frozenset(stems),
        projects=_projects(cv) if cv else (),
        topics=_names(jd_hits),
    )


def _question_text(question: Question) -> str:
    return " ".join([question.text.en, question.text.fr, question.topic or "", *question.terms])


def relevance(question: Question, focus: Focus, *, rare: dict[str, float], language: str) -> float:
    """How much the documents point at this question: shared glossary entries and sections, rare words."""
    text = _question_text(question)
    hits = glossary_hits(text)
    shared = sum(focus.entries.get(entry_id, 0.0) for entry_id in hits)
    sections = {glossary_sections().get(entry_id, "other") for entry_id in hits}
    section_share = sum(focus.sections.get(s, 0.0) for s in sections)
    words = set(content_stems(text, language))  # type: ignore[arg-type]
    lexical = sum(rare.get(s, 0.0) for s in words & focus.stems)
    return 2.0 * shared + 3.0 * section_share + 0.5 * lexical


def rarity(persona: Persona, language: str) -> dict[str, float]:
    """Inverse document frequency of each stem over the persona's questions: shared words count little."""
    counts: Counter[str] = Counter()
    for question in persona.questions:
        counts.update(set(content_stems(_question_text(question), language)))  # type: ignore[arg-type]
    n = len(persona.questions)
    # Words in more than a tenth of the questions say nothing about one of them.
    return {s: math.log(n / c) / math.log(n) for s, c in counts.items() if c * 10 <= n}


def _grounded(question: Question, focus: Focus) -> float:
    """A question that can name the CV's project or the job's topics is the one to ask when they exist."""
    return GROUNDED_BONUS * ((question.cv_text is not None and bool(focus.projects)) + (question.jd_text is not None and bool(focus.topics)))


def ranked(pool: list[str], persona: Persona, focus: Focus, order: list[str], language: str) -> list[str]:
    """The pool ordered by relevance to the documents; `order` (the seeded draw) breaks ties."""
    rare = rarity(persona, language)
    score = {q: relevance(persona.question(q), focus, rare=rare, language=language) + _grounded(persona.question(q), focus) for q in pool}
    position = {q: i for i, q in enumerate(order)}
    # Whole points only: tiny overlaps must not undo the seeded variety between sessions.
    return sorted(pool, key=lambda q: (-math.floor(score[q]), position[q]))
