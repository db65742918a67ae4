"""Build the feedback report from stored turns and scores (pure), and render it.

Scores are derived data: the report reads the latest score of each question thread, so a follow-up
that fills a gap raises the question's score, as with a human interviewer. Every quote is verbatim.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import ValidationError

from interviewer.assessment import reader, scoring, semantic
from interviewer.assessment.turns import TurnView, presentation_words
from interviewer.catalog.fields import Language
from interviewer.catalog.personas import Persona, Question
from interviewer.catalog.rubrics import QuestionKey, Rubric
from interviewer.feedback import accounting, lessons
from interviewer.feedback.html import render_html
from interviewer.feedback.markdown import render_markdown
from interviewer.feedback.schema import (
    BANDS,
    Band,
    ClaimResult,
    CriterionResult,
    Correction,
    HistoryPoint,
    NotAssessedCriterion,
    Overall,
    PresentationTiming,
    PurposeUsage,
    QuestionResult,
    QuestionScore,
    Report,
    SessionInfo,
    Usage,
)
from interviewer.assessment.text import sentences, words
from interviewer.assessment.turns import presentation_minutes, timing_verdict
from interviewer.feedback.criteria import criteria_results, highlights
from interviewer.feedback.method import not_assessed, scorer_info
from interviewer.feedback.overall import overall_score
from interviewer.storage.tables import AnswerScore, InterviewSession, Turn

__all__ = ["Report", "ReportFormat", "build_report", "history_point", "render", "render_html", "render_markdown"]

ReportFormat = Literal["json", "md", "html"]
DISCLAIMER = "Practice feedback from a mock interview, not a hiring decision."
EXCERPT_CHARS = 400
QUOTE_CHARS = 240


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def quote_of(text: str, language: Language) -> str:
    """The first sentence of an answer, cut at a word if long: always a verbatim substring."""
    found = sentences(text, language)
    first = found[0].text if found else text.strip()
    return first if len(first) <= QUOTE_CHARS else first[:QUOTE_CHARS].rsplit(" ", 1)[0]


def band_for(score: float, *, wrong: bool = False, unchecked: bool = False) -> Band:
    """The practice band of an overall score. "Ready" says the answers would hold up: never after
    an answer that said something wrong (or that the learned reader doubted), nor when whether an answer is right went unchecked."""
    for bound, key, label in BANDS:
        if score >= bound and not ((wrong or unchecked) and key == "ready"):
            return Band(key=key, label=label)
    raise AssertionError("unreachable: the last band starts at 0")


def planned_minutes(persona: Persona, question_id: str) -> float:
    """The interview time the persona's plan gives a question: its stage's minutes per question asked."""
    stage = persona.stage_of(question_id)
    return stage.minutes / (stage.ask or len(stage.questions))


# ---------------------------------------------------------------- one question thread


def _answer_facts(
    answers: list[Turn], follow_ups: list[Turn], *, question: Question, rubric: Rubric, min_words: int
) -> list[lessons.AnswerFacts]:
    """Each answer judged on its own: did it hedge, how long was it, did it answer a follow-up."""
    follow_up_seqs = {t.seq for t in follow_ups}
    facts: list[lessons.AnswerFacts] = []
    for answer in answers:
        language: Language = answer.language  # type: ignore[assignment]
        alone = scoring.assess(
            thread=answer.content, latest=answer.content, question=question, rubric=rubric,
            language=language, min_words=min_words,
        )
        facts.append(
            lessons.AnswerFacts(
                quote=quote_of(answer.content, language),
                words=alone.words,
                hedged=alone.hedges,
                to_follow_up=answer.seq - 1 in follow_up_seqs,
            )
        )
    return facts


def _question_result(
    question_id: str,
    *,
    persona: Persona,
    rubric: Rubric,
    session_language: Language,
    turns: list[Turn],
    scores: list[AnswerScore],
    judge_findings: Mapping[int, Mapping[str, Any]] | None = None,
) -> tuple[QuestionResult, lessons.ThreadFacts]:
    asked = next(t for t in turns if t.role == "interviewer" and t.question_id == question_id)
    answers = [t for t in turns if t.role == "candidate" and t.question_id == question_id]
    follow_ups = [t for t in turns if t.kind == "follow_up" and t.question_id == question_id]
    last_scored = max((s.turn_id for s in scores), default=None)
    final = [s for s in scores if s.turn_id == last_scored]
    # No evidence either way is not a low score: such criteria are listed, not averaged.
    not_assessed = [rubric.criterion(s.criterion_id).name for s in final if not s.assessed and s.scored_by != "offline"]
    # The offline scorer says why it could not judge (its rationale): shown with the reason.
    unchecked = [
        NotAssessedCriterion(id=s.criterion_id, name=rubric.criterion(s.criterion_id).name, reason=s.rationale)
        for s in final if not s.assessed and s.scored_by == "offline"
    ]
    final = [s for s in final if s.assessed]
    question = persona.question(question_id)
    key = rubric.questions.get(question_id)
    thread = "\n".join(a.content for a in answers)
    covered: list[str] = []
    missing = [p.label for p in key.key_points] if key else []
    listed: list[str] = []
    corrections: list[Correction] = []
    facts: list[lessons.AnswerFacts] = []
    doubt: str | None = None  # offline only: the learned reader's doubt, when no sentence was found wrong
    if answers:
        language: Language = answers[-1].language  # type: ignore[assignment]
        assessment = scoring.assess(
            # The same merged thread the answers were scored on, so key points agree with the scores.
            thread=scoring.merge_answers([a.content for a in answers], language),
            latest=answers[-1].content, question=question, rubric=rubric,
            language=language, min_words=persona.min_answer_words,
        )
        covered, missing = assessment.covered_key_points, assessment.missing_key_points
        listed = assessment.listed_key_points
        corrections = [
            Correction(quote=f.quote, about=f.about, correction=f.correction)
            for f in assessment.contradictions + assessment.misconceptions
        ]
        if assessment.doubted is not None and final and all(s.scored_by == "offline" for s in final):
            doubt = scoring.doubt_sentence(assessment.doubted)
        facts = _answer_facts(answers, follow_ups, question=question, rubric=rubric, min_words=persona.min_answer_words)
    found = (judge_findings or {}).get(last_scored) if last_scored is not None else None
    if found and key and final and all(s.scored_by == "judge" for s in final):
        # Judged by the model: what it found, each backed by a quote of the answer, replaces the lexical match.
        covered, missing, corrections = _judge_findings(found, key)
    text = question.text.get(asked.language)  # type: ignore[arg-type]
    result = QuestionResult(
        question_id=question_id,
        stage=persona.stage_of(question_id).id,
        stage_title=persona.stage_of(question_id).title.get(session_language),
        question=text,
        minutes=round(planned_minutes(persona, question_id), 2),
        answered=bool(answers),
        answer_excerpt=_excerpt(thread) if answers else None,
        follow_ups=[t.content for t in follow_ups],
        scores=[
            QuestionScore(
                criterion_id=s.criterion_id,
                criterion=rubric.criterion(s.criterion_id).name,
                score=s.score,
                anchor=rubric.criterion(s.criterion_id).levels[s.score],
                rationale=s.rationale,
                evidence=s.evidence,
                flagged=s.flagged,
                scored_by="offline" if s.scored_by == "offline" else "judge",
                scored_by_reason=s.reason,
                calibrated_score=s.exact_score,
                spread=s.spread,
            )
            for s in final
        ],
        not_assessed_by_judge=not_assessed,
        not_assessed_offline=unchecked,
        key_points=[p.label for p in key.key_points] if key else [],
        covered_key_points=covered,
        missing_key_points=missing,
        listed_key_points=listed,
        corrections=corrections,
        doubt=doubt,
        reference_answer=key.reference_answer if key else None,
        source=key.source if key else None,
    )
    thread_facts = lessons.ThreadFacts(
        question_id=question_id,
        question=text,
        answers=facts,
        scores={s.criterion_id: s.score for s in final},
        evidence={s.criterion_id: s.evidence for s in final},
        has_number=any(s.has_number for s in sentences(thread, asked.language)),  # type: ignore[arg-type]
        min_words=persona.min_answer_words,
    )
    return result, thread_facts


def _judge_findings(found: Mapping[str, Any], key: QuestionKey) -> tuple[list[str], list[str], list[Correction]]:
    """Key points covered and missing, and misconceptions, as the judge found them (issue 12)."""
    quoted = found.get("covered_key_points") or {}
    covered = [p.label for p in key.key_points if p.label in quoted]
    missing = [p.label for p in key.key_points if p.label not in quoted]
    corrections = [
        Correction(quote=m["quote"], about=m.get("about") or "a misconception", correction=m.get("correction"))
        for m in found.get("misconceptions") or [] if isinstance(m, Mapping) and m.get("quote")
    ]
    return covered, missing, corrections


# ---------------------------------------------------------------- aggregates


LEARN_OR_DROP = (
    "You could not yet explain this. Before the real interview, either learn it well enough to say what it "
    "does, why you chose it and when it fails, or take it out of your write-up: an interviewer asks about "
    "everything you mention."
)


def _claims(session: InterviewSession, questions: list[QuestionResult]) -> list[ClaimResult]:
    """The take-home's claims, each with whether it was asked and how well it was defended."""
    by_id = {q.question_id: q for q in questions}
    results: list[ClaimResult] = []
    for record in session.claims:
        question = by_id.get(record.get("question_id") or "")
        scores = [s.score for s in question.scores] if question else []
        score = round(sum(scores) / len(scores), 2) if scores else None
        evidence = [e for s in question.scores for e in s.evidence][:2] if question else []
        results.append(ClaimResult(
            claim=record["claim"], kind=record["kind"], status=record.get("status", "used"), source=record["source"], importance=record["importance"],
            question_id=record.get("question_id"), asked=question is not None, score=score,
            evidence=list(dict.fromkeys(evidence)), advice=LEARN_OR_DROP if score is not None and score <= 2 else None,
        ))
    return results


def _presentation(persona: Persona, turns: list[Turn]) -> PresentationTiming | None:
    if persona.takehome is None:
        return None
    presentation = persona.takehome.presentation
    views = [TurnView(role=t.role, kind=t.kind, question_id=t.question_id, words=len(words(t.content))) for t in turns]  # type: ignore[arg-type]
    spoken = presentation_words(views, presentation.question)
    if not spoken:
        return None
    minutes = presentation_minutes(spoken)
    return PresentationTiming(words=spoken, minutes=minutes, slot_minutes=presentation.slot_minutes, verdict=timing_verdict(minutes, presentation.slot_minutes))


def _usage(session: InterviewSession, turns: list[Turn], totals: accounting.Totals) -> Usage:
    return Usage(
        model=session.model,
        turns=len(turns),
        candidate_words=sum(len(words(t.content)) for t in turns if t.role == "candidate"),
        prompt_tokens=totals["prompt_tokens"],
        completion_tokens=totals["completion_tokens"],
        cost_usd=totals["cost_usd"],
        duration_seconds=round((turns[-1].created_at - turns[0].created_at).total_seconds()),
        model_calls=totals["model_calls"],
        by_purpose={purpose: PurposeUsage(**sums) for purpose, sums in totals["by_purpose"].items()},
    )


def history_point(*, session: InterviewSession, content: Mapping[str, Any]) -> HistoryPoint | None:
    """A past session's point on the progress chart, read from its stored report (any version)."""
    overall = content.get("overall")
    if not isinstance(overall, Mapping) or not isinstance(overall.get("score"), int | float):
        return None
    band = overall.get("band")
    try:
        return HistoryPoint(
            session_id=session.id,
            created_at=session.created_at,
            score=float(overall["score"]),
            band=band.get("key") if isinstance(band, Mapping) else None,
            current=False,
            complete=overall.get("complete") is not False,
        )
    except ValidationError:
        return None


def build_report(
    *,
    session: InterviewSession,
    persona: Persona,
    rubric: Rubric,
    turns: list[Turn],
    scores: list[AnswerScore],
    usage: accounting.Totals,
    history: Sequence[HistoryPoint] = (),
    judge_findings: Mapping[int, Mapping[str, Any]] | None = None,
) -> Report:
    """The report of one session; `history` holds the past sessions of the same round, oldest first."""
    by_question: dict[str, list[AnswerScore]] = defaultdict(list)
    for s in scores:
        by_question[s.question_id].append(s)
    asked_ids: list[str] = []
    for t in turns:
        if t.role == "interviewer" and t.kind in ("question", "language_switch") and t.question_id not in asked_ids:
            asked_ids.append(t.question_id)  # type: ignore[arg-type]
    language: Language = session.language  # type: ignore[assignment]
    built = [
        _question_result(
            q, persona=persona, rubric=rubric, session_language=language, turns=turns, scores=by_question[q],
            judge_findings=judge_findings or {},
        )
        for q in asked_ids
    ]
    questions = [q for q, _ in built]
    facts = {f.question_id: f for _, f in built}
    criteria = criteria_results(rubric, questions)
    overall, held = overall_score(rubric, questions, criteria)
    wrong = any(q.corrections or q.doubt for q in questions)
    unchecked, withheld = _unchecked_content(rubric, questions, criteria)
    if withheld:
        overall, held = None, None
    planned = len(session.plan or []) or len(asked_ids)
    answered = sum(q.answered for q in questions)
    # A round is complete once the interviewer reached its closing; before that, no band is earned.
    complete = any(t.role == "interviewer" and t.kind in ("closing", "farewell") for t in turns) or answered >= planned
    band = band_for(overall, wrong=wrong, unchecked=unchecked) if overall is not None and complete else None
    scorer = scorer_info(session.model, scores, rubric, semantic.available(), rubric.learned_reader and reader.available())
    strengths, improvements = highlights(rubric, criteria, questions, facts)
    current = HistoryPoint(
        session_id=session.id, created_at=session.created_at, score=overall,
        band=band.key if band else None, current=True, complete=complete,
    )
    return Report(
        disclaimer=DISCLAIMER,
        session=SessionInfo(
            id=session.id,
            persona_id=persona.id,
            interviewer=persona.name,
            role=persona.role,
            language=session.language,
            status=session.status,
            model=session.model,
            created_at=session.created_at,
            ended_at=session.ended_at,
            persona_hash=session.persona_hash,
            rubric_hash=session.rubric_hash,
        ),
        overall=Overall(
            score=overall,
            band=band,
            questions_asked=len(questions),
            questions_answered=answered,
            complete=complete,
            planned_questions=planned,
            unfinished=None if complete else f"unfinished: {answered} of {planned} planned questions",
            withheld=withheld,
            held=held,
        ),
        scorer=scorer,
        criteria=criteria,
        not_assessed=not_assessed(rubric, criteria, scorer),
        questions=questions,
        strengths=strengths,
        improvements=improvements,
        lessons=lessons.triggered_lessons([f for _, f in built], language=language),
        history=[*history, current],
        claims=_claims(session, questions),
        presentation=_presentation(persona, turns),
        usage=_usage(session, turns, usage),
    )


def _unchecked_content(rubric: Rubric, questions: list[QuestionResult], criteria: list[CriterionResult]) -> tuple[bool, str | None]:
    """Whether the content of some answer went unchecked offline (an algorithm the scorer has no
    facts for), and, when it went unchecked on every question, why no overall is given: an
    overall made of clarity alone would read as a judgement of the answers it never checked."""
    content = {c.id for c in rubric.criteria if c.offline == "content"}
    unchecked = [c for q in questions for c in q.not_assessed_offline if c.id in content]
    if not unchecked or any(c.id in content for c in criteria):
        return bool(unchecked), None
    names = list(dict.fromkeys(c.name.lower() for c in unchecked))
    said = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    return True, (
        f"No overall score: {said} could be checked offline on no answer (see why below), and the "
        "other scores say how the answers were put, not whether they are right."
    )


def render(report: Report, fmt: ReportFormat) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2)
    if fmt == "md":
        return render_markdown(report)
    return render_html(report)
