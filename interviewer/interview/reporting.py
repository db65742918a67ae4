"""Feedback use cases: score every answer still unscored (the lexical scorer offline, the judge
model otherwise) and build the report. Scores are derived data: they can always be rebuilt from
the transcript and the session's rubric snapshot.
"""

from __future__ import annotations

import hashlib
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy import delete
from sqlmodel import Session, select

from interviewer.assessment import judge, scoring
from interviewer.catalog.fields import Language
from interviewer.feedback import report
from interviewer.interview import transcripts
from interviewer.interview.state import (
    SessionState,
    SessionView,
    assess_answer,
    get_session,
    load_state,
    thread_texts,
)
from interviewer.models import calls
from interviewer.models import llm
from interviewer.ops.locks import KeyedLocks
from interviewer.storage import database
from interviewer.storage import queries
from interviewer.storage.tables import AnswerScore, JudgeCall, Turn


@dataclass(frozen=True)
class Unscored:
    """An answer to score: everything said about its question up to it."""

    turn_id: int
    question_id: str
    language: Language
    thread: str
    assessment: scoring.Assessment


def unscored(view: SessionView | SessionState, turn: Turn, assessment: scoring.Assessment | None = None) -> Unscored:
    assert turn.question_id is not None and turn.id is not None
    # Computed once per answer (the report reuses it); outside any global lock: a turn never waits for it.
    if assessment is None:
        assessment = assess_answer(view, view.turns, turn)
    assert assessment is not None
    thread = scoring.merge_answers(thread_texts(view.turns, turn), turn.language)  # type: ignore[arg-type]
    return Unscored(turn.id, turn.question_id, turn.language, thread, assessment)  # type: ignore[arg-type]


def unscored_answers(*, db: Session, session_id: str) -> tuple[SessionView, list[Unscored]]:
    """Every answer of the session without scores; ends its read transaction (no connection kept)."""
    view = get_session(db=db, session_id=session_id)
    scored = queries.scored_turn_ids(db=db, session_id=session_id)
    db.commit()
    items = [unscored(view, t) for t in view.turns if t.role == "candidate" and t.question_id is not None and t.id not in scored]
    return view, items


def unscored_turn(*, db: Session, session_id: str, seq: int) -> tuple[SessionState, Turn] | None:
    """One answer, if it still needs scores: what background scoring reads after a turn (O(1) rows)."""
    state = load_state(db=db, session_id=session_id)
    turn = next((t for t in state.transcript.turns if t.seq == seq), None)
    if turn is None or turn.role != "candidate" or turn.question_id is None or turn.id is None:
        db.commit()
        return None
    scored = queries.is_scored(db=db, turn_id=turn.id)
    db.commit()
    return None if scored else (state, turn)


def save_scores(
    *, db: Session, session_id: str, item: Unscored, scores: list[scoring.CriterionScore], model: str, usage: calls.Usage | None,
    replacing: bool = False,
) -> None:
    if usage is not None:
        db.add(JudgeCall(
            session_id=session_id, turn_id=item.turn_id, purpose="judge", model=usage.model, prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens, cost_usd=usage.cost_usd, latency_ms=usage.latency_ms,
            findings=getattr(usage, "findings", None),
        ))
    for s in scores:
        evidence, dropped = scoring.verify_evidence(s.evidence, item.thread)
        db.add(
            AnswerScore(
                session_id=session_id, turn_id=item.turn_id, question_id=item.question_id,
                criterion_id=s.criterion_id, score=max(1, min(5, s.score)), rationale=s.rationale.replace("\x00", ""),
                evidence=evidence, flagged=s.flagged or dropped, model=model, **provenance(s),
            )
        )
    try:
        with database.writing(db):
            if replacing:
                # Re-judged: the offline stand-in rows leave in the same transaction as the judge's arrive.
                with db.no_autoflush:
                    db.exec(delete(AnswerScore).where(AnswerScore.turn_id == item.turn_id))  # type: ignore[call-overload]
            db.commit()
    except IntegrityError:
        # Another worker scored this answer first (or the session is gone); its rows are as good as ours.
        db.rollback()


async def judge_unscored(
    models: llm.Models, view: SessionView | SessionState, item: Unscored
) -> tuple[list[scoring.CriterionScore], str, calls.Usage | None]:
    """Scores for one answer: the lexical scorer offline (free, nothing to account), the judge model
    otherwise, or the offline scorer marked as a fallback when the judge fails."""
    model = models.settings.judge
    if calls.is_offline(model):
        return item.assessment.scores, calls.OFFLINE, None
    return await judge_or_fallback(models, view, item)


# ---------------------------------------------------------------- judge -> offline fallback (issue 12)
# A failing judge never fails a report: the answer is scored offline, marked with the reason, and
# re-judged on a later report request once the judge answers again (bounded, with backoff).

REJUDGE_ATTEMPTS = 5
REJUDGE_BACKOFF_S = 30.0
# At most this many answers re-judged per report request, so a report never waits on a long backlog.
REJUDGE_PER_REQUEST = 8
# After a judge failure, skip the judge for this long (doubling per failure) instead of waiting on it per answer.
JUDGE_DOWN_S = 20.0


@dataclass
class JudgeBackoff:
    """One app's memory of judge failures: when to try the judge again, per model and per answer."""

    down: dict[str, tuple[float, int]] = field(default_factory=dict)
    rejudges: dict[int, tuple[int, float]] = field(default_factory=dict)


# Per `Models` (one per app), so two apps in one process (tests) never share a judge's failures.
_backoffs: weakref.WeakKeyDictionary[llm.Models, JudgeBackoff] = weakref.WeakKeyDictionary()


def backoff_of(models: llm.Models) -> JudgeBackoff:
    return _backoffs.setdefault(models, JudgeBackoff())


@dataclass(frozen=True)
class FallbackScore:
    """An offline score standing in for the judge's: stored with `scored_by: offline` and why."""

    criterion_id: str
    score: int
    rationale: str
    evidence: list[str]
    flagged: bool
    reason: str
    assessed: bool = True
    scored_by: str = "offline"


def provenance(score: object) -> dict[str, object]:
    """The columns that say where a score came from (judge or offline, and why) and how sure it is."""
    judged = isinstance(score, judge.JudgedScore)
    return {
        "scored_by": "judge" if judged else "offline",
        "reason": getattr(score, "reason", None),
        "exact_score": getattr(score, "exact", None),
        "spread": getattr(score, "spread", None),
        "assessed": getattr(score, "assessed", True),
    }


def _fallback(item: Unscored, reason: str) -> list[FallbackScore]:
    return [
        FallbackScore(
            criterion_id=s.criterion_id, score=s.score, rationale=s.rationale, evidence=s.evidence, flagged=s.flagged,
            reason=reason, assessed=getattr(s, "assessed", True),
        )
        for s in item.assessment.scores
    ]


def _judge_is_down(models: llm.Models, model: str) -> str | None:
    until, _ = backoff_of(models).down.get(model, (0.0, 0))
    return f"the judge model '{model}' failed moments ago" if time.monotonic() < until else None


def _mark_down(models: llm.Models, model: str) -> None:
    down = backoff_of(models).down
    _, failures = down.get(model, (0.0, 0))
    down[model] = (time.monotonic() + min(JUDGE_DOWN_S * 2**failures, 600.0), failures + 1)


async def judge_or_fallback(
    models: llm.Models, view: SessionView | SessionState, item: Unscored
) -> tuple[list[judge.JudgedScore] | list[FallbackScore], str, calls.Usage | None]:
    """The judge's scores, or the offline scorer's marked with the judge's failure; never an error."""
    model = models.settings.judge
    if (down := _judge_is_down(models, model)) is not None:
        return _fallback(item, f"{down}; scored offline, to be judged again later"), calls.OFFLINE, None
    try:
        verdict = await judge.judge_answer(
            models, persona=view.persona, rubric=view.rubric, question_id=item.question_id, thread=item.thread, language=item.language
        )
    except llm.ModelError as exc:
        if not isinstance(exc, judge.JudgeUnusable):
            _mark_down(models, model)
        llm.log.warning("judging turn %s failed (%s); scored offline", item.turn_id, exc)
        return _fallback(item, f"{exc}; scored offline, to be judged again later"), calls.OFFLINE, None
    except Exception as exc:  # a bug in judging must cost the candidate nothing: offline scores stand in
        llm.log.exception("judging turn %s failed; scored offline", item.turn_id)
        return _fallback(item, f"the judge failed ({type(exc).__name__}); scored offline"), calls.OFFLINE, None
    backoff_of(models).down.pop(model, None)
    return verdict.scores, model, verdict.usage


def _replace_scores(*, db: Session, session_id: str, item: Unscored, scores: list[judge.JudgedScore], model: str, usage: calls.Usage) -> None:
    """Swap an answer's offline fallback scores for the judge's, in one transaction."""
    save_scores(db=db, session_id=session_id, item=item, scores=scores, model=model, usage=usage, replacing=True)  # type: ignore[arg-type]


async def rejudge_fallbacks(*, db: Session, models: llm.Models, session_id: str) -> int:
    """Judge again the answers the offline scorer stood in for, when due; a failure keeps their offline scores."""
    model = models.settings.judge
    if calls.is_offline(model) or _judge_is_down(models, model):
        return 0
    rejudges = backoff_of(models).rejudges

    def due() -> tuple[SessionView, list[Unscored]]:
        view = get_session(db=db, session_id=session_id)
        turn_ids = set(db.exec(
            select(AnswerScore.turn_id).where(AnswerScore.session_id == session_id, AnswerScore.scored_by == "offline", AnswerScore.reason.is_not(None))  # type: ignore[union-attr]
        ))
        db.commit()
        now = time.monotonic()
        ready = [t for t in view.turns if t.id in turn_ids and rejudges.get(t.id, (0, 0.0))[1] <= now and rejudges.get(t.id, (0, 0.0))[0] < REJUDGE_ATTEMPTS]  # type: ignore[arg-type]
        return view, [unscored(view, t) for t in ready[:REJUDGE_PER_REQUEST]]

    view, items = await anyio.to_thread.run_sync(due)
    done = 0
    for item in items:
        scores, used, usage = await judge_or_fallback(models, view, item)
        if used == calls.OFFLINE or usage is None:
            attempts = rejudges.get(item.turn_id, (0, 0.0))[0] + 1
            rejudges[item.turn_id] = (attempts, time.monotonic() + REJUDGE_BACKOFF_S * 2 ** (attempts - 1))
            break  # the judge is still failing: the rest waits for a later request
        rejudges.pop(item.turn_id, None)
        await anyio.to_thread.run_sync(
            lambda: _replace_scores(db=db, session_id=session_id, item=item, scores=scores, model=used, usage=usage)  # type: ignore[arg-type]
        )
        done += 1
    return done


async def score_pending(*, db: Session, models: llm.Models, session_id: str) -> int:
    """Score every answer that has no scores yet; database steps run in a worker thread, and no
    transaction stays open while the judge thinks."""
    view, items = await anyio.to_thread.run_sync(lambda: unscored_answers(db=db, session_id=session_id))
    for item in items:
        scores, model, usage = await judge_unscored(models, view, item)
        await anyio.to_thread.run_sync(
            lambda: save_scores(db=db, session_id=session_id, item=item, scores=scores, model=model, usage=usage)
        )
    await rejudge_fallbacks(db=db, models=models, session_id=session_id)
    return len(items)


def _code_version() -> str:
    """The report's own code: a new version rebuilds every stored report once."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (report, scoring, judge):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


_CODE_VERSION: list[str] = []
# Parsed stored reports, by (session id, inputs): a repeated GET neither rebuilds nor re-validates.
_reports: transcripts.Lru[tuple[str, str], report.Report] = transcripts.Lru(256)


def report_inputs(*, db: Session, view: SessionView) -> str:
    if not _CODE_VERSION:
        _CODE_VERSION.append(_code_version())
    s = view.session
    raw = queries.report_inputs(db=db, session_id=s.id, persona_id=s.persona_id, created_before=s.created_at, user_id=s.user_id, mode=s.mode)
    return hashlib.blake2b(f"{_CODE_VERSION[0]}|{raw}".encode(), digest_size=16).hexdigest()


def current_report(*, db: Session, session_id: str) -> report.Report:
    """The stored report when nothing it was built from has changed; otherwise built and stored."""
    view = get_session(db=db, session_id=session_id)
    inputs = report_inputs(db=db, view=view)
    cached = _reports.get((session_id, inputs))
    if cached is not None:
        db.commit()
        return cached
    stored = queries.stored_report(db=db, session_id=session_id)
    if stored is not None and stored.inputs == inputs:
        try:
            content = report.Report.model_validate(stored.content)
        except ValueError:
            content = build_report(db=db, session_id=session_id, view=view, inputs=inputs)
    else:
        content = build_report(db=db, session_id=session_id, view=view, inputs=inputs)
    db.commit()
    _reports.put((session_id, inputs), content)
    return content


async def report_for(*, engine: Engine, models: llm.Models, locks: KeyedLocks, session_id: str, judge_answers: bool = True) -> report.Report:
    """The session's report, built at most once at a time per session (in this worker and across
    workers), so concurrent first builds wait for one build and every answer is judged once."""
    async with locks.hold(session_id):
        if judge_answers:
            with Session(engine) as db:
                await score_pending(db=db, models=models, session_id=session_id)

        def current() -> report.Report:
            with Session(engine) as db:
                return current_report(db=db, session_id=session_id)

        return await anyio.to_thread.run_sync(current)


def build_report(*, db: Session, session_id: str, view: SessionView | None = None, inputs: str | None = None) -> report.Report:
    """Build the report from the stored scores and store it (score first with `score_pending`)."""
    view = view or get_session(db=db, session_id=session_id)
    # Read before the scores, so a score stored meanwhile makes the next GET build again.
    inputs = inputs or report_inputs(db=db, view=view)
    # The progress chart: the stored report of each earlier session of the same round.
    past = queries.list_round_reports(
        db=db, persona_id=view.session.persona_id, created_before=view.session.created_at, user_id=view.session.user_id,
        mode=view.session.mode,
    )
    scores = queries.list_scores(db=db, session_id=session_id)
    content = report.build_report(
        session=view.session,
        persona=view.persona,
        rubric=view.rubric,
        turns=view.turns,
        scores=scores,
        usage=view.usage,
        history=[p for s, r in past if (p := report.history_point(session=s, content=r.content))],
        # The latest judge call per answer says which key points it covered and which misconceptions it stated.
        judge_findings={c.turn_id: c.findings for c in view.judge_calls if c.turn_id is not None and c.findings},
    )
    with database.writing(db):
        db.rollback()  # the reads above end here; the upsert is a write transaction of its own
        queries.save_report(db=db, session_id=session_id, content=content.model_dump(mode="json"), inputs=inputs)
    return content
