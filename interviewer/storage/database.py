"""The database engine: SQLite (WAL, one writer at a time) or PostgreSQL (a pool), and the one
exception that means the database is busy."""

from __future__ import annotations

import threading
import time
import weakref
from contextlib import nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel, create_engine


# An exhausted pool raises this after pool_timeout, and SQLite locked past busy_timeout raises
# OperationalError "database is locked": both are "busy, retry soon" (the API's 503), never a 500.
DatabaseBusy = PoolTimeout


def is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


# PostgreSQL's codes for a server going down or not up yet: admin_shutdown, crash_shutdown, cannot_connect_now.
_SHUTTING_DOWN = {"57P01", "57P02", "57P03"}


def is_disconnect(exc: DBAPIError) -> bool:
    """The server closed the connection (a restart): the pool is already renewed, so a retry succeeds."""
    return exc.connection_invalidated


def is_unreachable(exc: DBAPIError) -> bool:
    """The database cannot be reached right now (it closed our connection, is restarting, or
    refuses connections): a retry in a moment may succeed, so it is a 503, not a bug."""
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "sqlstate", None)
    if code in _SHUTTING_DOWN or (code or "").startswith("08"):
        return True
    # A failed connect carries no code: psycopg's "connection failed: ... Connection refused".
    return code is None and isinstance(exc, OperationalError) and "connection" in str(exc.orig).lower()


# A pooled connection idle this long is pinged before use, in case the server closed it meanwhile.
# Not one in steady use: a ping on every checkout was a round trip each store step, 1.2 ms of CPU
# per request of bench/load.py on PostgreSQL (14.7 against 16.6 ms with the claims).
PING_AFTER_IDLE_S = 5.0


# SQLite allows one writer at a time; a worker's writers queue here instead of in SQLite's busy loop.
_writers: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(
    database_url: str, *, pool_size: int = 10, max_overflow: int = 20, pool_timeout: float = 10.0, sqlite_synchronous: str = "normal",
) -> Engine:
    """An engine whose pool is sized for the worker's concurrency; an exhausted pool raises
    sqlalchemy.exc.TimeoutError after `pool_timeout` seconds (the API answers 503).

    `sqlite_synchronous`: "normal" syncs SQLite's WAL to disk at checkpoints, not at every commit;
    a commit survives the process crashing, and may be lost only if the machine itself goes down
    just after it. "full" syncs every commit (an fsync each, two per turn with a model)."""
    if sqlite_synchronous not in ("normal", "full"):
        raise ValueError(f"sqlite_synchronous: {sqlite_synchronous!r} is not 'normal' or 'full'")
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if database_url.startswith("sqlite"):
        in_memory = ":memory:" in database_url or database_url.rstrip("/") in ("sqlite:", "sqlite+pysqlite:")
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **({} if in_memory else pool),
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # WAL: readers never wait for the writer; busy_timeout: a writer of another process waits, not fails.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous.upper()}")
            cursor.close()

        _writers[engine] = threading.Lock()
        return engine
    engine = create_engine(database_url, **pool)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a connection on checkout only when it sat idle in the pool: a dead one is replaced
    before use (the pool retries with a fresh connection), a busy pool pays no round trips."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # new, or back from use a moment ago
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as exc:
            raise DisconnectionError(f"the pooled connection was closed: {exc}") from exc


def writing(db: Session) -> Any:
    """Hold around a write transaction: on SQLite, one writer at a time in this worker; elsewhere nothing."""
    lock = _writers.get(db.get_bind())  # type: ignore[arg-type]
    return lock if lock is not None else nullcontext()


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
