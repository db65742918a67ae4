"""The database engine: SQLite (WAL, one writer at a time) or PostgreSQL (a pool), and the one
exception that means the database is busy."""

from __future__ import annotations

import threading
import weakref
from contextlib import nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, SQLModel, create_engine


# An exhausted pool raises this after pool_timeout, and SQLite locked past busy_timeout raises
# OperationalError "database is locked": both are "busy, retry soon" (the API's 503), never a 500.
DatabaseBusy = PoolTimeout


def is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


# SQLite allows one writer at a time; a worker's writers queue here instead of in SQLite's busy loop.
_writers: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(database_url: str, *, pool_size: int = 10, max_overflow: int = 20, pool_timeout: float = 10.0) -> Engine:
    """An engine whose pool is sized for the worker's concurrency; an exhausted pool raises
    sqlalchemy.exc.TimeoutError after `pool_timeout` seconds (the API answers 503)."""
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
            cursor.close()

        _writers[engine] = threading.Lock()
        return engine
    return create_engine(database_url, pool_pre_ping=True, **pool)


def writing(db: Session) -> Any:
    """Hold around a write transaction: on SQLite, one writer at a time in this worker; elsewhere nothing."""
    lock = _writers.get(db.get_bind())  # type: ignore[arg-type]
    return lock if lock is not None else nullcontext()


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
