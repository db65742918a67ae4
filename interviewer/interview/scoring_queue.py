"""Background scoring: after a turn's reply is out, its answer is scored off the critical path.

At most one scorer per session at a time (the same per-session lock as report builds, so an
answer is judged once), and at most `concurrency` scorers in the worker: the others queue, so
scoring under load yields to turns; their CPU work runs in threads of lowest priority. A scorer
reads and scores only its new answer. Anything left unscored (a failed judge, a shutdown) is
scored by the next report build.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine

from interviewer.interview import reporting as feedback
from interviewer.interview.errors import SessionNotFound
from interviewer.models import llm
from interviewer.ops.locks import Contended, KeyedLocks

log = logging.getLogger("interviewer.scoring")


def _lower_priority() -> None:
    """Run this thread at the lowest CPU priority (Linux: niceness is per thread): the full
    assessment (the embedding model releases the GIL) takes only the CPU that turns leave."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError) as exc:  # not Linux, or not allowed: scoring still runs, at normal priority
        log.debug("scoring threads keep their priority: %s", exc)


class ScoringQueue:
    def __init__(self, *, engine: Engine, models: llm.Models, locks: KeyedLocks, concurrency: int) -> None:
        self.engine, self.models, self.locks = engine, models, locks
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

    @property
    def pending(self) -> int:
        """Answers queued or being scored."""
        return len(self._tasks)

    async def _score(self, session_id: str, seq: int) -> None:
        try:
            async with self._slots, self.locks.hold(session_id):
                await feedback.score_answer(engine=self.engine, models=self.models, session_id=session_id, seq=seq, executor=self._threads)
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
