"""`interviewer db`: bring the database to the code's schema, inspect it, and (developers) write a
new migration after changing the tables in storage/tables.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from interviewer.ops.settings import Settings


def _engine(settings: Settings) -> Engine:
    from interviewer.storage.database import make_engine

    return make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@contextmanager
def _errors_as_messages(engine: Engine) -> Iterator[None]:
    """Connection and migration errors become one-line messages that say what to do."""
    from alembic.util import CommandError
    from sqlalchemy.exc import OperationalError

    from interviewer.storage import migrations

    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise click.ClickException(
            f"cannot use the database {_where(engine)}: {reason}; check DATABASE_URL and that the server runs"
        ) from exc
    except (migrations.SchemaError, CommandError) as exc:
        raise click.ClickException(str(exc)) from exc


def database(settings: Settings) -> Engine:
    """An engine on a database at the code's schema: migrated first where allowed (SQLite by
    default, see INTERVIEWER_AUTO_MIGRATE), refused with the command to run otherwise."""
    from interviewer.storage import migrations

    engine = _engine(settings)
    try:
        with _errors_as_messages(engine):
            migrations.prepare(engine, upgrade_first=settings.migrates_on_start)
    except click.ClickException:
        engine.dispose()
        raise
    return engine


@contextmanager
def _connected() -> Iterator[Engine]:
    from interviewer.ops.settings import get_settings

    engine = _engine(get_settings())
    try:
        with _errors_as_messages(engine):
            yield engine
    finally:
        engine.dispose()


def _describe(engine: Engine) -> str:
    from interviewer.storage import migrations

    at, head = migrations.current(engine), migrations.head()
    if at == head:
        return f"{at} (head)"
    if at is None:
        return f"none (the code needs {head}: run `{migrations.UPGRADE}`)"
    if at not in migrations.revisions():
        return f"{at} (unknown to this code, which knows up to {head})"
    return f"{at} (behind the code's {head}: run `{migrations.UPGRADE}`)"


@click.group("db")
def db_group() -> None:
    """Database schema: upgrade, downgrade, current revision, new migration."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION (default: the newest). Safe to run again."""
    from interviewer.storage import migrations

    with _connected() as engine:
        before = migrations.current(engine)
        migrations.upgrade(engine, revision)
        click.echo(f"{_where(engine)}: {before or 'empty'} -> {_describe(engine)}")


@db_group.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Revert the migrations after REVISION (`-1`: the last one; `base`: all, dropping every table)."""
    from interviewer.storage import migrations

    with _connected() as engine:
        before = migrations.current(engine)
        migrations.downgrade(engine, revision)
        click.echo(f"{_where(engine)}: {before or 'empty'} -> {migrations.current(engine) or 'empty'}")


@db_group.command("current")
def current() -> None:
    """The database's revision and whether it is the one the code needs."""
    with _connected() as engine:
        click.echo(f"{_where(engine)}: {_describe(engine)}")


@db_group.command("check")
def check() -> None:
    """Exit 1, saying what to run, unless the database is at the code's schema."""
    from interviewer.storage import migrations

    with _connected() as engine:
        migrations.check(engine)
        click.echo(f"{_where(engine)}: {_describe(engine)}")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes, e.g. 'session claims'.")
def revision(message: str) -> None:
    """Developers: write the migration for what storage/tables.py's tables have and the migrations lack.

    Compared against a scratch SQLite database, so no real database is needed or touched.
    Review the file it writes: a NOT NULL column added to an existing table needs a server_default."""
    from interviewer.storage import migrations

    try:
        path = migrations.new_revision(message)
    except migrations.SchemaError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {path}; review it, then run the migration tests (pytest tests/storage/test_migrations.py).")
