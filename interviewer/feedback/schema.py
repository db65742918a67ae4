"""The feedback report's shape, as pydantic models: the JSON format and its published schema
(docs/report.schema.json, regenerated with `python -m interviewer.feedback.schema`) come from here.

Bump SCHEMA_VERSION whenever a field is renamed, removed or changes meaning.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 6
BandKey = Literal["ready", "nearly-there", "developing", "needs-groundwork"]
# Lower bounds of the weighted overall score (1-5) for each practice band, best first.
BANDS: tuple[tuple[float, BandKey, str], ...] = (
    (4.2, "ready", "Ready: answers like these would hold up in a real round."),
    (3.4, "nearly-there", "Nearly there: solid, with a few gaps to close."),
    (2.6, "developing", "Developing: the basics are there; depth and evidence are missing."),
    (0.0, "needs-groundwork", "Needs groundwork: prepare the core topics and rehearse aloud."),
)
TriggerKind = Literal["criterion_at_most", "hedged", "follow_up_failed", "no_number", "decline"]


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionInfo(Part):
    id: str
    persona_id: str = Field(description="The round rehearsed, e.g. technical-ml")
    interviewer: str
    role: str
    language: str = Field(description="The session language (en or fr); lesson texts use it")
    status: str = Field(description="active or ended")
    model: str = Field(description="The model that ran the interview and judged the answers")
    created_at: datetime
    ended_at: datetime | None
    persona_hash: str = Field(description="SHA-256 of the persona snapshot the session used")
    rubric_hash: str = Field(description="SHA-256 of the rubric snapshot the session used")


class Band(Part):
    key: BandKey
    label: str


class Overall(Part):
    score: float | None = Field(description="Criterion scores weighted by the rubric's weights, 1-5, then held down where the rubric caps answers that are not right (see held); null when nothing was scored")
    out_of: Literal[5] = 5
    band: Band | None = Field(description="Practice band of the overall score; practice feedback, not a hiring decision. 'Ready' requires no contradiction, no misconception and no answer whose content went unchecked")
    questions_asked: int
    questions_answered: int
    complete: bool = Field(default=True, description="False when the round ended before its plan: then band is null and the round stays out of progress charts")
    planned_questions: int | None = Field(default=None, description="Questions the round's plan holds")
    unfinished: str | None = Field(default=None, description='Banner of an unfinished round: "unfinished: k of n planned questions"')
    withheld: str | None = Field(
        default=None,
        description="Why score is null although some criteria were scored: whether the answers are right was checked on no question, so an overall would rest on how they were said alone",
    )
    held: str | None = Field(
        default=None,
        description="Why score is below the criteria's weighted mean: answers that stated a mistake, that the learned reader doubted, or that scored 2 or less on every criterion judging what is said count at most the rubric's mistake_cap, however clearly they were put",
    )


class NotAssessedCriterion(Part):
    id: str
    name: str
    reason: str = Field(description="Why the scorer that produced this report cannot judge it; it is left out of the overall")


class Correction(Part):
    """A sentence of the answer that contradicts a key point or states a common misconception."""

    quote: str = Field(description="What the candidate said, verbatim")
    about: str = Field(description="The key point it contradicts, or the misconception it states")
    correction: str | None = Field(description="What is true instead, from the rubric, when it has one")


class ScorerInfo(Part):
    kind: Literal["offline", "judge", "mixed"] = Field(description="Who produced the scores: the offline scorer, a judge model, or both (the offline scorer stood in where the judge failed)")
    name: str = Field(description="The scorer: 'offline' or the judge model's name")
    method: str = Field(description="What the scorer measures")
    cannot_see: list[str] = Field(description="What this scorer does not check; no score claims it")


class CriterionResult(Part):
    id: str
    name: str
    weight: float = Field(description="The criterion's weight in the overall score (the rubric's)")
    score: float = Field(description="Weighted mean of the criterion's final scores over the questions that assessed it, each question weighted by its planned minutes")
    level: int = Field(ge=1, le=5, description="The score rounded to a rubric level")
    anchor: str = Field(description="The rubric's written target for that level: what the level asks for, not a finding about the answers")
    next_anchor: str | None = Field(description="The target of the level above, null at level 5")
    questions: int = Field(description="How many questions assessed this criterion")


class QuestionScore(Part):
    criterion_id: str
    criterion: str
    score: int = Field(ge=1, le=5)
    anchor: str = Field(description="The rubric's written target for this level, not a finding; the rationale says what was found")
    rationale: str
    evidence: list[str] = Field(description="Quotes of the answer; each is a substring of what the candidate said, whitespace collapsed")
    flagged: bool = Field(description="True when the judge returned a quote that was not in the answer (it was dropped)")
    scored_by: Literal["judge", "offline"] = Field(default="judge", description="Who scored it: the judge model, or the offline scorer")
    scored_by_reason: str | None = Field(default=None, description="Why the offline scorer stood in for the judge model (it failed); it is judged again on a later report")
    calibrated_score: float | None = Field(default=None, description="The judge's expected level under its token probabilities, or its mean over samples; `score` is its rounding")
    spread: float | None = Field(default=None, description="Standard deviation of the level over the judge's samples (INTERVIEWER_JUDGE_SAMPLES > 1)")


class QuestionResult(Part):
    question_id: str
    stage: str
    stage_title: str = Field(description="The stage's title, in the session language")
    question: str = Field(description="The question as asked, in the language it was asked in")
    minutes: float = Field(description="Planned minutes for the question (its stage's minutes over the questions the stage asks); the weight of its scores")
    answered: bool
    answer_excerpt: str | None = Field(description="The candidate's answers to the question and its follow-ups, shortened")
    follow_ups: list[str] = Field(description="The follow-up questions the interviewer asked")
    scores: list[QuestionScore] = Field(description="Final per-criterion scores, judged on the whole thread")
    not_assessed_by_judge: list[str] = Field(default_factory=list, description="Criteria the judge found no evidence on either way: not assessed, which is not a low score")
    not_assessed_offline: list[NotAssessedCriterion] = Field(default_factory=list, description="Criteria the offline scorer could not judge on this answer, with why (for example, no facts for the subject the candidate chose): left out of the overall")
    key_points: list[str] = Field(description="What a strong answer says, from the rubric")
    covered_key_points: list[str]
    missing_key_points: list[str]
    listed_key_points: list[str] = Field(default_factory=list, description="Key points only named in a list or a heading, never explained: they earn nothing")
    corrections: list[Correction] = Field(default_factory=list, description="Contradicted key points and common misconceptions stated, each with the sentence and the correction")
    doubt: str | None = Field(default=None, description="Offline: the learned reader found the answer unlikely to be correct though no sentence was found wrong; says its chance and that it cannot point at the mistake")
    reference_answer: str | None = Field(description="The rubric's model answer, when it has one")
    source: str | None = Field(description="Where the question or model answer comes from, with its licence")


class ClaimResult(Part):
    claim: str = Field(description="The technique, paper, tool or metric named, or the numeric result stated")
    kind: Literal["technique", "paper", "tool", "metric", "method", "result"]
    status: Literal["used", "proposed", "cited", "measured"] = Field(
        default="used", description="What the write-up does with it: used it, proposed it as future work, cited it, or measured a number"
    )
    source: str = Field(description="The sentence of the take-home that makes the claim")
    importance: float = Field(description="Higher is more central to the write-up; claims are probed in this order")
    question_id: str | None = Field(description="The question that probed it, when one did")
    asked: bool
    score: float | None = Field(description="Mean final criterion score (1-5) of its question; null when not asked or not answered")
    evidence: list[str] = Field(description="Quotes of the candidate's explanation")
    advice: str | None = Field(description="For a claim scored 2 or lower: learn it or drop it before the real interview")


class PresentationTiming(Part):
    words: int = Field(description="Words of the presentation (its messages, without a final \"that's all\")")
    minutes: float = Field(description=f"Estimated speaking time at {130} words per minute")
    slot_minutes: int
    verdict: Literal["short", "fits", "long"]


class Highlight(Part):
    """A strength or an improvement, tied to what the candidate said."""

    criterion_id: str
    criterion: str
    score: float = Field(description="The criterion's aggregate score")
    question_id: str = Field(description="The question the quote comes from")
    question: str
    quote: str = Field(description="From the candidate's answer to that question (a score's evidence, or the first sentence of an answer)")
    note: str = Field(description="The level reached on that question and its anchor; for an improvement, what the next level asks for")
    missing_key_points: list[str] = Field(default_factory=list, description="Improvements: key points that answer left out")


class LessonOccurrence(Part):
    kind: TriggerKind
    observed: str = Field(description="What happened, in the session language")
    question_id: str
    question: str
    quote: str = Field(description="From the candidate's answer: the score's evidence, or the first sentence of the answer concerned")


class LessonResult(Part):
    id: str
    title: str = Field(description="The lesson in a few words, in the session language")
    advice: str = Field(description="The lesson, in the session language")
    domain_lesson: str = Field(description="The lesson of the domain brief it comes from, verbatim")
    occurrences: list[LessonOccurrence] = Field(min_length=1)


class HistoryPoint(Part):
    session_id: str
    created_at: datetime
    score: float | None
    band: BandKey | None
    current: bool = Field(description="True for the session this report is about")
    complete: bool = Field(default=True, description="False for an unfinished round, left out of progress charts")


class PurposeUsage(Part):
    model_calls: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None


class Usage(Part):
    model: str
    turns: int
    candidate_words: int
    prompt_tokens: int | None = Field(description="Sum over model calls that reported tokens; null when none did")
    completion_tokens: int | None
    cost_usd: float | None = Field(description="0 for the offline model; null when a model's cost was not recorded")
    duration_seconds: int = Field(description="From the first turn to the last")
    model_calls: int = Field(default=0, description="Every model call of the session: replies, judge calls, the take-home's claims")
    by_purpose: dict[str, PurposeUsage] = Field(default_factory=dict, description="Model calls, tokens and cost per purpose (reply, judge, claims)")


class Report(Part):
    schema_version: Literal[6] = SCHEMA_VERSION
    disclaimer: str
    session: SessionInfo
    overall: Overall
    scorer: ScorerInfo
    criteria: list[CriterionResult]
    not_assessed: list[NotAssessedCriterion] = Field(default_factory=list, description="Criteria of the rubric this report's scorer did not judge, with the reason; left out of the overall")
    questions: list[QuestionResult] = Field(description="In the order they were asked")
    strengths: list[Highlight] = Field(max_length=3, description="Up to 3 criteria that reached level 4 or 5 on some question, best aggregate first, each quoting that answer")
    improvements: list[Highlight] = Field(max_length=3, description="Up to 3 criteria below level 5 on some question, those not listed as strengths first, each quoting its weakest answer")
    lessons: list[LessonResult] = Field(description="Lessons of the domain brief that what happened in this session triggered")
    history: list[HistoryPoint] = Field(description="Overall scores of the past sessions of the same round, oldest first, ending with this one")
    claims: list[ClaimResult] = Field(default_factory=list, description="Take-home rounds: every claim extracted from the write-up, most important first")
    presentation: PresentationTiming | None = Field(default=None, description="Take-home rounds: the presentation's estimated duration against its slot")
    usage: Usage


def json_schema() -> dict[str, Any]:
    schema = Report.model_json_schema(mode="serialization")
    schema["$id"] = f"interviewer-report-v{SCHEMA_VERSION}"
    return schema


if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
