"""The worker's threads: store steps on the default pool (INTERVIEWER_THREADS, set at start-up),
and long reads (a document parsed, a take-home's claims extracted) on a few threads of their own,
so that uploads never hold the threads turns are stored in."""

from __future__ import annotations

import anyio
from anyio.lowlevel import RunVar

LONG_READERS = 4

_long_readers: RunVar[anyio.CapacityLimiter] = RunVar("long_readers")


def long_reads() -> anyio.CapacityLimiter:
    """The limiter for work that may take seconds; one per event loop (a test client runs several)."""
    limiter = _long_readers.get(None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(LONG_READERS)
        _long_readers.set(limiter)
    return limiter
