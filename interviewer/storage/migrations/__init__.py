"""Schema migrations (Alembic), driven from code: `interviewer db upgrade|downgrade|current|revision`.

The revisions live in versions/ and ship with the package. A database is at the code's schema when
its `alembic_version` row is the newest revision (the head); the app refuses to start otherwise and
says what to run. A database created before migrations existed (by `create_all`) has the tables of
the baseline revision and no version row: `upgrade` adopts it as the baseline, then upgrades it.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

HERE = Path(__file__).resolve().parent
VERSIONS = HERE / "versions"
# The schema of every database created before migrations existed: the tables `create_all` made.
BASELINE = "0001"
BASELINE_TABLE = "interview_session"
UPGRADE = "interviewer db upgrade"
MIGRATION_LOCK = 0x696E746D6967  # an arbitrary key for pg_advisory_xact_lock, the same in every process


class SchemaError(Exception):
    """The database is not at the schema this code needs; the message says what to run."""


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


@lru_cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision: the schema this code needs."""
    revision = _scripts().get_current_head()
    assert revision is not None, "no migration in interviewer/storage/migrations/versions"
    return revision


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]


def current(engine: Engine) -> str | None:
    """The database's revision; None when it has never been migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """A connection to run migrations on, in one transaction, one migrating process at a time on PostgreSQL.

    On SQLite, batch mode rebuilds a table by copying it and dropping the original; with foreign
    keys on, that DROP would cascade and delete every child row. So they are off while migrating
    (a PRAGMA that only takes effect outside a transaction), checked afterwards, and on again.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    # Two upgrades started together (several app containers): the second waits, then finds nothing to do.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaError(f"migrating {_where(engine)} left {len(broken)} rows whose foreign key points nowhere (first: {broken[0]}); fix the migration")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _adopt_unversioned(connection: Connection) -> None:
    """Stamp a database made by `create_all` before migrations existed as the baseline revision."""
    tables = set(inspect(connection).get_table_names())
    if BASELINE_TABLE in tables and "alembic_version" not in tables:
        command.stamp(config(connection), BASELINE)


def upgrade(engine: Engine, revision: str = "head") -> None:
    with migrating(engine) as connection:
        _adopt_unversioned(connection)
        command.upgrade(config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with migrating(engine) as connection:
        command.downgrade(config(connection), revision)


def check(engine: Engine) -> None:
    """Raise SchemaError, naming the command to run, unless the database is at the code's schema."""
    at, needed = current(engine), head()
    if at == needed:
        return
    where = _where(engine)
    if at is None:
        with engine.connect() as connection:
            legacy = BASELINE_TABLE in inspect(connection).get_table_names()
        state = "was created before migrations existed" if legacy else "has no tables yet"
        raise SchemaError(f"the database {where} {state}; run `{UPGRADE}` to bring it to revision {needed}")
    if at not in revisions():
        raise SchemaError(
            f"the database {where} is at revision {at}, which this code does not know: it was migrated by a "
            f"newer version of interviewer; run that version (or `interviewer db downgrade {needed}` with it)"
        )
    raise SchemaError(f"the database {where} is at revision {at}, behind the code's revision {needed}; run `{UPGRADE}`")


def prepare(engine: Engine, *, upgrade_first: bool) -> None:
    """At start-up: apply pending migrations when allowed, then refuse a database behind the code."""
    if upgrade_first and current(engine) != head():
        upgrade(engine)
    check(engine)


def differences(engine: Engine) -> list[Any]:
    """What autogenerate would change to make the database match the models (empty when in sync)."""
    from sqlmodel import SQLModel

    import interviewer.storage.tables  # noqa: F401  (registers the tables)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_item": render_item})
        return list(compare_metadata(context, SQLModel.metadata))


def _next_id() -> str:
    numbers = [int(m.group(1)) for p in VERSIONS.glob("*.py") if (m := re.match(r"(\d{4})_", p.name))]
    return f"{max(numbers, default=0) + 1:04d}"


def new_revision(message: str) -> Path:
    """Write a revision for what the models have and the migrations lack (developers: `make migration`).

    It compares the models with a scratch SQLite database brought to the current head, so it never
    depends on the state of a real database."""
    from interviewer.storage.database import make_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
        try:
            upgrade(engine)
            if not differences(engine):
                raise SchemaError("the migrations already match the models; nothing to generate")
            cfg = config()
            cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
            with engine.begin() as connection:
                cfg.attributes["connection"] = connection
                script = command.revision(cfg, message=message, autogenerate=True, rev_id=_next_id())
        finally:
            engine.dispose()
    _scripts.cache_clear()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """How autogenerate writes a column type into a revision.

    The app's own TypeDecorators (UTCDateTime) are written as the database type they store
    (DateTime(timezone=True)): a revision is history and must not import code that may change.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator) and type(obj).__module__.startswith("interviewer."):
        return f"sa.{obj.impl!r}"
    return False
