"""Feedback use cases: score every answer still unscored (the lexical scorer offline, the judge
model otherwise) and build the report. Scores are derived data: they can always be rebuilt from
the transcript and the session's rubric snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from interviewer import judge, llm, report, scoring, store
from interviewer.catalog import Language
from interviewer.service import SessionView, answers_to, assess_answer, get_session
from interviewer.store import AnswerScore, JudgeCall

@dataclass(frozen=True)
class Unscored:
    """An answer to score: everything said about its question up to it."""

    turn_id: int
    question_id: str
    language: Language
    thread: str
    assessment: scoring.Assessment


def unscored_answers(*, db: Session, session_id: str) -> tuple[SessionView, list[Unscored]]:
    view = get_session(db=db, session_id=session_id)
    scored = {s.turn_id for s in store.list_scores(db=db, session_id=session_id)}
    items: list[Unscored] = []
    for turn in view.turns:
        if turn.role != "candidate" or turn.question_id is None or turn.id in scored:
            continue
        assessment = assess_answer(view, view.turns, turn)
        assert assessment is not None and turn.id is not None
        thread = scoring.merge_answers([t.content for t in answers_to(view.turns, turn.question_id, up_to=turn.seq)], turn.language)  # type: ignore[arg-type]
        items.append(Unscored(turn.id, turn.question_id, turn.language, thread, assessment))  # type: ignore[arg-type]
    return view, items


def save_scores(
    *, db: Session, session_id: str, item: Unscored, scores: list[scoring.CriterionScore], model: str, usage: llm.Usage | None
) -> None:
    if usage is not None:
        db.add(JudgeCall(
            session_id=session_id, turn_id=item.turn_id, model=usage.model, prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens, cost_usd=usage.cost_usd, latency_ms=usage.latency_ms,
        ))
    for s in scores:
        evidence, dropped = scoring.verify_evidence(s.evidence, item.thread)
        db.add(
            AnswerScore(
                session_id=session_id, turn_id=item.turn_id, question_id=item.question_id,
                criterion_id=s.criterion_id, score=max(1, min(5, s.score)), rationale=s.rationale.replace("\x00", ""),
                evidence=evidence, flagged=s.flagged or dropped, model=model,
            )
        )
    try:
        db.commit()
    except IntegrityError:
        # Another worker scored this answer first; its rows are as good as ours.
        db.rollback()


async def judge_unscored(
    models: llm.Models, view: SessionView, item: Unscored
) -> tuple[list[scoring.CriterionScore], str, llm.Usage | None]:
    """Scores for one answer: the lexical scorer offline (free, nothing to account), the judge model otherwise."""
    model = models.settings.judge
    if llm.is_offline(model):
        return item.assessment.scores, llm.OFFLINE, None
    scores, usage = await judge.judge_answer(
        models, persona=view.persona, rubric=view.rubric, question_id=item.question_id, thread=item.thread, language=item.language
    )
    return scores, model, usage


async def score_pending(*, db: Session, models: llm.Models, session_id: str) -> int:
    """Score every answer that has no scores yet; database steps run in a worker thread."""
    view, items = await anyio.to_thread.run_sync(lambda: unscored_answers(db=db, session_id=session_id))
    for item in items:
        scores, model, usage = await judge_unscored(models, view, item)
        await anyio.to_thread.run_sync(
            lambda: save_scores(db=db, session_id=session_id, item=item, scores=scores, model=model, usage=usage)
        )
    return len(items)


def build_report(*, db: Session, session_id: str) -> report.Report:
    """Build the report from the stored scores and store it (score first with `score_pending`)."""
    view = get_session(db=db, session_id=session_id)
    # The progress chart: the stored report of each earlier session of the same round.
    past = store.list_round_reports(
        db=db, persona_id=view.session.persona_id, created_before=view.session.created_at, user_id=view.session.user_id
    )
    content = report.build_report(
        session=view.session,
        persona=view.persona,
        rubric=view.rubric,
        turns=view.turns,
        scores=store.list_scores(db=db, session_id=session_id),
        usage=view.usage,
        history=[p for s, r in past if (p := report.history_point(session=s, content=r.content))],
    )
    store.save_report(db=db, session_id=session_id, content=content.model_dump(mode="json"))
    return content
