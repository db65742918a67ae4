"""Score an answer against the rubric with a model: a calibrated judge.

Each criterion is judged evidence first, then reasoning, then "assessed or not", then a level,
against the rubric's anchors and worked examples. Output is structured where the provider allows
it and validated strictly (no NaN, no Infinity, no level outside 1-5, no null, every criterion):
one repair request, then `JudgeUnusable`, so the caller falls back to the offline scorer. Where
the provider returns token probabilities, the level is their expectation over 1-5 (G-Eval); with
several samples, their mean and spread. Quotes are kept only when they are in the answer as the
model saw it, and stored as the candidate wrote them.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from interviewer.assessment import judge_prompts
from interviewer.assessment import quotes
from interviewer.assessment.scoring import criteria_for
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Criterion, QuestionKey, Rubric
from interviewer.models import calls
from interviewer.models import llm
from interviewer.models import prompting
from interviewer.models.structured_output import OutputSchema

# Samples beyond the first are drawn warmer, so that their spread measures the judge's uncertainty.
SAMPLE_TEMPERATURE = 0.7
LEVELS = (1, 2, 3, 4, 5)


class JudgeUnusable(llm.ModelError):
    """The judge answered, twice, with output that cannot be used as scores."""


class _CriterionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criterion_id: str
    evidence: list[str]
    reasoning: str
    assessed: bool = True
    score: float | None

    @field_validator("score")
    @classmethod
    def _a_level(cls, value: float | None) -> float | None:
        if value is None:
            return None
        if not math.isfinite(value) or value != int(value) or not 1 <= value <= 5:
            raise ValueError(f"score must be a whole level from 1 to 5, got {value!r}")
        return value


class _KeyPointOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key_point: str
    quote: str


class _MisconceptionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    quote: str
    misconception: str = ""
    correction: str


class JudgeOutput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criteria: list[_CriterionOut]
    key_points_covered: list[_KeyPointOut] = []
    misconceptions: list[_MisconceptionOut] = []


@dataclass(frozen=True)
class JudgedScore:
    """One criterion's judgement: `score` is the level the report shows, `exact` the calibrated value."""

    criterion_id: str
    score: int
    rationale: str
    evidence: list[str]
    flagged: bool = False
    exact: float | None = None
    spread: float | None = None
    assessed: bool = True


@dataclass(frozen=True)
class JudgeUsage(calls.Usage):
    """A judge call's usage, carrying what it found beyond scores, to be stored with the call."""

    findings: dict[str, Any] | None = None


@dataclass(frozen=True)
class Misconception:
    quote: str  # the candidate's own words
    about: str  # the wrong belief, in a few words
    correction: str


@dataclass(frozen=True)
class Verdict:
    scores: list[JudgedScore]
    usage: JudgeUsage
    # Key points the judge found covered, each with the candidate's own words for it.
    covered_key_points: dict[str, str] = field(default_factory=dict)
    misconceptions: list[Misconception] = field(default_factory=list)
    samples: int = 1


def output_schema(criterion_ids: list[str], key_points: list[str]) -> OutputSchema:
    """The JSON schema sent as `response_format` (or spelled out in the prompt)."""
    criterion = {
        "type": "object",
        "additionalProperties": False,
        # Evidence first, then reasoning, then the decision: the order the model writes them.
        "required": ["criterion_id", "evidence", "reasoning", "assessed", "score"],
        "properties": {
            "criterion_id": {"type": "string", "enum": criterion_ids},
            "evidence": {"type": "array", "items": {"type": "string"}},
            "reasoning": {"type": "string"},
            "assessed": {"type": "boolean"},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
        },
    }
    key_point: dict[str, Any] = {"type": "string", "enum": key_points} if key_points else {"type": "string"}
    return OutputSchema(name="rubric_scores", schema={
        "type": "object",
        "additionalProperties": False,
        "required": ["criteria", "key_points_covered", "misconceptions"],
        "properties": {
            "criteria": {"type": "array", "items": criterion},
            "key_points_covered": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["key_point", "quote"],
                "properties": {"key_point": key_point, "quote": {"type": "string"}},
            }},
            "misconceptions": {"type": "array", "items": {
                "type": "object", "additionalProperties": False, "required": ["quote", "misconception", "correction"],
                "properties": {"quote": {"type": "string"}, "misconception": {"type": "string"}, "correction": {"type": "string"}},
            }},
        },
    })


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse(text: str, criterion_ids: list[str]) -> JudgeOutput:
    """The judge's JSON, strictly: a code fence or prose around the object is tolerated, nothing else."""
    stripped = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    if not stripped.startswith("{") and "{" in stripped:
        stripped = stripped[stripped.index("{") : stripped.rindex("}") + 1]
    output = JudgeOutput.model_validate(json.loads(stripped, parse_constant=_not_a_number))
    judged = {c.criterion_id for c in output.criteria}
    missing = [c for c in criterion_ids if c not in judged]
    if missing:
        raise ValueError(f"missing criteria: {missing}")
    for item in output.criteria:
        if item.criterion_id in criterion_ids and item.assessed and item.score is None:
            raise ValueError(f"criterion {item.criterion_id}: assessed but its score is null")
    return output


def level_expectations(text: str, tokens: list[llm.TokenChoice] | None) -> dict[str, float]:
    """Per criterion id, the expected level under the token probabilities of its score digit (G-Eval)."""
    if not tokens:
        return {}
    joined = "".join(t.token for t in tokens)
    starts: list[int] = []
    offset = 0
    for t in tokens:
        starts.append(offset)
        offset += len(t.token)
    expectations: dict[str, float] = {}
    current: str | None = None
    for match in re.finditer(r'"criterion_id"\s*:\s*"(?P<id>[^"]+)"|"score"\s*:\s*(?P<score>[1-5])(?![0-9.])', joined):
        if match.group("id"):
            current = match.group("id")
            continue
        if current is None:
            continue
        at = match.start("score")
        index = max(i for i, s in enumerate(starts) if s <= at)
        choice = tokens[index]
        if choice.token.strip() != match.group("score"):
            continue  # the digit shares a token with other text: no clean distribution to read
        probabilities: dict[int, float] = {}
        for token, logprob in choice.top.items():
            if token.strip() in {str(level) for level in LEVELS} and logprob is not None and math.isfinite(logprob):
                level = int(token.strip())
                probabilities[level] = probabilities.get(level, 0.0) + math.exp(logprob)
        total = sum(probabilities.values())
        if total > 0:
            expectations[current] = sum(level * p for level, p in probabilities.items()) / total
        current = None
    return expectations


@dataclass(frozen=True)
class _Sample:
    output: JudgeOutput
    expectations: dict[str, float]


def _combine(
    samples: list[_Sample], *, answer: str, criterion_ids: list[str], key: QuestionKey | None
) -> tuple[list[JudgedScore], dict[str, str], list[Misconception]]:
    scores: list[JudgedScore] = []
    for criterion_id in criterion_ids:
        items = [(next(c for c in s.output.criteria if c.criterion_id == criterion_id), s.expectations) for s in samples]
        assessed = [(item, exp) for item, exp in items if item.assessed and item.score is not None]
        # Most samples found nothing to assess: the criterion is not assessed, which is not a low score.
        is_assessed = 2 * len(assessed) > len(items)
        values = [exp.get(criterion_id, float(item.score or 0)) for item, exp in assessed]
        evidence: list[str] = []
        dropped = False
        for item, _ in items:
            kept, lost = quotes.verified(item.evidence, answer)
            evidence += [q for q in kept if q not in evidence]
            dropped = dropped or lost
        exact = statistics.fmean(values) if is_assessed and values else None
        level = max(1, min(5, round(exact))) if exact is not None else 1
        first = (assessed or items)[0][0]
        scores.append(JudgedScore(
            criterion_id=criterion_id,
            score=level,
            rationale=first.reasoning.strip() or (f"Level {level}." if is_assessed else "Not assessed: the answer gives no evidence either way."),
            evidence=evidence,
            flagged=dropped,
            exact=round(exact, 3) if exact is not None else None,
            spread=round(statistics.pstdev(values), 3) if len(samples) > 1 and len(values) > 1 else None,
            assessed=is_assessed,
        ))
    labels = [p.label for p in key.key_points] if key else []
    covered: dict[str, str] = {}
    misconceptions: list[Misconception] = []
    for sample in samples:
        for point in sample.output.key_points_covered:
            label = next((lab for lab in labels if lab.casefold() == point.key_point.strip().casefold()), None)
            span = quotes.locate(point.quote, answer)
            # A key point counts only with the candidate's own words for it.
            if label and span and label not in covered:
                covered[label] = span
        for m in sample.output.misconceptions:
            span = quotes.locate(m.quote, answer)
            if span and m.correction.strip() and all(span != known.quote for known in misconceptions):
                misconceptions.append(Misconception(quote=span, about=m.misconception.strip() or m.correction.strip(), correction=m.correction.strip()))
    return scores, covered, misconceptions


async def _one_sample(
    models: llm.Models, *, model: str, messages: prompting.Messages, criterion_ids: list[str], schema: OutputSchema, temperature: float,
) -> tuple[_Sample, calls.Usage]:
    reply = await models.complete(model=model, messages=messages, temperature=temperature, schema=schema, purpose="judge", logprobs=True)
    usage = reply.usage
    try:
        output = parse(reply.text, criterion_ids)
        return _Sample(output, level_expectations(reply.text, reply.tokens)), usage
    except (ValueError, ValidationError) as first_error:
        # One repair: show the model its own reply and what was wrong with it.
        repair = [
            *messages,
            {"role": "assistant", "content": reply.text[:4_000]},
            {"role": "user", "content": f"That reply was not valid: {_short(first_error)}. Reply again with the JSON object only: one entry per criterion ({', '.join(criterion_ids)}), each score a whole number from 1 to 5, no null values."},
        ]
        fixed = await models.complete(model=model, messages=repair, temperature=0.0, schema=schema, purpose="judge", logprobs=True)
        usage = calls.combine(usage, fixed.usage)
        try:
            output = parse(fixed.text, criterion_ids)
        except (ValueError, ValidationError) as exc:
            raise JudgeUnusable(f"the judge model '{model}' returned unusable scores twice ({_short(exc)})", status=502) from exc
        return _Sample(output, level_expectations(fixed.text, fixed.tokens)), usage


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


async def judge(
    models: llm.Models, *, messages: prompting.Messages, criteria: list[Criterion], key: QuestionKey | None, answer: str,
    samples: int | None = None,
) -> Verdict:
    """Judge one answer; raises `llm.ModelError` (or `JudgeUnusable`) when no sample could be used."""
    model = models.settings.judge
    count = samples or models.settings.judge_samples
    criterion_ids = [c.id for c in criteria]
    schema = output_schema(criterion_ids, [p.label for p in key.key_points] if key else [])
    temperatures = [0.0] + [SAMPLE_TEMPERATURE] * (count - 1)
    results = await asyncio.gather(
        *(_one_sample(models, model=model, messages=messages, criterion_ids=criterion_ids, schema=schema, temperature=t) for t in temperatures),
        return_exceptions=True,
    )
    good = [r for r in results if isinstance(r, tuple)]
    if not good:
        failure = next(r for r in results if isinstance(r, BaseException))
        raise failure
    usage = good[0][1]
    for _, more in good[1:]:
        usage = calls.combine(usage, more)
    scores, covered, misconceptions = _combine([s for s, _ in good], answer=answer, criterion_ids=criterion_ids, key=key)
    findings = {
        "covered_key_points": covered,
        "misconceptions": [{"quote": m.quote, "about": m.about, "correction": m.correction} for m in misconceptions],
    }
    return Verdict(
        scores=scores, usage=JudgeUsage(**vars(usage), findings=findings), covered_key_points=covered,
        misconceptions=misconceptions, samples=len(good),
    )


# One anchored criterion for judging a bare question/answer pair (`interviewer eval`).
ANSWER_QUALITY = Criterion(
    id="answer_quality",
    name="Answer quality",
    description="How correct, complete and precise the answer is for this question, measured against the reference answer when there is one.",
    weight=1.0,
    content_weight=1.0,
    levels={
        1: "No answer, an admission of not knowing, off topic, or wrong on the central point.",
        2: "Touches the topic but misses or confuses most of what the reference covers.",
        3: "Correct on the central point; misses important parts or stays vague.",
        4: "Correct and mostly complete, with minor gaps or imprecision.",
        5: "Correct, complete and precise; covers what the reference covers, in the candidate's own words.",
    },
)


@dataclass(frozen=True)
class Quality:
    """A bare answer's quality in [0, 1] by the judge, what it cost, and the spread over samples."""

    value: float
    usage: calls.Usage
    spread: float | None = None


async def judge_quality(
    models: llm.Models, *, question: str, reference_answer: str | None, answer: str, samples: int | None = None
) -> Quality:
    """A bare answer's quality (for `interviewer eval`): the reference answer is context, not a key point."""
    messages = judge_prompts.standalone_judge_messages(
        assessment_of="technical interview", question_text=question, key=None, criteria=[ANSWER_QUALITY], answer=answer,
        reference_answer=reference_answer,
    )
    verdict = await judge(models, messages=messages, criteria=[ANSWER_QUALITY], key=None, answer=answer, samples=samples)
    [score] = verdict.scores
    level = score.exact if score.exact is not None else 1.0  # nothing to assess in a bare answer is the lowest quality
    spread = score.spread / 4 if score.spread is not None else None
    return Quality(value=(level - 1) / 4, usage=verdict.usage, spread=spread)


async def judge_answer(
    models: llm.Models, *, persona: Persona, rubric: Rubric, question_id: str, thread: str, language: Language
) -> Verdict:
    """Judge the whole thread of answers to one question of the session."""
    criteria = criteria_for(persona.question(question_id), rubric)
    messages = judge_prompts.judge_messages(rubric=rubric, persona=persona, question_id=question_id, thread=thread, language=language)
    return await judge(models, messages=messages, criteria=criteria, key=rubric.questions.get(question_id), answer=thread)
