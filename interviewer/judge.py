"""Score an answer against the rubric with a model: structured JSON, one repair retry, scores
clamped to 1-5, and evidence quotes kept only when they really occur in the answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer import llm, prompts
from interviewer.catalog import Criterion, KeyPoint, Language, Persona, QuestionKey, Rubric
from interviewer.scoring import CriterionScore, criteria_for, verify_evidence


class CriterionJudgement(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criterion_id: str
    evidence: list[str] = Field(default_factory=list)
    reasoning: str = ""
    score: float


class JudgeOutput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criteria: list[CriterionJudgement]


def _schema(criterion_ids: list[str]) -> dict[str, Any]:
    """The JSON schema sent as `response_format` to providers that support structured output."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "rubric_scores",
            "strict": True,
            "schema": {
                "type": "object",
                "additionalProperties": False,
                "required": ["criteria"],
                "properties": {
                    "criteria": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            # Evidence first, then reasoning, then the score: the order the model writes them.
                            "required": ["criterion_id", "evidence", "reasoning", "score"],
                            "properties": {
                                "criterion_id": {"type": "string", "enum": criterion_ids},
                                "evidence": {"type": "array", "items": {"type": "string"}},
                                "reasoning": {"type": "string"},
                                "score": {"type": "integer", "minimum": 1, "maximum": 5},
                            },
                        },
                    }
                },
            },
        },
    }


def _supports_schema(model: str) -> bool:
    litellm = llm._import_litellm()
    try:
        return bool(litellm.supports_response_schema(model=model))
    except Exception:  # unknown models: ask for JSON in the prompt instead
        return False


def parse(text: str, criterion_ids: list[str]) -> JudgeOutput:
    """Parse the judge's JSON (tolerating a code fence); every criterion must be judged."""
    stripped = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    output = JudgeOutput.model_validate(json.loads(stripped))
    missing = sorted(set(criterion_ids) - {c.criterion_id for c in output.criteria})
    if missing:
        raise ValueError(f"missing criteria: {missing}")
    return output


def to_scores(output: JudgeOutput, *, answer: str, criterion_ids: list[str]) -> list[CriterionScore]:
    scores: list[CriterionScore] = []
    for criterion_id in criterion_ids:
        item = next(c for c in output.criteria if c.criterion_id == criterion_id)
        evidence, dropped = verify_evidence(item.evidence, answer)
        clamped = max(1, min(5, round(item.score)))
        scores.append(
            CriterionScore(
                criterion_id=criterion_id,
                score=clamped,
                rationale=item.reasoning.strip() or f"Level {clamped}.",
                evidence=evidence,
                flagged=dropped or clamped != item.score,
            )
        )
    return scores


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


async def judge_quality(models: llm.Models, *, question: str, reference_answer: str | None, answer: str) -> float:
    """A bare answer's quality in [0, 1] according to the judge model (for `interviewer eval`)."""
    model = models.settings.judge
    key = QuestionKey(key_points=[KeyPoint(label="as the reference answer", en=["reference"], fr=["référence"])], reference_answer=reference_answer) if reference_answer else None
    messages = prompts.standalone_judge_messages(
        assessment_of="technical interview", question_text=question, key=key, criteria=[ANSWER_QUALITY], answer=answer
    )
    scores, _ = await _judge(models, model=model, messages=messages, criterion_ids=[ANSWER_QUALITY.id], answer=answer)
    return (scores[0].score - 1) / 4


async def _judge(
    models: llm.Models, *, model: str, messages: prompts.Messages, criterion_ids: list[str], answer: str
) -> tuple[list[CriterionScore], llm.Usage]:
    response_format = _schema(criterion_ids) if _supports_schema(model) else None
    text, usage = await models.complete(model=model, messages=messages, temperature=0.0, response_format=response_format, purpose="judge")
    try:
        output = parse(text, criterion_ids)
    except (ValueError, ValidationError) as first_error:
        # One repair: show the model its own reply and what was wrong with it.
        repair = [
            *messages,
            {"role": "assistant", "content": text},
            {"role": "user", "content": f"That reply was not valid: {first_error}. Reply again with the JSON object only, one entry per criterion: {', '.join(criterion_ids)}."},
        ]
        text, repair_usage = await models.complete(model=model, messages=repair, temperature=0.0, response_format=response_format, purpose="judge")
        usage = llm.combine(usage, repair_usage)
        try:
            output = parse(text, criterion_ids)
        except (ValueError, ValidationError) as exc:
            raise llm.ModelError(f"the judge model '{model}' returned malformed scores twice; retry the report", status=502) from exc
    return to_scores(output, answer=answer, criterion_ids=criterion_ids), usage


async def judge_answer(
    models: llm.Models, *, persona: Persona, rubric: Rubric, question_id: str, thread: str, language: Language
) -> tuple[list[CriterionScore], llm.Usage]:
    model = models.settings.judge
    criterion_ids = [c.id for c in criteria_for(persona.question(question_id), rubric)]
    messages = prompts.judge_messages(rubric=rubric, persona=persona, question_id=question_id, thread=thread, language=language)
    return await _judge(models, model=model, messages=messages, criterion_ids=criterion_ids, answer=thread)
