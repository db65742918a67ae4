"""One piece of work at a time per key: one answer per session across its whole turn (store the
answer, phrase the reply, store the reply), one scorer or report build per session. Concurrent
callers wait their turn, in arrival order, instead of failing.

Within a worker, an asyncio lock per key queues the waiters without holding any database
connection. Across workers (`interviewer serve --workers N`, PostgreSQL only) the holder also
takes a claim row (table `claim`): a lease taken and released in short transactions, so no
connection or transaction stays open while a model thinks. A worker that dies holding a claim
leaves it to expire after its lease; the next waiter then takes it over. SQLite serves one worker,
so there the per-worker lock is the whole story (its unique (session, seq) constraint still refuses
a duplicate turn from another process, as 409 Busy).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anyio
from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Engine

from interviewer.storage import tables as store
from interviewer.storage.tables import Claim

# Polling for a claim another worker holds: quick at first, then at most this often.
POLL_FIRST_S = 0.005
POLL_MAX_S = 0.1


class Contended(Exception):
    """A claim stayed held by another worker for longer than the caller would wait."""


@dataclass
class _Waiters:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    count: int = 0


def _claim_statements() -> tuple[Any, Any]:
    """The take and release statements, built once: building them per call was half a claim's CPU."""
    table = Claim.__table__  # type: ignore[attr-defined]
    insert = postgresql_insert(table).values(
        name=bindparam("claim_name"), owner=bindparam("claim_owner"), expires_at=bindparam("claim_expires", type_=table.c.expires_at.type)
    )
    take = insert.on_conflict_do_update(
        index_elements=["name"],
        set_={"owner": insert.excluded.owner, "expires_at": insert.excluded.expires_at},
        where=table.c.expires_at < bindparam("claim_moment", type_=table.c.expires_at.type),
    ).returning(table.c.owner)
    release = delete(table).where(table.c.name == bindparam("claim_name"), table.c.owner == bindparam("claim_owner"))
    return take, release


_TAKE, _RELEASE = _claim_statements()


def try_claim(engine: Engine, name: str, owner: str, seconds: float) -> bool:
    """Take the claim `name` for `seconds` unless another owner holds it unexpired (one short transaction)."""
    moment = store.now()
    params = {"claim_name": name, "claim_owner": owner, "claim_expires": moment + timedelta(seconds=seconds), "claim_moment": moment}
    # Core, not an ORM session: no identity map or bulk-statement bookkeeping for a one-row lease.
    with engine.begin() as connection:
        # A row comes back only when the insert or the takeover happened (rowcount is not reliable here).
        return connection.execute(_TAKE, params).first() is not None


def release_claim(engine: Engine, name: str, owner: str) -> None:
    with engine.begin() as connection:
        connection.execute(_RELEASE, {"claim_name": name, "claim_owner": owner})


class KeyedLocks:
    """Per-key locks of this worker and, on PostgreSQL, claims shared with the other workers."""

    def __init__(self, engine: Engine, *, lease_s: float, prefix: str) -> None:
        self.engine = engine
        self.lease_s = lease_s
        self.prefix = prefix
        self.owner = store.new_id()
        self.shared = engine.dialect.name == "postgresql"
        self._keys: dict[str, _Waiters] = {}

    async def acquire(self, key: str) -> Held:
        """Wait for the key; release the result with `await held.release()`."""
        waiters = self._keys.setdefault(key, _Waiters())
        waiters.count += 1
        try:
            await waiters.lock.acquire()
        except BaseException:
            self._leave(key, waiters)
            raise
        try:
            if self.shared:
                await self._claim(f"{self.prefix}:{key}")
        except BaseException:
            waiters.lock.release()
            self._leave(key, waiters)
            raise
        return Held(self, key, waiters)

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        held = await self.acquire(key)
        try:
            yield
        finally:
            await held.release()

    async def _claim(self, name: str) -> None:
        # A claim held longer than its lease is expired, so waiting a lease and a bit is enough.
        deadline = time.monotonic() + self.lease_s + 5
        delay = POLL_FIRST_S
        while True:
            with anyio.CancelScope(shield=True):
                # Shielded: a claim taken must be known, so that it is released.
                taken = await anyio.to_thread.run_sync(try_claim, self.engine, name, self.owner, self.lease_s)
            if taken:
                return
            if time.monotonic() > deadline:
                raise Contended(f"'{name}' is held by another worker")
            await asyncio.sleep(delay)
            delay = min(delay * 2, POLL_MAX_S)

    def _leave(self, key: str, waiters: _Waiters) -> None:
        waiters.count -= 1
        if waiters.count == 0 and self._keys.get(key) is waiters:
            del self._keys[key]


class Held:
    def __init__(self, owner: KeyedLocks, key: str, waiters: _Waiters) -> None:
        self._owner, self._key, self._waiters = owner, key, waiters
        self._released = False

    async def release(self) -> None:
        """Let the next waiter in (idempotent; safe in a cancelled task)."""
        if self._released:
            return
        self._released = True
        with anyio.CancelScope(shield=True):
            try:
                if self._owner.shared:
                    name = f"{self._owner.prefix}:{self._key}"
                    await anyio.to_thread.run_sync(release_claim, self._owner.engine, name, self._owner.owner)
            finally:
                self._waiters.lock.release()
                self._owner._leave(self._key, self._waiters)


# The names the rest of the code knows: one answer at a time per session.
TurnLock = Held


class TurnLocks(KeyedLocks):
    def __init__(self, engine: Engine, *, lease_s: float = 300.0) -> None:
        super().__init__(engine, lease_s=lease_s, prefix="turn")
