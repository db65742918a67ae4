"""Read a take-home write-up (Markdown, text, Jupyter notebook, PDF) and extract the claims an
interviewer will ask about: the techniques, papers, tools and metrics it names, and its numeric
results, each with the sentence it comes from, most important first.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any, Literal

import yaml

from interviewer.catalog import KeyPoint, Localized, Persona, Question, QuestionKey, Rubric
from interviewer.text import sentences

ClaimKind = Literal["technique", "paper", "tool", "metric", "method", "result"]
SUFFIXES = (".md", ".markdown", ".txt", ".ipynb", ".pdf")
# Spoken presentations run at about this pace; used to time a presentation from its words.
WORDS_PER_MINUTE = 130
# A numeric result: a number with a unit of change or a comparison a reviewer will question.
_RESULT = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|percent|pour\s?cent|×|x\b|times\b|fois\b)"
    r"|(?:reward|accuracy|score|f1|auc|bleu|perplexity|energy|joules?|latency|throughput|speed-?up|précision|énergie)\D{0,40}\d"
    r"|\d+(?:[.,]\d+)?\s*(?:±|\+/-)\s*\d",
    re.IGNORECASE,
)


# A technique cited, or mentioned as future work or as something that "could help", is name-dropped:
# the candidate may not have used it, which is exactly what a reviewer probes.
_NAME_DROPPED = re.compile(
    r"\b(?:could|might|would|future|next steps?|inspired|following|as in|as proposed|et al|state[- ]of[- ]the[- ]art"
    r"|pourrait|pourraient|futur|inspiré|comme dans)\b|\(\d{4}\)",
    re.IGNORECASE,
)


class DocumentError(Exception):
    """The document cannot be read; the message says what to send instead."""


@dataclass(frozen=True)
class GlossaryEntry:
    id: str
    name: str
    kind: str
    aliases: list[str]
    definition: str
    key_terms: list[dict[str, list[str]]]
    importance: int

    @property
    def pattern(self) -> re.Pattern[str]:
        names = sorted({self.name, *self.aliases}, key=len, reverse=True)
        # Hyphens and spaces are interchangeable in technique names ("fine-tuning", "fine tuning").
        alternatives = [r"[\s-]?".join(re.escape(part) for part in re.split(r"[\s-]+", n)) for n in names]
        # A version suffix still names the model ("Llama-3.2-1B"); a prefix makes another word.
        return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    claim: str
    source: str
    importance: float
    definition: str | None = None
    key_terms: list[dict[str, list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def glossary() -> tuple[GlossaryEntry, ...]:
    text = resources.files("interviewer.data").joinpath("glossary.yaml").read_text("utf-8")
    return tuple(GlossaryEntry(**entry) for entry in yaml.safe_load(text))


@cache
def _patterns() -> tuple[tuple[GlossaryEntry, re.Pattern[str]], ...]:
    return tuple((entry, entry.pattern) for entry in glossary())


def read_document(filename: str, data: bytes) -> str:
    """The text of an uploaded write-up; notebook outputs are dropped, PDFs read page by page."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{filename}: unsupported file type '{suffix or 'none'}'; send one of {', '.join(SUFFIXES)}")
    if suffix == ".pdf":
        return _read_pdf(filename, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{filename}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc
    return _read_notebook(filename, text) if suffix == ".ipynb" else text


def _read_notebook(filename: str, text: str) -> str:
    import nbformat

    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for broken JSON or schemas
        raise DocumentError(f"{filename}: not a readable Jupyter notebook ({type(exc).__name__})") from exc
    parts: list[str] = []
    for cell in notebook.cells:
        source = cell.get("source", "").strip()
        if not source:
            continue
        # Code is kept (the interviewer asks about it) but fenced; outputs are dropped.
        parts.append(source if cell.cell_type == "markdown" else f"```python\n{source}\n```")
    return "\n\n".join(parts)


def _read_pdf(filename: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise DocumentError(f"{filename}: not a readable PDF ({exc})") from exc
    # PDF extraction pads words with spaces and breaks lines at the page width.
    text = _unwrap(re.sub(r"[ \t]{2,}", " ", "\n\n".join(p.strip() for p in pages if p.strip())))
    if not text:
        raise DocumentError(f"{filename}: the PDF has no extractable text (a scan?); send the text or Markdown instead")
    return text


def _unwrap(text: str) -> str:
    """Join the lines a PDF broke at the page width, so a sentence is one line again."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        previous = out[-1] if out else ""
        starts_block = stripped[:1] in "#-*•|>`" or bool(re.match(r"\d+[.)]\s", stripped))
        # A long line without final punctuation was wrapped; so was one the next line continues.
        continues = bool(previous and stripped and not starts_block and previous[-1] not in ".!?:" and (
            stripped[0].islower() or stripped[0].isdigit() or previous[-1] in ",;(-" or len(previous) >= 60
        ))
        if continues:
            out[-1] = f"{previous} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


def _prose(text: str) -> str:
    """The write-up without fenced code: claims are made in prose."""
    return re.sub(r"```.*?```", " ", text, flags=re.DOTALL)


def extract_claims(text: str, *, language: str = "en") -> list[Claim]:
    """Every claim the write-up makes, most important first (offline: glossary and patterns)."""
    # Hard-wrapped lines (pasted from a PDF or an e-mail) are joined so a sentence is whole.
    prose = _unwrap(_prose(text))
    found = sentences(prose, language)  # type: ignore[arg-type]
    if not found:
        return []
    claims: list[Claim] = []
    for entry, pattern in _patterns():
        hits = [i for i, s in enumerate(found) if pattern.search(s.text)]
        if not hits:
            continue
        # Quote a sentence of prose rather than a title or a bullet fragment when there is one.
        prose_hits = [i for i in hits if len(found[i].text.split()) >= 8 and found[i].text.rstrip()[-1:] in ".!?)"]
        first = (prose_hits or hits)[0]
        importance = (
            entry.importance
            + 0.3 * min(len(hits) - 1, 2)                       # named again and again: central
            + (0.3 if hits[0] < len(found) / 4 else 0.0)        # named early: part of the approach
            + (0.6 if any(_NAME_DROPPED.search(found[i].text) for i in hits) else 0.0)
            + (0.3 if entry.kind == "paper" else 0.0)
        )
        claims.append(Claim(
            id=entry.id, kind=entry.kind, claim=entry.name, source=found[first].text,
            importance=round(importance, 2), definition=entry.definition, key_terms=entry.key_terms,
        ))
    results = [s for s in found if _RESULT.search(s.text) and not s.text.startswith("|")]
    for n, sentence in enumerate(results[:6], 1):
        claims.append(Claim(id=f"result-{n}", kind="result", claim=sentence.text, source=sentence.text, importance=2.6 - 0.1 * n))
    return sorted(claims, key=lambda c: -c.importance)


def presentation_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)


def timing_verdict(minutes: float, slot_minutes: int) -> Literal["short", "fits", "long"]:
    """Under 60% of the slot leaves time unused; over 110% will be cut off."""
    if minutes < 0.6 * slot_minutes:
        return "short"
    return "long" if minutes > 1.1 * slot_minutes else "fits"


def normalised(text: str) -> str:
    return " ".join(text.split()).lower()


def keep_grounded(claims: list[Claim], document: str) -> list[Claim]:
    """Claims whose quoted sentence really is in the document (a model may invent one)."""
    haystack = normalised(document)
    return [c for c in claims if c.source.strip() and normalised(c.source) in haystack]


SOURCE_CHARS = 220


def _fill(template: str, claim: Claim) -> str:
    source = claim.source if len(claim.source) <= SOURCE_CHARS else claim.source[: SOURCE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return template.replace("{claim}", claim.claim if claim.kind != "result" else "this result").replace("{source}", source)


def _localized(template: Localized, claim: Claim) -> Localized:
    return Localized(en=_fill(template.en, claim), fr=_fill(template.fr, claim))


def with_claims(persona: Persona, rubric: Rubric, claims: list[Claim]) -> tuple[Persona, Rubric, list[dict[str, Any]]]:
    """The session's own persona and rubric, in which the most important claims are the questions
    of the claims stage (explain it, then one deeper probe), judged against their definitions.
    Everything downstream (engine, scorer, prompts, report) then treats them as any question."""
    if persona.takehome is None or not claims:
        return persona, rubric, []
    probes = persona.takehome.claims
    questions: list[Question] = []
    keys: dict[str, QuestionKey] = {}
    records: list[dict[str, Any]] = []
    for claim in claims[: probes.max_claims]:
        question_id = f"claim-{claim.id}"[:64]
        questions.append(Question(
            id=question_id,
            text=_localized(probes.explain_result if claim.kind == "result" else probes.explain, claim),
            criteria=probes.criteria,
            topic=claim.claim[:80],
            deepen=[_localized(t, claim) for t in probes.deepen],
        ))
        if claim.kind == "result" or not claim.key_terms:
            keys[question_id] = QuestionKey(key_points=probes.result_key_points)
        else:
            points = [KeyPoint(label=term["en"][0], en=term["en"], fr=term["fr"]) for term in claim.key_terms]
            keys[question_id] = QuestionKey(key_points=points, reference_answer=claim.definition, source="interviewer glossary")
        records.append({**claim.as_dict(), "question_id": question_id})
    # Every claim goes in the report's table; only the most important become questions.
    records += [{**claim.as_dict(), "question_id": None} for claim in claims[probes.max_claims :]]
    stages = [
        s.model_copy(update={"questions": [q.id for q in questions], "ask": None}) if s.id == probes.stage else s
        for s in persona.stages
    ]
    persona = persona.model_copy(update={"questions": [*persona.questions, *questions], "stages": stages})
    rubric = rubric.model_copy(update={"questions": {**rubric.questions, **keys}})
    return persona, rubric, records


CLAIM_KINDS = ["technique", "paper", "tool", "metric", "method", "result"]


def _claims_schema(limit: int) -> dict[str, Any]:
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["claim", "kind", "source_sentence", "importance"],
        "properties": {
            "claim": {"type": "string"},
            "kind": {"type": "string", "enum": CLAIM_KINDS},
            "source_sentence": {"type": "string"},
            "importance": {"type": "integer", "minimum": 1, "maximum": 3},
        },
    }
    return {"type": "json_schema", "json_schema": {"name": "takehome_claims", "strict": True, "schema": {
        "type": "object", "additionalProperties": False, "required": ["claims"],
        "properties": {"claims": {"type": "array", "items": item, "maxItems": limit}},
    }}}


def _from_model_item(item: dict[str, Any], n: int) -> Claim | None:
    name, source = str(item.get("claim", "")).strip(), str(item.get("source_sentence", "")).strip()
    kind = item.get("kind") if item.get("kind") in CLAIM_KINDS else "technique"
    if not name or not source:
        return None
    # A claim the glossary knows gets its definition, so its explanation can be judged offline too.
    entry = next((e for e, pattern in _patterns() if pattern.fullmatch(name) or pattern.search(name)), None)
    importance = float(item.get("importance", 2)) if isinstance(item.get("importance"), int | float) else 2.0
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or f"claim-{n}"
    return Claim(
        id=entry.id if entry else (f"result-{n}" if kind == "result" else slug), kind=str(kind), claim=name, source=source,
        importance=importance + 0.01 * (20 - n), definition=entry.definition if entry else None,
        key_terms=entry.key_terms if entry else [],
    )


async def extract_claims_with_model(models: Any, document: str, *, limit: int = 12) -> list[Claim]:
    """Claims found by the judge model, kept only where their sentence is really in the document."""
    import json

    from interviewer import judge, llm, prompts

    model = models.settings.judge
    system = prompts._environment().get_template("claims.j2").render(limit=limit)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": f"<takehome>\n{prompts.as_data(document)}\n</takehome>"}]
    response_format = _claims_schema(limit) if judge._supports_schema(model) else None
    text, _ = await models.complete(model=model, messages=messages, temperature=0.0, response_format=response_format, purpose="claims")
    try:
        items = json.loads(re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip()))["claims"]
    except (ValueError, KeyError, TypeError) as exc:
        raise llm.ModelError(f"the model '{model}' returned unreadable claims", status=502) from exc
    claims = [c for n, item in enumerate(items) if isinstance(item, dict) and (c := _from_model_item(item, n))]
    unique = list({c.id: c for c in claims}.values())
    return sorted(keep_grounded(unique, document), key=lambda c: -c.importance)


async def claims_for(models: Any, document: str, *, language: str) -> list[Claim]:
    """With a model configured, the model's grounded claims; offline (or if the model fails), the glossary's."""
    from interviewer import llm

    if llm.is_offline(models.settings.judge):
        return extract_claims(document, language=language)
    try:
        found = await extract_claims_with_model(models, document)
    except llm.ModelError as exc:
        llm.log.warning("claim extraction by model failed (%s); using the offline glossary", exc)
        return extract_claims(document, language=language)
    return found or extract_claims(document, language=language)
