"""One answer at a time per session, held across the whole turn (store the answer, phrase the
reply, store the reply), so concurrent answers to one session wait their turn instead of failing.

Within a worker, an asyncio lock per session queues the waiters in arrival order without holding
any database connection. Across workers (`interviewer serve --workers N`) on PostgreSQL, the
holder also takes a transaction-level advisory lock on a connection of its own for the duration
of the turn; PostgreSQL releases it when the transaction ends, and also when a killed worker's
connection drops, so a crash never leaves a session locked. SQLite serves one worker: there the
per-worker lock is the whole story (its unique (session, seq) constraint still refuses a
duplicate turn from another process, as 409 Busy).
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field

import anyio
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine


def advisory_key(session_id: str) -> int:
    """A signed 64-bit key for pg_advisory_xact_lock, derived from the session id."""
    digest = hashlib.blake2b(f"interviewer-turn:{session_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class _Waiters:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    count: int = 0


class TurnLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions: dict[str, _Waiters] = {}

    async def acquire(self, session_id: str) -> TurnLock:
        """Wait for the session's turn; release the result with `await lock.release()`."""
        waiters = self._sessions.setdefault(session_id, _Waiters())
        waiters.count += 1
        try:
            await waiters.lock.acquire()
        except BaseException:
            self._leave(session_id, waiters)
            raise
        connection: Connection | None = None
        try:
            if self.engine.dialect.name == "postgresql":
                # Shielded: a connection holding the lock must never be dropped on the floor.
                with anyio.CancelScope(shield=True):
                    connection = await anyio.to_thread.run_sync(self._database_lock, session_id)
        except BaseException:
            waiters.lock.release()
            self._leave(session_id, waiters)
            raise
        return TurnLock(self, session_id, waiters, connection)

    def _database_lock(self, session_id: str) -> Connection:
        connection = self.engine.connect()
        try:
            # Held until the transaction ends: `release` closes the connection, which rolls back.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(session_id)})
        except BaseException:
            connection.close()
            raise
        return connection

    def _leave(self, session_id: str, waiters: _Waiters) -> None:
        waiters.count -= 1
        if waiters.count == 0 and self._sessions.get(session_id) is waiters:
            del self._sessions[session_id]


class TurnLock:
    def __init__(self, owner: TurnLocks, session_id: str, waiters: _Waiters, connection: Connection | None) -> None:
        self._owner, self._session_id, self._waiters, self._connection = owner, session_id, waiters, connection
        self._released = False

    async def release(self) -> None:
        """Let the next answer in (idempotent; safe in a cancelled task)."""
        if self._released:
            return
        self._released = True
        with anyio.CancelScope(shield=True):
            try:
                if self._connection is not None:
                    await anyio.to_thread.run_sync(self._connection.close)
            finally:
                self._waiters.lock.release()
                self._owner._leave(self._session_id, self._waiters)
