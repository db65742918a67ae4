"""Background scoring's full assessment made in a scoring process gives the scores that the worker
itself would give, and a scoring process that dies costs no answer its scores."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import uuid
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from interviewer.api.app import create_app
from interviewer.assessment import semantic
from interviewer.catalog.loading import Catalog
from interviewer.interview import scorer_process
from interviewer.interview.scorer_process import Assessed, Job, ScorerProcesses, Unknown
from interviewer.interview.state import assess_thread, get_session, thread_texts
from interviewer.ops.settings import Settings
from interviewer.storage import migrations
from interviewer.storage.database import make_engine
from interviewer.storage.tables import AnswerScore

from tests.support.interviews import settled

ANSWERS = [
    "Overfitting is when a model learns the noise of its training set: it does well on the training data and badly on new "
    "data. I see it when the validation loss rises while the training loss keeps falling, and I fight it with "
    "regularisation, more data or early stopping.",
    "Concretely, on my last project I added weight decay and stopped training at the best validation epoch, which closed "
    "most of the gap between training and validation accuracy.",
]


def _job(catalog: Catalog, **texts: str) -> Job:
    persona = catalog.persona("technical-ml")
    question = persona.questions[0]
    # Hashes of their own: this process's caches may already know the catalog's snapshots.
    return Job(
        persona_hash=f"persona-{uuid.uuid4()}", rubric_hash=f"rubric-{uuid.uuid4()}", question_id=question.id,
        answers=ANSWERS[:1], latest=ANSWERS[0], language="en", **texts,
    )


def test_a_job_asks_for_its_snapshots_once_then_is_assessed_as_here(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    rubric = catalog.rubric_for(persona)
    job = _job(catalog)
    assert isinstance(scorer_process.run(job), Unknown), "snapshots never sent: the child says so instead of guessing"

    sent = Job(**{**job.__dict__, "persona_json": persona.model_dump_json(), "rubric_json": rubric.model_dump_json()})
    result = scorer_process.run(sent)
    assert isinstance(result, Assessed)
    here = assess_thread(persona, rubric, question_id=job.question_id, answers=job.answers, latest=job.latest, language="en", full=result.full)
    assert result.assessment == here
    assert scorer_process.run(job) == result, "the snapshots are parsed once per hash: the next job needs only the hashes"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'interviewer.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


def _interview(client: TestClient) -> str:
    created = client.post("/api/sessions", json={"persona_id": "technical-ml"})
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    for answer in ANSWERS:
        response = client.post(f"/api/sessions/{session_id}/answers", json={"content": answer})
        assert response.status_code == 200, response.text
    settled(client)
    return session_id


def _stored_against_here(url: str, session_id: str) -> Iterator[tuple[tuple[str, int, str], tuple[str, int, str]]]:
    """Each stored score next to the one this process makes of the same answer."""
    engine = make_engine(url)
    with Session(engine) as db:
        view = get_session(db=db, session_id=session_id)
        rows = db.exec(select(AnswerScore).where(AnswerScore.session_id == session_id)).all()
        assert {r.turn_id for r in rows} == {t.id for t in view.turns if t.role == "candidate"}, "every answer is scored"
        for row in rows:
            turn = next(t for t in view.turns if t.id == row.turn_id)
            here = assess_thread(
                view.persona, view.rubric, question_id=turn.question_id, answers=thread_texts(view.turns, turn),  # type: ignore[arg-type]
                latest=turn.content, language=turn.language, full=semantic.available(),
            )
            mine = next(s for s in here.scores if s.criterion_id == row.criterion_id)
            yield (row.criterion_id, row.score, row.rationale), (mine.criterion_id, mine.score, mine.rationale)
    engine.dispose()


def test_answers_scored_in_a_scoring_process_get_the_scores_made_here(sqlite_url: str) -> None:
    with TestClient(create_app(Settings(database_url=sqlite_url, model="offline", scoring_processes=1))) as client:
        session_id = _interview(client)
        assert client.app.state.scoring.processes_started  # type: ignore[attr-defined]
    pairs = list(_stored_against_here(sqlite_url, session_id))
    assert pairs and all(stored == here for stored, here in pairs)


def test_a_scoring_process_that_dies_costs_no_answer_its_scores(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def dies(self: ScorerProcesses, job: Job, snapshots: object) -> Assessed:
        raise BrokenProcessPool("killed")

    monkeypatch.setattr(ScorerProcesses, "assess", dies)
    with TestClient(create_app(Settings(database_url=sqlite_url, model="offline", scoring_processes=1))) as client:
        session_id = _interview(client)
    pairs = list(_stored_against_here(sqlite_url, session_id))
    assert pairs and all(stored == here for stored, here in pairs)


def test_a_killed_scoring_process_fails_its_job_and_the_next_job_starts_a_new_one(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    rubric = catalog.rubric_for(persona)
    job = _job(catalog)

    async def snapshots() -> tuple[str, str]:
        return persona.model_dump_json(), rubric.model_dump_json()

    async def scenario(processes: ScorerProcesses) -> tuple[Assessed, Assessed]:
        before = await processes.assess(job, snapshots)  # a new child: asks for the snapshots, then assesses
        for child in multiprocessing.active_children():
            os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
            child.join(10)
        with pytest.raises(BrokenProcessPool):
            await processes.assess(job, snapshots)
        return before, await processes.assess(job, snapshots)

    processes = ScorerProcesses(1)
    try:
        before, after = asyncio.run(scenario(processes))
    finally:
        processes.close()
    assert after == before


def test_where_processes_cannot_start_answers_are_scored_in_threads(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pools(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # as in a sandbox without shared-memory semaphores

    monkeypatch.setattr(scorer_process, "ProcessPoolExecutor", no_pools)
    with TestClient(create_app(Settings(database_url=sqlite_url, model="offline", scoring_processes=1))) as client:
        session_id = _interview(client)
        assert not client.app.state.scoring.processes_started  # type: ignore[attr-defined]
    pairs = list(_stored_against_here(sqlite_url, session_id))
    assert pairs and all(stored == here for stored, here in pairs)
