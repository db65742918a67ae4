"""Read a take-home write-up (Markdown, text, Jupyter notebook, PDF) and extract the claims an
interviewer will ask about: the techniques, papers, tools and metrics it names, and its numeric
results, each with the sentence it comes from, most important first.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any, Literal

from interviewer.assessment.glossary import GlossaryEntry, glossary
from interviewer.catalog.fields import Localized
from interviewer.catalog.personas import Persona, Question
from interviewer.catalog.rubrics import KeyPoint, QuestionKey, Rubric
from interviewer.interview import claim_reading
from interviewer.interview.documents import unwrap

ClaimKind = Literal["technique", "paper", "tool", "metric", "method", "result"]


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    claim: str
    source: str
    importance: float
    # used, proposed (future work), cited (related work) or measured (a numeric result).
    status: str = "used"
    definition: str | None = None
    key_terms: list[dict[str, list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def _patterns() -> tuple[tuple[GlossaryEntry, re.Pattern[str]], ...]:
    return tuple((entry, entry.pattern) for entry in glossary())


def _prose(text: str) -> str:
    """The write-up without fenced or indented code: claims are made in prose."""
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    # Plain-text exports indent code by four spaces after a blank line.
    return re.sub(r"(?:^|(?<=\n\n))(?:(?: {4}|\t)[^\n]*(?:\n|$)|\n(?=(?: {4}|\t)))+", "\n", text)


def extract_claims(text: str, *, language: str = "en") -> list[Claim]:
    """Every claim the write-up makes, with its status, most important first (offline: glossary and patterns)."""
    # Hard-wrapped lines (pasted from a PDF or an e-mail) are joined so a sentence is whole.
    found = claim_reading.passages(unwrap(_prose(text)), language)
    if not found:
        return []
    by_id = {entry.id: entry for entry in glossary()}
    findings = [claim_reading.rank_entry(by_id[entry_id], mentions, found) for entry_id, mentions in _mentions(found).items()]
    claims = [
        Claim(
            id=f.entry.id, kind=f.entry.kind, claim=_named_as(f), source=f.source.text, importance=f.importance,
            status=f.status, definition=f.entry.definition, key_terms=f.entry.key_terms,
        )
        for f in findings if isinstance(f.entry, GlossaryEntry)
    ]
    # A result and a measured procedure (the ablation, the seeds) quoting the same sentence would be
    # the same question: the more important of the two is kept, and an ablation always keeps its own.
    implied = set(claim_reading.reading().implied_by)
    fresh: list[claim_reading.Finding] = []
    for result in claim_reading.results(found):
        twins = [c for c in claims if c.status == "measured" and c.source == result.source.text]
        if any(t.importance >= result.importance or t.id in implied for t in twins):
            claims = [replace(c, importance=max(c.importance, result.importance)) if c in twins and c.id in implied else c for c in claims]
            continue
        # The result carries the measured question; the procedures in its sentence stay claims of their own.
        claims = [replace(c, status="used") if c in twins else c for c in claims]
        fresh.append(result)
    for n, result in enumerate(fresh, 1):
        claims.append(Claim(
            id=f"result-{n}", kind="result", claim=claim_reading.clean_name(result.source.text), source=result.source.text,
            importance=result.importance, status=result.status,
        ))
    return sorted(claims, key=lambda c: -c.importance)


def _named_as(finding: claim_reading.Finding) -> str:
    """A model is asked about under the name the write-up gives it (DistilCamemBERT, not DistilBERT)."""
    assert isinstance(finding.entry, GlossaryEntry)
    if finding.entry.kind != "paper":
        return finding.entry.name
    here = next((m for m in finding.mentions if m.passage is finding.source and m.end > m.start), None)
    surface = finding.source.text[here.start : here.end] if here else ""
    same = re.sub(r"[\s-]+", " ", surface).lower() == re.sub(r"[\s-]+", " ", finding.entry.name).lower()
    return surface if surface and not same and surface[:1].isupper() else finding.entry.name


def _mentions(found: list[claim_reading.Passage]) -> dict[str, list[claim_reading.Mention]]:
    """Where each glossary entry is named, with the status of each mention; a name inside a longer
    name (a model, a library, a longer entry) does not count."""
    mentions: dict[str, list[claim_reading.Mention]] = {}
    for passage in found:
        spans = [(m.start(), m.end(), entry) for entry, pattern in _patterns() for m in pattern.finditer(passage.text)]
        for start, end, entry in spans:
            # "Hugging Face Transformers" is not the transformer architecture; "Double DQN" not DQN alone.
            if any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans):
                continue
            if entry.kind not in claim_reading.ARTEFACT_KINDS and claim_reading.inside_name(passage.text, start, end):
                continue
            status = claim_reading.status_of(passage, start)
            mentions.setdefault(entry.id, []).append(claim_reading.Mention(passage, start, end, status))
    # A write-up can do a thing without naming it ("I removed one extension at a time").
    for entry_id, feature in claim_reading.reading().implied_by.items():
        pattern = claim_reading.reading().features[feature]
        named = {m.passage.index for m in mentions.get(entry_id, [])}
        for passage in found:
            implied = passage.is_prose and (pattern.search(passage.text) or feature in claim_reading.section_kinds(passage.section))
            if implied and passage.index not in named:
                mentions.setdefault(entry_id, []).append(claim_reading.Mention(passage, 0, 0, claim_reading.status_of(passage, 0)))
        if entry_id in mentions:
            mentions[entry_id].sort(key=lambda m: m.passage.index)
    return mentions


def normalised(text: str) -> str:
    return " ".join(text.split()).lower()


def keep_grounded(claims: list[Claim], document: str) -> list[Claim]:
    """Claims whose quoted sentence really is in the document (a model may invent one)."""
    haystack = normalised(document)
    return [c for c in claims if c.source.strip() and normalised(c.source) in haystack]


SOURCE_CHARS = 220


def _fill(template: str, claim: Claim, result_name: str) -> str:
    source = claim.source if len(claim.source) <= SOURCE_CHARS else claim.source[: SOURCE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return template.replace("{claim}", claim.claim if claim.kind != "result" else result_name).replace("{source}", source)


def _localized(template: Localized, claim: Claim) -> Localized:
    return Localized(en=_fill(template.en, claim, "this result"), fr=_fill(template.fr, claim, "ce résultat"))


def with_claims(persona: Persona, rubric: Rubric, claims: list[Claim]) -> tuple[Persona, Rubric, list[dict[str, Any]]]:
    """The session's own persona and rubric, in which the most important claims are the questions
    of the claims stage (asked as their status calls for, then one deeper probe), judged against their
    definitions. Everything downstream (engine, scorer, prompts, report) then treats them as any question."""
    if persona.takehome is None or not claims:
        return persona, rubric, []
    probes = persona.takehome.claims
    questions: list[Question] = []
    keys: dict[str, QuestionKey] = {}
    records: list[dict[str, Any]] = []
    asked = claim_reading.questions_first([c.status for c in claims], probes.max_claims)  # type: ignore[misc]
    for claim in [claims[i] for i in asked]:
        question_id = f"claim-{claim.id}"[:64]
        probe = probes.by_status[claim.status if claim.status in probes.by_status else "used"]  # type: ignore[index]
        questions.append(Question(
            id=question_id,
            text=_localized(probe.ask, claim),
            criteria=probe.criteria or probes.criteria,
            topic=claim.claim[:80],
            deepen=[_localized(t, claim) for t in probe.deepen],
        ))
        if claim.kind == "result" or claim.status == "measured" or not claim.key_terms:
            keys[question_id] = QuestionKey(key_points=probes.result_key_points)
        else:
            points = [KeyPoint(label=term["en"][0], en=term["en"], fr=term["fr"]) for term in claim.key_terms]
            keys[question_id] = QuestionKey(key_points=points, reference_answer=claim.definition, source="interviewer glossary")
        records.append({**claim.as_dict(), "question_id": question_id})
    # Every claim goes in the report's table; only the most important become questions.
    records += [{**claim.as_dict(), "question_id": None} for i, claim in enumerate(claims) if i not in asked]
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
        "required": ["claim", "kind", "status", "source_sentence", "importance"],
        "properties": {
            "claim": {"type": "string"},
            "kind": {"type": "string", "enum": CLAIM_KINDS},
            "status": {"type": "string", "enum": list(claim_reading.STATUSES)},
            "source_sentence": {"type": "string"},
            "importance": {"type": "integer", "minimum": 1, "maximum": 3},
        },
    }
    return {"type": "json_schema", "json_schema": {"name": "takehome_claims", "strict": True, "schema": {
        "type": "object", "additionalProperties": False, "required": ["claims"],
        "properties": {"claims": {"type": "array", "items": item, "maxItems": limit}},
    }}}


def _from_model_item(item: dict[str, Any], n: int) -> Claim | None:
    name = claim_reading.clean_name(str(item.get("claim", "")))
    source = _LIST_PREFIX.sub("", str(item.get("source_sentence", "")).strip())
    kind = item.get("kind") if item.get("kind") in CLAIM_KINDS else "technique"
    if not name or not source:
        return None
    # A claim the glossary knows gets its definition, so its explanation can be judged offline too.
    entry = next((e for e, pattern in _patterns() if pattern.fullmatch(name) or pattern.search(name)), None)
    status = _checked_status(item.get("status"), str(kind), entry, source)
    if status is None:
        return None
    importance = float(item.get("importance", 2)) if isinstance(item.get("importance"), int | float) else 2.0
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or f"claim-{n}"
    return Claim(
        id=entry.id if entry else (f"result-{n}" if kind == "result" else slug), kind=str(kind), claim=name, source=source,
        importance=claim_reading.model_importance(importance, status, entry.id if entry else None, source) + 0.01 * (20 - n),
        status=status, definition=entry.definition if entry else None, key_terms=entry.key_terms if entry else [],
    )


_LIST_PREFIX = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")


def _checked_status(said: Any, kind: str, entry: GlossaryEntry | None, source: str) -> str | None:
    """The model's status, checked against the sentence it quotes: explicit future-work or citation
    cues win, and a known technique its sentence never names (only a model named after it) is dropped."""
    passage = claim_reading.Passage(text=source, index=0)
    position = 0
    if entry is not None and entry.kind not in claim_reading.ARTEFACT_KINDS:
        spans = [m for m in entry.pattern.finditer(source) if not claim_reading.inside_name(source, m.start(), m.end())]
        if not spans:
            return None
        position = spans[0].start()
    read = claim_reading.status_of(passage, position)
    if kind == "result":
        return None if read == "proposed" else ("cited" if read == "cited" else "measured")
    if read in ("proposed", "cited") or said not in claim_reading.STATUSES:
        return read
    return str(said)


async def extract_claims_with_model(models: Any, document: str, *, limit: int = 12) -> list[Claim]:
    """Claims found by the judge model, kept only where their sentence is really in the document."""
    import json

    from interviewer.models import llm
    from interviewer.models import prompting
    from interviewer.models.structured_output import OutputSchema

    model = models.settings.judge
    system = prompting.environment().get_template("claims.j2").render(limit=limit)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": f"<takehome>\n{prompting.as_data(document)}\n</takehome>"}]
    # The schema goes as response_format where the model accepts one; llm picks how (issue 12).
    schema = OutputSchema(name="takehome_claims", schema=_claims_schema(limit)["json_schema"]["schema"])
    text = (await models.complete(model=model, messages=messages, temperature=0.0, schema=schema, purpose="claims")).text
    try:
        items = json.loads(re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip()))["claims"]
        if not isinstance(items, list):
            raise TypeError(f"claims is {type(items).__name__}, not a list")
    except (ValueError, KeyError, TypeError) as exc:
        raise llm.ModelError(f"the model '{model}' returned unreadable claims", status=502) from exc
    claims = [c for n, item in enumerate(items) if isinstance(item, dict) and (c := _from_model_item(item, n))]
    unique = list({c.id: c for c in claims}.values())
    return sorted(keep_grounded(unique, document), key=lambda c: -c.importance)


async def _offline_claims(document: str, language: str) -> list[Claim]:
    # Seconds of regex work on a long write-up: on the long-read threads, so turns keep being stored.
    import anyio

    from interviewer.ops.threads import long_reads

    return await anyio.to_thread.run_sync(lambda: extract_claims(document, language=language), limiter=long_reads())


async def claims_for(models: Any, document: str, *, language: str) -> list[Claim]:
    """With a model configured, the model's grounded claims; offline (or if the model fails), the glossary's."""
    from interviewer.models import calls
    from interviewer.models import llm

    if calls.is_offline(models.settings.judge):
        return await _offline_claims(document, language)
    try:
        found = await extract_claims_with_model(models, document)
    except llm.ModelError as exc:
        llm.log.warning("claim extraction by model failed (%s); using the offline glossary", exc)
        return await _offline_claims(document, language)
    return found or await _offline_claims(document, language)
