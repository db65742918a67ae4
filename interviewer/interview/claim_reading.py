"""Read a take-home's claims like a reviewer: the section each sentence is in, whether a claim was
used, proposed, cited or measured, and how hard a reviewer would drill it. Pure logic over the data
in interviewer/data/claim_reading.yaml; the glossary matching itself lives in interview/takehome.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

import yaml

from interviewer.assessment.text import sentences
from interviewer.catalog.fields import SAFE_LOADER

ClaimStatus = Literal["used", "proposed", "cited", "measured"]
STATUSES: tuple[ClaimStatus, ...] = ("used", "proposed", "cited", "measured")
# Kinds that name an artefact (a model family, a paper, a library): never a technique inside their name.
ARTEFACT_KINDS = frozenset({"paper", "tool"})
# Kinds that are experimental procedures: quoted with a number, they are questioned like a result.
MEASURING_KINDS = frozenset({"method"})

_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,})\s*$")
# The rule under a plain-text table's header: dashed columns separated by spaces.
_TEXT_TABLE_RULE = re.compile(r"^\s*-{2,}(?: {2,}-{2,})+\s*$")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")
# Where a sentence changes subject: a semicolon, a dash, a contrasting or relative clause, a bold label.
_CLAUSE_BREAK = re.compile(
    r";|\s[—–]\s|,\s+(?=(?:but|while|whereas|which|although|though|and|mais|alors que|tandis que|ce qui|et)\b)"
    r"|(?<=\*\*)\s+(?=[A-ZÀ-Ý])",
    re.IGNORECASE,
)
# A technique's name followed by "-7B", "_v2" or "/base" is part of a model or file name.
_NAME_CONTINUES = re.compile(r"(?:-[A-Z0-9]|[_/.][A-Za-z0-9])")
# A numeric result: a number with a unit of change or a comparison a reviewer will question.
RESULT = re.compile(
    r"(?<![\w.-])\d+(?:[.,]\d+)?\s*(?:%|percent|pour\s?cent|×|x\b|times\b|fois\b|points?\b)"
    r"|\b(?:reward|accuracy|score|f1|auc|bleu|rouge|perplexity|energy|joules?|latency|throughput|speed-?up|error|loss"
    r"|précision|exactitude|énergie|erreur|perte|latence|débit)\D{0,40}(?<![\w.-])\d"
    r"|\d+(?:[.,]\d+)?\s*(?:±|\+/-)\s*\d"
    r"|\b(?:from|de|passe de)\s+-?\d[\d.,]*\s*\S{0,8}\s+(?:to|à)\s+-?\d"
    r"|\bp\s*[=<]\s*0?[.,]\d"
    r"|\b(?:falls?|fell|drops?|dropped|rises?|rose|increases?|decreases?|improves?|goes|went|tombe|passe|monte|baisse)"
    r"\s(?:\w+\s){0,3}?(?:to|à)\s+-?\d",
    re.IGNORECASE,
)


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class Reading:
    """The cues, sections and weights of claim_reading.yaml, compiled."""

    cues: dict[str, re.Pattern[str]]
    sections: dict[str, re.Pattern[str]]
    features: dict[str, re.Pattern[str]]
    ranking: dict[str, Any]
    generic: frozenset[str]
    entry_bonus: dict[str, float]
    implied_by: dict[str, str]


@cache
def reading() -> Reading:
    text = resources.files("interviewer.data").joinpath("claim_reading.yaml").read_text("utf-8")
    data = yaml.load(text, Loader=SAFE_LOADER)
    section = {k: _compile(rf"^(?:{p})\b|\b(?:{p})$|^(?:{p})$" for p in v) for k, v in data["sections"].items()}
    return Reading(
        cues={k: _compile(v) for k, v in data["cues"].items()},
        sections=section,
        features={k: _compile(v) for k, v in data["features"].items()},
        ranking=data["ranking"],
        generic=frozenset(data["generic"]),
        entry_bonus={k: float(v) for k, v in data["ranking"].get("entry_bonus", {}).items()},
        implied_by=dict(data.get("implied_by", {})),
    )


@dataclass(frozen=True)
class Passage:
    """A sentence of the write-up (an exact substring, list marker left out) and where it stands."""

    text: str
    index: int
    section: tuple[str, ...] = ()
    is_heading: bool = False
    is_table: bool = False

    @property
    def is_prose(self) -> bool:
        return not (self.is_heading or self.is_table) and len(self.text.split()) >= 6


def _heading_level(line: str, following: str, first: bool) -> int | None:
    """The level of a heading line (Markdown, underlined text, or a bare title in PDF text), else None."""
    stripped = line.strip()
    if match := re.match(r"(#{1,6})\s+\S", stripped):
        return len(match.group(1))
    if _LIST_MARKER.match(stripped) or "|" in stripped:
        return None
    if _UNDERLINE.match(following) and len(stripped.split()) <= 14:
        return 1 if following.strip()[0] == "=" else 2
    title = _NUMBERING.sub("", stripped)
    words = title.split()
    title_like = (
        1 <= len(words) <= 8 and title[:1].isupper() and title[-1] not in ".:;,!?"
        and sum(any(ch.isdigit() for ch in w) for w in words) <= 1 and "±" not in stripped
    )
    return (1 if first else 2) if title_like else None


def _text_table_rows(lines: list[str]) -> set[int]:
    """Lines of plain-text tables: the header above a rule of dashed columns, and the rows below it."""
    rows: set[int] = set()
    for i, line in enumerate(lines):
        if _TEXT_TABLE_RULE.match(line):
            rows.add(i - 1)
            j = i + 1
            while j < len(lines) and lines[j].strip():
                rows.add(j)
                j += 1
    return rows


def heading_text(line: str) -> str:
    return _NUMBERING.sub("", re.sub(r"^\s*#{1,6}\s+", "", line)).strip().strip("*_`").strip()


def passages(prose: str, language: str) -> list[Passage]:
    """Every sentence of the write-up with the headings it sits under."""
    lines = prose.split("\n")
    table_rows = _text_table_rows(lines)
    stack: list[tuple[int, str]] = []
    found: list[Passage] = []
    seen_text = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or _UNDERLINE.match(stripped) or re.fullmatch(r"\|?[\s:|-]+\|?", stripped):
            continue
        if i in table_rows:
            found.append(Passage(text=stripped, index=len(found), section=tuple(t for _, t in stack), is_table=True))
            continue
        following = lines[i + 1] if i + 1 < len(lines) else ""
        level = _heading_level(stripped, following, first=not seen_text)
        seen_text = True
        if level is not None:
            title = heading_text(stripped)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            found.append(Passage(text=title, index=len(found), section=tuple(t for _, t in stack), is_heading=True))
            continue
        section = tuple(t for _, t in stack)
        if stripped.startswith("|"):
            found.append(Passage(text=stripped, index=len(found), section=section, is_table=True))
            continue
        body = _LIST_MARKER.sub("", stripped)
        for sentence in sentences(body, language):  # type: ignore[arg-type]
            found.append(Passage(text=sentence.text, index=len(found), section=section))
    return found


def section_kinds(section: Sequence[str]) -> frozenset[str]:
    """What the headings above a sentence say about it: proposed, cited, headline, ablation."""
    return _section_kinds(tuple(section))


@cache
def _section_kinds(section: tuple[str, ...]) -> frozenset[str]:
    patterns = reading().sections
    return frozenset(kind for kind, pattern in patterns.items() for title in section if pattern.search(title.lower().strip()))


def clause_at(text: str, position: int) -> str:
    """The clause of a sentence that contains the character at `position`."""
    start = 0
    for cut in _CLAUSE_BREAK.finditer(text):
        if cut.start() > position:
            return text[start : cut.start()]
        start = cut.end()
    return text[start:]


def status_of(passage: Passage, position: int) -> ClaimStatus:
    """Used, proposed or cited, from the clause around `position`, then the section, then `used`."""
    cues = reading().cues
    clause = clause_at(passage.text, position) if not passage.is_heading else passage.text
    if cues["proposed"].search(clause):
        return "proposed"
    if cues["used"].search(clause) or RESULT.search(clause):
        return "used"
    if cues["cited"].search(clause):
        return "cited"
    kinds = section_kinds(passage.section)
    if "proposed" in kinds:
        return "proposed"
    return "cited" if "cited" in kinds else "used"


def overall_status(statuses: Sequence[ClaimStatus]) -> ClaimStatus:
    """Used if the write-up used it anywhere; otherwise what it mostly does with it."""
    if "used" in statuses or "measured" in statuses:
        return "used"
    return "proposed" if statuses.count("proposed") >= statuses.count("cited") else "cited"


def inside_name(text: str, start: int, end: int) -> bool:
    """True when a match is only part of a longer model, file or package name ("SimCLR-ResNet50")."""
    after_separator = start > 0 and text[start - 1] in "/_."
    return after_separator or bool(_NAME_CONTINUES.match(text, end))


def clean_name(text: str) -> str:
    """A claim's name without list markers, heading marks, emphasis or trailing punctuation."""
    name = _LIST_MARKER.sub("", re.sub(r"^\s*#{1,6}\s+", "", text.strip()))
    name = re.sub(r"\*\*|__|`", "", name)
    name = re.sub(r"(?<!\w)\*(?!\s)(.+?)(?<!\s)\*(?!\w)", r"\1", name)
    return " ".join(name.split()).strip(" .,;:!?-–—•*").strip()


class Entry(Protocol):
    id: str
    kind: str
    importance: int


@dataclass
class Mention:
    passage: Passage
    start: int
    end: int
    status: ClaimStatus


@dataclass
class Finding:
    """A glossary entry the write-up names, or a numeric result it states, read like a reviewer."""

    entry: Entry | None
    status: ClaimStatus
    source: Passage
    importance: float
    mentions: list[Mention] = field(default_factory=list)


def _features(text: str) -> set[str]:
    return {name for name, pattern in reading().features.items() if pattern.search(text)}


def _quote(mentions: Sequence[Mention], status: ClaimStatus, found: Sequence[Passage]) -> Passage:
    """The sentence a reviewer would quote: the first sentence of prose that gives the claim its status."""
    with_status = [m for m in mentions if m.status == status or (status == "used" and m.status == "measured")]
    candidates: list[Passage] = []
    chosen = with_status or list(mentions)
    # A heading names the claim; a sentence that names it too says more.
    chosen = [m for m in chosen if not m.passage.is_heading] or chosen
    for mention in chosen:
        if mention.passage.is_heading:
            # A heading names the claim; the first sentence of its section says what was done.
            candidates += [p for p in found[mention.passage.index + 1 : mention.passage.index + 4]
                           if p.is_prose and p.section[: len(mention.passage.section)] == mention.passage.section][:1]
        else:
            candidates.append(mention.passage)
    prose = [p for p in candidates if p.is_prose] or candidates or [mentions[0].passage]
    return prose[0]


def _carries_numbers(passage: Passage, found: Sequence[Passage]) -> bool:
    """A sentence with a numeric result, or one that introduces the table of results right below it."""
    if RESULT.search(passage.text):
        return True
    following = found[passage.index + 1] if passage.index + 1 < len(found) else None
    return passage.text.rstrip().endswith(":") and following is not None and following.is_table


def rank_entry(entry: Entry, mentions: list[Mention], found: Sequence[Passage]) -> Finding:
    """How hard a reviewer drills a named technique, tool, paper or metric."""
    weights = reading().ranking
    status = overall_status([m.status for m in mentions])
    source = _quote(mentions, status, found)
    if status == "used" and entry.kind in MEASURING_KINDS:
        # An experimental procedure quoted with its numbers (an ablation, seeds, a test) is questioned as a result.
        used = [m.passage for m in mentions if m.status == "used" and m.passage.is_prose]
        numbered = next((p for p in used if _carries_numbers(p, found)), None)
        if numbered is not None:
            source, status = numbered, "measured"
    if entry.id in reading().generic:
        return Finding(entry, status, source, float(weights["generic"]), mentions)
    distinct = len({m.passage.index for m in mentions})
    score = float(entry.importance) + float(weights["status"][status])
    score += float(weights["repeated"]) * min(distinct - 1, int(weights["repeated_max"]))
    score += float(weights["early"]) if mentions[0].passage.index < len(found) / 4 else 0.0
    used_clauses = [clause_at(m.passage.text, m.start) for m in mentions if m.status == "used" and not m.passage.is_heading]
    if status == "used" and any("alternative" in _features(c) for c in used_clauses):
        score += float(weights["alternative"])
    score += reading().entry_bonus.get(entry.id, 0.0)
    # The subject of its sentence: the sentence is about it, not a passing mention.
    if any(m.passage is source and m.start <= 3 and m.end > m.start for m in mentions):
        score += float(weights["subject"])
    return Finding(entry, status, source, round(score, 2), mentions)


def results(found: Sequence[Passage]) -> list[Finding]:
    """Numeric results, headline first: a measured number with its spread and baseline is drilled most."""
    weights = reading().ranking
    cues = reading().cues
    candidates: list[tuple[Passage, ClaimStatus, set[str]]] = []
    for passage in found:
        match = RESULT.search(passage.text) if passage.is_prose else None
        if match is None:
            continue
        clause = clause_at(passage.text, match.start())
        in_future_work = "proposed" in section_kinds(passage.section) and not cues["used"].search(clause)
        if cues["proposed"].search(clause) or in_future_work:
            continue  # a number in future work is an expectation, not a result
        cited = bool(cues["cited"].search(clause)) and not cues["used"].search(clause)
        kinds = section_kinds(passage.section) | _features(passage.text)
        candidates.append((passage, "cited" if cited else "measured", kinds))
    has_headline_section = any("headline" in k for _, _, k in candidates)
    scored: list[Finding] = []
    headlines = 0
    for n, (passage, status, kinds) in enumerate(candidates):
        headline = status == "measured" and ("headline" in kinds if has_headline_section else n == 0)
        score = float(weights["result"]) + float(weights["status"][status])
        if headline:
            score += float(weights["headline"] if headlines == 0 else weights["headline_next"])
            headlines += 1
        score += sum(float(weights[k]) for k in ("variance", "baseline", "ablation") if k in kinds)
        scored.append(Finding(None, status, passage, round(score - 0.01 * n, 2)))
    best = sorted(scored, key=lambda f: -f.importance)[: int(weights["max_results"])]
    return best


def questions_first(statuses: Sequence[ClaimStatus], limit: int) -> list[int]:
    """Indices of the claims to ask (most important first), keeping room for a proposed or cited one."""
    order = list(range(len(statuses)))
    asked = order[:limit]
    reserved = int(reading().ranking["reserved_for_proposed_or_cited"])
    have = sum(statuses[i] in ("proposed", "cited") for i in asked)
    spare = [i for i in order[limit:] if statuses[i] in ("proposed", "cited")]
    while have < reserved and spare and asked:
        # Replace the least important used claim, never the first ones.
        replace = next((i for i in reversed(asked) if statuses[i] not in ("proposed", "cited")), None)
        if replace is None or asked.index(replace) < 2:
            break
        asked.remove(replace)
        asked.append(spare.pop(0))
        have += 1
    return asked


def model_importance(importance: float, status: ClaimStatus, entry_id: str | None, source: str) -> float:
    """A model's 1-3 importance, ranked with the same data as offline claims."""
    weights = reading().ranking
    if entry_id in reading().generic:
        return float(weights["generic"])
    kinds = _features(source)
    score = importance + float(weights["status"][status]) + reading().entry_bonus.get(entry_id or "", 0.0)
    score += sum(float(weights[k]) for k in ("ablation", "alternative") if k in kinds and status in ("used", "measured"))
    return round(score, 2)
