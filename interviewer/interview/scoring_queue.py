"""Background scoring: after a turn's reply is out, its answer is scored off the critical path.

At most one scorer per session at a time (the same per-session lock as report builds, so an
answer is judged once), and at most `concurrency` scorers in the worker: the others queue, so
scoring under load yields to turns; their CPU work runs at the lowest priority, in a scoring
process (interview/scorer_process.py) or, with `scoring_processes` = 0, in threads. A scorer
reads and scores only its new answer. Anything left unscored (a failed judge, a shutdown) is
scored by the next report build.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import anyio

from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer.interview import reporting as feedback
from interviewer.interview.errors import SessionNotFound
from interviewer.assessment import scoring
from interviewer.interview import scorer_process, transcripts
from interviewer.interview.scorer_process import ScorerProcesses
from interviewer.interview.state import SessionState, thread_texts
from interviewer.models import llm
from interviewer.ops.locks import Contended, KeyedLocks
from interviewer.storage import queries
from interviewer.storage.tables import Turn

log = logging.getLogger("interviewer.scoring")
T = TypeVar("T")


def _lower_priority() -> None:
    """Run this thread at the lowest CPU priority (Linux: niceness is per thread): the full
    assessment (the embedding model releases the GIL) takes only the CPU that turns leave."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: scoring still runs, at normal priority
        log.debug("scoring threads keep their priority: %s", exc)


class ScoringQueue:
    def __init__(self, *, engine: Engine, models: llm.Models, locks: KeyedLocks, concurrency: int, processes: int = 0) -> None:
        self.engine, self.models, self.locks = engine, models, locks
        # The full assessment in child processes (interview/scorer_process.py), or in the threads below.
        self._processes = ScorerProcesses(processes) if processes else None
        self._slots = asyncio.Semaphore(concurrency)
        # Scorers' CPU work runs in threads of their own, at low priority, not in the request threads.
        self._threads = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scoring", initializer=_lower_priority)
        # Held so a task is not garbage-collected before it runs, and so shutdown can cancel them.
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, session_id: str, seq: int) -> None:
        """Score the answer at `seq` soon; returns at once."""
        task = asyncio.get_running_loop().create_task(self._score(session_id, seq))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Start the scoring processes, if any, with their models loaded (the server's start-up)."""
        if self._processes is not None:
            await self._processes.start()

    @property
    def processes_started(self) -> bool:
        """Whether a scoring process has been started (at start-up, or on the first answer scored)."""
        return self._processes is not None and self._processes.started

    @property
    def pending(self) -> int:
        """Answers queued or being scored."""
        return len(self._tasks)

    async def _score(self, session_id: str, seq: int) -> None:
        try:
            async with self._slots, self.locks.hold(session_id):
                await score_answer(
                    engine=self.engine, models=self.models, session_id=session_id, seq=seq, executor=self._threads, processes=self._processes,
                )
        except llm.ModelError as exc:
            log.warning("background scoring of %s failed (%s); the report will retry", session_id, exc)
        except (SessionNotFound, Contended) as exc:
            # Deleted meanwhile, or being scored by another worker's report build: nothing left to do here.
            log.debug("background scoring of %s skipped: %s", session_id, type(exc).__name__)
        except Exception:
            log.exception("background scoring of %s failed; the report will retry", session_id)

    async def drain(self) -> None:
        """Wait until every queued answer is scored (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Abandon queued scoring at shutdown: scores are derived data, rebuilt by the next report."""
        loop = asyncio.get_running_loop()
        # A test client may have served earlier requests from another event loop: cancel those
        # tasks in their own loop, and wait only for this loop's.
        mine = [task for task in self._tasks if task.get_loop() is loop]
        for task in list(self._tasks):
            if task.get_loop() is loop:
                task.cancel()
            elif not task.get_loop().is_closed():
                task.get_loop().call_soon_threadsafe(task.cancel)
        await asyncio.gather(*mine, return_exceptions=True)
        # A scorer already running finishes its one assessment in its thread; nothing waits for it.
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._processes is not None:
            self._processes.close()


async def score_answer(
    *, engine: Engine, models: llm.Models, session_id: str, seq: int, executor: Executor | None = None,
    processes: ScorerProcesses | None = None,
) -> bool:
    """Score one new answer (background scoring after its turn); False when there was nothing to do.
    `executor`: where its database reads run (by default anyio's worker threads); `processes`:
    where its full assessment runs (by default in those threads too)."""
    loop = asyncio.get_running_loop()

    def in_thread(step: Callable[[], T]) -> Awaitable[T]:
        return anyio.to_thread.run_sync(step) if executor is None else loop.run_in_executor(executor, step)

    def read() -> tuple[SessionState, Turn] | None:
        with Session(engine) as db:
            return feedback.unscored_turn(db=db, session_id=session_id, seq=seq)

    found = await in_thread(read)
    if found is None:
        return False
    state, turn = found
    assessment = await _assessed(engine, state, turn, processes, in_thread) if processes is not None else None
    # Made in a scoring process, the assessment leaves only the texts to join; otherwise it is made now, in a thread.
    item = feedback.unscored(state, turn, assessment) if assessment is not None else await in_thread(lambda: feedback.unscored(state, turn))
    scores, model, usage = await feedback.judge_unscored(models, state, item)

    def save() -> None:
        with Session(engine) as db:
            feedback.save_scores(db=db, session_id=session_id, item=item, scores=scores, model=model, usage=usage)

    await anyio.to_thread.run_sync(save)
    return True


async def _assessed(
    engine: Engine, state: SessionState, turn: Turn, processes: ScorerProcesses, in_thread: Callable[[Callable[[], T]], Awaitable[T]],
) -> scoring.Assessment | None:
    """The answer's full assessment made in a scoring process and kept like one made here; None
    when the process died (the caller makes it in a thread)."""
    session = state.session
    assert turn.question_id is not None
    job = scorer_process.Job(
        persona_hash=session.persona_hash, rubric_hash=session.rubric_hash, question_id=turn.question_id,
        answers=thread_texts(state.turns, turn), latest=turn.content, language=turn.language,
    )

    def snapshots() -> tuple[str, str]:
        with Session(engine) as db:
            return (
                queries.snapshot_text(db=db, snapshot_hash=session.persona_hash),
                queries.snapshot_text(db=db, snapshot_hash=session.rubric_hash),
            )

    try:
        assessed = await processes.assess(job, lambda: in_thread(snapshots))
    except BrokenProcessPool:
        return None
    return transcripts.assessment(turn.session_id, turn.seq, lambda: assessed.assessment, full=assessed.full)
