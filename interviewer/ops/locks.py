"""One piece of work at a time per key: one answer per session across its whole turn (store the
answer, phrase the reply, store the reply), one scorer or report build per session. Concurrent
callers wait their turn, in arrival order, instead of failing.

Within a worker, an asyncio lock per key queues the waiters without holding any database
connection. Across workers (`interviewer serve --workers N`, PostgreSQL only) the holder also
takes a claim row (table `claim`): a lease taken and released in short transactions (a turn's
within its own store steps: `Held.take_in`, `Held.release_in`), so no connection or transaction
stays open while a model thinks. A worker that dies holding a claim
leaves it to expire after its lease; the next waiter then takes it over. SQLite serves one worker,
so there the per-worker lock is the whole story (its unique (session, seq) constraint still refuses
a duplicate turn from another process, as 409 Busy).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import anyio
from sqlalchemy import bindparam, delete, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from interviewer.storage import tables as store
from interviewer.storage.tables import Claim

T = TypeVar("T")

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
        # An expired claim is taken over; so is one in our own name, which only a failed release
        # leaves behind (this worker holds its own lock on the key while it takes the claim).
        where=or_(table.c.expires_at < bindparam("claim_moment", type_=table.c.expires_at.type), table.c.owner == insert.excluded.owner),
    ).returning(table.c.owner)
    release = delete(table).where(table.c.name == bindparam("claim_name"), table.c.owner == bindparam("claim_owner"))
    return take, release


_TAKE, _RELEASE = _claim_statements()


def _take(connection: Connection, name: str, owner: str, seconds: float) -> bool:
    moment = store.now()
    params = {"claim_name": name, "claim_owner": owner, "claim_expires": moment + timedelta(seconds=seconds), "claim_moment": moment}
    # A row comes back only when the insert or the takeover happened (rowcount is not reliable here).
    return connection.execute(_TAKE, params).first() is not None


def try_claim(engine: Engine, name: str, owner: str, seconds: float) -> bool:
    """Take the claim `name` for `seconds` unless another owner holds it unexpired (one short transaction)."""
    # Core, not an ORM session: no identity map or bulk-statement bookkeeping for a one-row lease.
    with engine.begin() as connection:
        return _take(connection, name, owner, seconds)


def release_claim(engine: Engine, name: str, owner: str) -> None:
    with engine.begin() as connection:
        connection.execute(_RELEASE, {"claim_name": name, "claim_owner": owner})


class NotClaimed:
    """What a store step answers when another worker holds its claim: try again later."""


NOT_CLAIMED = NotClaimed()


class KeyedLocks:
    """Per-key locks of this worker and, on PostgreSQL, claims shared with the other workers."""

    def __init__(self, engine: Engine, *, lease_s: float, prefix: str) -> None:
        self.engine = engine
        self.lease_s = lease_s
        self.prefix = prefix
        self.owner = store.new_id()
        self.shared = engine.dialect.name == "postgresql"
        self._keys: dict[str, _Waiters] = {}

    async def acquire(self, key: str, *, claim: bool = True) -> Held:
        """Wait for the key; release the result with `await held.release()`.

        `claim=False`: wait in this worker's queue only; the caller takes the claim in its first
        store step (`Held.take_in`, run through `Held.until_claimed`), on that step's connection."""
        waiters = self._keys.setdefault(key, _Waiters())
        waiters.count += 1
        try:
            await waiters.lock.acquire()
        except BaseException:
            self._leave(key, waiters)
            raise
        held = Held(self, key, waiters, claimed=self.shared and claim)
        try:
            if held.claimed:
                await self._poll(held.name, lambda: self._try_claim(held.name))
        except BaseException:
            waiters.lock.release()
            self._leave(key, waiters)
            raise
        return held

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        held = await self.acquire(key)
        try:
            yield
        finally:
            await held.release()

    async def _try_claim(self, name: str) -> object:
        taken = await anyio.to_thread.run_sync(try_claim, self.engine, name, self.owner, self.lease_s)
        return True if taken else NOT_CLAIMED

    async def _poll(self, name: str, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()` until it answers something else than NOT_CLAIMED, or a lease and a bit has passed."""
        # A claim held longer than its lease is expired, so waiting a lease and a bit is enough.
        deadline = time.monotonic() + self.lease_s + 5
        delay = POLL_FIRST_S
        while True:
            with anyio.CancelScope(shield=True):
                # Shielded: a claim taken must be known, so that it is released.
                result = await attempt()
            if result is not NOT_CLAIMED:
                return result
            if time.monotonic() > deadline:
                raise Contended(f"'{name}' is held by another worker")
            await asyncio.sleep(delay)
            delay = min(delay * 2, POLL_MAX_S)

    def _leave(self, key: str, waiters: _Waiters) -> None:
        waiters.count -= 1
        if waiters.count == 0 and self._keys.get(key) is waiters:
            del self._keys[key]


class Held:
    def __init__(self, owner: KeyedLocks, key: str, waiters: _Waiters, *, claimed: bool) -> None:
        self._owner, self._key, self._waiters = owner, key, waiters
        self._released = False
        # Our claim row is in the table (or its insert may be): release deletes it, unless a store step did.
        self.claimed = claimed
        self._claim_gone = False

    @property
    def name(self) -> str:
        return f"{self._owner.prefix}:{self._key}"

    def take_in(self, db: Session) -> bool:
        """Take the claim in a store step's own session and commit it (sync, in the step's thread),
        so that the step goes on in the same session and thread: no thread hop of its own.
        False while another worker holds it; True at once without claims (SQLite)."""
        if not self._owner.shared or self.claimed:
            return True
        self.claimed = _take(db.connection(), self.name, self._owner.owner, self._owner.lease_s)
        db.commit()
        return self.claimed

    def release_in(self, db: Session) -> None:
        """Release the claim at the end of a store step, in its session (sync); `release` then
        only lets the next waiter of this worker in."""
        if self.claimed and not self._claim_gone:
            db.connection().execute(_RELEASE, {"claim_name": self.name, "claim_owner": self._owner.owner})
            db.commit()
            self._claim_gone = True

    async def until_claimed(self, step: Callable[[], Awaitable[T]]) -> T:
        """Run a store step that starts with `take_in` (and answers NOT_CLAIMED when it fails)
        until the claim is taken; Contended after a lease and a bit."""
        return await self._owner._poll(self.name, step)

    async def release(self) -> None:
        """Let the next waiter in (idempotent; safe in a cancelled task)."""
        if self._released:
            return
        self._released = True
        with anyio.CancelScope(shield=True):
            try:
                if self.claimed and not self._claim_gone:
                    await anyio.to_thread.run_sync(release_claim, self._owner.engine, self.name, self._owner.owner)
            finally:
                self._waiters.lock.release()
                self._owner._leave(self._key, self._waiters)


# The names the rest of the code knows: one answer at a time per session.
TurnLock = Held


class TurnLocks(KeyedLocks):
    def __init__(self, engine: Engine, *, lease_s: float = 300.0) -> None:
        super().__init__(engine, lease_s=lease_s, prefix="turn")
