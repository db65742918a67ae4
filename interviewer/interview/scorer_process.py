"""Background scoring's CPU work in a child process, so that it never holds the worker's GIL.

The full assessment of a new answer (the lexical scorer, the learned reader, the embedding model)
takes about 50 ms on a 2-core machine (p50 46 ms), half of it or more in Python that holds the GIL
(onnxruntime releases it). Run in a thread of the web worker, it holds the worker's GIL in slices
of 5 ms, and a turn that arrives meanwhile waits for them: nice 19 lowers a thread's share of the
CPU, not of the GIL. In a child process at the lowest CPU priority it takes only the CPU that turns
leave, on a core of its own when there is one (bench/README.md, "Scoring in a process of its own").

A job carries the texts of the answer's question thread and the hashes of the session's persona
and rubric snapshots. The child parses a snapshot once per hash (the same caches as the worker's,
interview/transcripts.py); the snapshots' JSON (a rubric is close to a megabyte) is sent only
when the child says it has not seen that hash yet.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from interviewer.assessment import reader, scoring, semantic
from interviewer.interview import transcripts
from interviewer.interview.state import assess_thread

log = logging.getLogger("interviewer.scoring")


@dataclass(frozen=True)
class Job:
    persona_hash: str
    rubric_hash: str
    question_id: str
    answers: list[str]
    latest: str
    language: str
    # The snapshots' JSON: sent again only when the child answered `Unknown` for these hashes.
    persona_json: str | None = None
    rubric_json: str | None = None


@dataclass(frozen=True)
class Unknown:
    """The child has not parsed this job's snapshots yet: send them."""


@dataclass(frozen=True)
class Assessed:
    assessment: scoring.Assessment
    # False when the embedding model is off in the child: the assessment is then the quick reading.
    full: bool


def _start_child() -> None:
    """The child takes only the CPU that the web worker leaves, and exits with it: a worker killed
    without shutting its pool down (SIGKILL, a crash) leaves no scoring process behind."""
    # Ctrl-C goes to the whole process group: the worker shuts the child down, and the child
    # exits with the worker anyway (below); it would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    except (AttributeError, OSError) as exc:  # not allowed here: the child still runs, at normal priority
        log.debug("the scoring process keeps its priority: %s", exc)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True, name="parent-watch").start()


def _exit_with(parent_sentinel: int) -> None:
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(0)


def run(job: Job) -> Assessed | Unknown:
    """In the child: assess the answer from its job alone."""
    if job.persona_json is None or job.rubric_json is None:
        if not transcripts.knows_snapshots(job.persona_hash, job.rubric_hash):
            return Unknown()
    # Parsed once per hash: read only on a miss, which only a job carrying its snapshots reaches.
    persona = transcripts.persona(job.persona_hash, lambda: job.persona_json or "")
    rubric = transcripts.rubric(job.rubric_hash, lambda: job.rubric_json or "")
    full = semantic.available()
    assessment = assess_thread(
        persona, rubric, question_id=job.question_id, answers=job.answers, latest=job.latest,
        language=job.language, full=full,
    )
    return Assessed(assessment, full)


def _load_models() -> bool:
    """In the child: load the embedding model and the learned reader now (True when both are there)."""
    return semantic.available() and reader.available()


class ScorerProcesses:
    """A pool of `size` scoring processes, started with the server or on first use (spawned: the worker has threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool: ProcessPoolExecutor | None = None
        self._warned = False
        # Why processes cannot start on this machine, once found: never tried again.
        self._cannot: str | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def _executor(self) -> ProcessPoolExecutor:
        if self._cannot is not None:
            raise BrokenProcessPool(self._cannot)
        if self._pool is None:
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.size, mp_context=multiprocessing.get_context("spawn"), initializer=_start_child
                )
            # What multiprocessing raises without working semaphores: OSError (ENOSYS), NotImplementedError
            # (its system-limits check), ImportError (multiprocessing.synchronize without sem_open).
            except (OSError, NotImplementedError, ImportError) as exc:
                # No process pools here (a sandbox without shared-memory semaphores): threads it is, for good.
                self._cannot = f"scoring processes cannot start here ({type(exc).__name__}: {exc})"
                log.warning("%s; background scoring runs in the worker's threads", self._cannot)
                raise BrokenProcessPool(self._cannot) from exc
        return self._pool

    async def start(self) -> None:
        """Start the processes and load their models now, at start-up: left to the first answers, a
        child spends seconds importing and loading them while the first turns of a class queue up."""
        loop = asyncio.get_running_loop()
        try:
            pool = self._executor()
            # One job per process: a pool with no idle process starts a new one for each.
            loaded = await asyncio.gather(*(loop.run_in_executor(pool, _load_models) for _ in range(self.size)))
        except BrokenProcessPool as exc:
            if self._cannot is None:  # a child died at start: the first answer starts a new one
                log.warning("a scoring process did not start (%s); the first answer starts a new one", exc)
                self.close()
            return
        if not all(loaded):
            self._warn_lexical_only()

    async def assess(self, job: Job, snapshots: Callable[[], Awaitable[tuple[str, str]]]) -> Assessed:
        """The job's assessment; `snapshots` reads the (persona, rubric) JSON when the child needs them.
        Raises BrokenProcessPool when the child died (the caller assesses in a thread instead)."""
        loop = asyncio.get_running_loop()
        pool = self._executor()  # raises BrokenProcessPool where processes cannot start
        try:
            result = await loop.run_in_executor(pool, run, job)
            if isinstance(result, Unknown):
                persona_json, rubric_json = await snapshots()
                result = await loop.run_in_executor(pool, run, replace(job, persona_json=persona_json, rubric_json=rubric_json))
        except BrokenProcessPool:
            log.warning("a scoring process died; the next answer starts a new one")
            if self._pool is pool:  # not a newer pool that another scorer started meanwhile
                self.close()
            raise
        if not isinstance(result, Assessed):
            raise RuntimeError("a scoring process asked again for snapshots it was sent")
        if not result.full:
            self._warn_lexical_only()
        return result

    def _warn_lexical_only(self) -> None:
        if not self._warned:
            self._warned = True
            log.warning("the scoring process has no embedding model: background scores use the lexical signals only")

    def close(self) -> None:
        """Stop the processes without waiting here: a scorer cut short is redone by the next report
        build. (At interpreter exit, concurrent.futures still waits for a job already running.)"""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
