"""A session as the use cases read it: its view for clients, the state a turn needs (persona,
rubric and transcript, from this worker's caches), and the quick assessment of an answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from interviewer.assessment import scoring, semantic
from interviewer.assessment.turns import TurnView
from interviewer.catalog.personas import Persona
from interviewer.catalog.rubrics import Rubric
from interviewer.feedback import accounting
from interviewer.interview import transcripts
from interviewer.interview.errors import SessionNotFound
from interviewer.storage import queries
from interviewer.storage.tables import InterviewSession, JudgeCall, Turn


@dataclass(frozen=True)
class SessionView:
    session: InterviewSession
    persona: Persona
    rubric: Rubric
    turns: list[Turn]
    judge_calls: list[JudgeCall]

    @property
    def usage(self) -> accounting.Totals:
        """Every model call of the session: the interviewer's replies and the judge's calls."""
        return accounting.total([*(t for t in self.turns if t.role == "interviewer"), *self.judge_calls])


def turn_views(turns: list[Turn]) -> list[TurnView]:
    return [transcripts.view_of(t) for t in turns]


@dataclass(frozen=True)
class SessionState:
    """What a turn needs: the session row (without its snapshots), its parsed persona and rubric,
    and its transcript. Read in O(1) rows: the rest is kept in memory (see interview/transcripts.py)."""

    session: InterviewSession
    persona: Persona
    rubric: Rubric
    transcript: transcripts.Transcript

    @property
    def turns(self) -> list[Turn]:
        return list(self.transcript.turns)


def load_state(*, db: Session, session_id: str) -> SessionState:
    """The session's state; its objects are detached, so they outlive `db` and its commits.

    A session this worker knows costs one light statement (its status, end and last seq) when
    nothing changed; its row and new turns are read only when something did."""
    base = transcripts.known(session_id)
    held = transcripts.session_row(session_id)
    progress = queries.session_progress(db=db, session_id=session_id) if held is not None else None
    if held is not None and progress is not None and (progress.status, progress.ended_at) == (held.status, held.ended_at):
        session = held
        new = queries.list_turns(db=db, session_id=session_id, after_seq=base.last_seq) if progress.last_seq > base.last_seq else []
    else:
        found = queries.get_session(db=db, session_id=session_id)
        if found is None:
            transcripts.forget(session_id)
            raise SessionNotFound(session_id)
        session = found
        db.expunge(session)
        transcripts.remember_session(session)
        new = queries.list_turns(db=db, session_id=session_id, after_seq=base.last_seq)
    persona = transcripts.persona(session.persona_hash, lambda: queries.snapshot_text(db=db, snapshot_hash=session.persona_hash))
    rubric = transcripts.rubric(session.rubric_hash, lambda: queries.snapshot_text(db=db, snapshot_hash=session.rubric_hash))
    for turn in new:
        db.expunge(turn)
    return SessionState(session, persona, rubric, transcripts.extend(session_id, base, new))


def get_session(*, db: Session, session_id: str) -> SessionView:
    state = load_state(db=db, session_id=session_id)
    return SessionView(
        session=state.session, persona=state.persona, rubric=state.rubric, turns=state.turns,
        judge_calls=queries.list_judge_calls(db=db, session_id=session_id),
    )


def answers_to(turns: list[Turn], question_id: str, *, up_to: int | None = None) -> list[Turn]:
    """The candidate's answers to one question (its main answer and follow-up answers)."""
    return [t for t in turns if t.role == "candidate" and t.question_id == question_id and (up_to is None or t.seq <= up_to)]


def assess_answer(view: SessionView | SessionState, turns: list[Turn] | tuple[Turn, ...], answer: Turn) -> scoring.Assessment | None:
    """The answer's full assessment on its whole question thread (the scores), computed once per answer."""
    return _assessment(view, turns, answer, full=True)


def read_answer(view: SessionView | SessionState, turns: list[Turn] | tuple[Turn, ...], answer: Turn) -> scoring.Assessment | None:
    """The engine's quick reading of the answer: the same analysis without the embedding model, so the
    turn does not wait for it (the full assessment is made by background scoring, for the report)."""
    return _assessment(view, turns, answer, full=False)


def assess_thread(
    persona: Persona, rubric: Rubric, *, question_id: str, answers: list[str], latest: str, language: str, full: bool,
) -> scoring.Assessment:
    """The assessment of one answer from its question thread's texts: pure, so a scoring process
    can run it on what it is sent (interview/scorer_process.py)."""
    return scoring.assess(
        thread=scoring.merge_answers(answers, language),  # type: ignore[arg-type]
        latest=latest,
        question=persona.question(question_id),
        rubric=rubric,
        language=language,  # type: ignore[arg-type]
        min_words=persona.min_answer_words,
        use_model=full,
    )


def thread_texts(turns: list[Turn] | tuple[Turn, ...], answer: Turn) -> list[str]:
    """What the candidate said about the answer's question, up to and including it."""
    assert answer.question_id is not None
    return [t.content for t in answers_to(list(turns), answer.question_id, up_to=answer.seq)]


def _assessment(view: SessionView | SessionState, turns: list[Turn] | tuple[Turn, ...], answer: Turn, *, full: bool) -> scoring.Assessment | None:
    question_id = answer.question_id
    if question_id is None:
        return None
    if full and not semantic.available():
        full = False  # without the embedding model, the full assessment is the quick reading: made once

    def compute() -> scoring.Assessment:
        return assess_thread(
            view.persona, view.rubric, question_id=question_id, answers=thread_texts(turns, answer), latest=answer.content,
            language=answer.language, full=full,  # type: ignore[arg-type]
        )

    return transcripts.assessment(answer.session_id, answer.seq, compute, full=full)
