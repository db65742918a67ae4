"""The `interviewer` command. Imports stay inside commands so `interviewer --help` is instant."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from interviewer.cli.chat import chat
from interviewer.cli.db import db_group
from interviewer.cli.drill import drill
from interviewer.cli.eval import eval_group
from interviewer.cli.loop import loop_group

if TYPE_CHECKING:
    from sqlmodel import Session

    from interviewer.catalog.personas import Catalog
    from interviewer.ops.settings import Settings

def _settings() -> Settings:
    from interviewer.ops.settings import get_settings

    return get_settings()


def _catalog(settings: Settings) -> Catalog:
    from interviewer.catalog.personas import CatalogError, load_catalog

    try:
        return load_catalog(settings.personas_dir, settings.rubrics_dir)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc


def _db(settings: Settings) -> Session:
    from sqlmodel import Session

    from interviewer.cli.db import database

    return Session(database(settings))


def _read(path: Path | None) -> str | None:
    """A document given on the command line: Markdown, text, a notebook or a PDF."""
    if path is None:
        return None
    from interviewer.interview.takehome import DocumentError, read_document

    try:
        return read_document(path.name, path.read_bytes())
    except DocumentError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.version_option(package_name="interviewer")
def main() -> None:
    """Rehearse ML interviews: a recruiter screen, a technical ML round, a hiring-manager fit
    and a research scientist reviewing your take-home, with rubric-based feedback."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default from INTERVIEWER_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from INTERVIEWER_PORT, 8000).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default from INTERVIEWER_WORKERS, 1); any of them serves any request.")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web API (OpenAPI docs at /docs)."""
    import uvicorn

    from interviewer.api.auth import token_required
    from interviewer.cli.db import database
    from interviewer.ops.logs import logging_config
    from interviewer.ops.settings import get_settings

    if host:
        # Workers read their settings from the environment, and the address decides the auth mode.
        os.environ["INTERVIEWER_HOST"] = host
        get_settings.cache_clear()
    settings = _settings()
    if token_required(settings):
        click.echo(f"API tokens required (bound to {settings.host}); create one with `interviewer users add NAME`.", err=True)
    # Checked once here, before any worker starts: a bad catalog or a database behind the code's
    # schema stops start-up with one line saying what to fix (SQLite is migrated first).
    _catalog(settings)
    database(settings).dispose()
    workers = workers or settings.workers
    if workers > 1 and settings.database_url.startswith("sqlite"):
        # SQLite has one writer and each worker keeps its own turn locks: several workers need PostgreSQL.
        raise click.UsageError(
            f"--workers {workers} needs PostgreSQL (set INTERVIEWER_DATABASE_URL=postgresql+psycopg://...); "
            "SQLite serves one worker: drop --workers or set it to 1"
        )
    with _metrics_dir(workers):
        # Each worker builds its own app from the environment: they share nothing but the database.
        uvicorn.run(
            "interviewer.api.app:serving_app", factory=True, host=host or settings.host, port=port or settings.port,
            workers=workers, log_config=logging_config(level=settings.log_level, fmt=settings.log_format, terminal=sys.stderr.isatty()),
            access_log=False,  # interviewer.access logs each request, with its id
            # X-Forwarded-Proto from these proxies makes the request https, so the sign-in cookie is Secure.
            proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
            timeout_graceful_shutdown=settings.shutdown_grace_s or None,
        )


@contextmanager
def _metrics_dir(workers: int) -> Iterator[None]:
    """Several workers write their metrics to files in one directory, so /metrics adds them up."""
    import os
    import shutil
    import tempfile

    from interviewer.ops.metrics import MULTIPROC_DIR

    given = os.environ.get(MULTIPROC_DIR)
    if given:
        # Samples left by an earlier run would be added to this one's.
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers == 1:
        yield
        return
    os.environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix="interviewer-metrics-")
    try:
        yield
    finally:
        shutil.rmtree(os.environ.pop(MULTIPROC_DIR), ignore_errors=True)


@main.command("report")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md", show_default=True,
              help="json (schema in docs/report-schema.md), Markdown, or a self-contained HTML page with charts.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the report to this file instead of printing it.")
def report_command(session_id: str, fmt: str, output: Path | None) -> None:
    """Print (or save) the feedback report of a session."""
    import asyncio

    from interviewer.feedback import report
    from interviewer.interview import reporting as feedback, service
    from interviewer.models import llm

    settings = _settings()
    with _db(settings) as db:
        try:
            asyncio.run(feedback.score_pending(db=db, models=llm.Models(settings), session_id=session_id))
            content = feedback.build_report(db=db, session_id=session_id)
        except (service.SessionNotFound, llm.ModelError) as exc:
            raise click.ClickException(str(exc)) from exc
    text = report.render(content, fmt)  # type: ignore[arg-type]
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Report written to {output}")


@main.group()
def personas() -> None:
    """List, show and validate the interview rounds."""


@personas.command("list")
def personas_list() -> None:
    """One line per persona: id, interviewer, role, duration."""
    catalog = _catalog(_settings())
    for p in catalog.personas.values():
        click.echo(f"{p.id:<18} {p.name} - {p.role} ({p.duration_minutes} min, {len(p.questions)} questions)")


@personas.command("show")
@click.argument("persona_id")
def personas_show(persona_id: str) -> None:
    """A persona's plan and its rubric's criteria."""
    catalog = _catalog(_settings())
    persona = catalog.personas.get(persona_id)
    if persona is None:
        from interviewer.interview.service import PersonaNotFound

        raise click.ClickException(str(PersonaNotFound(persona_id, sorted(catalog.personas))))
    rubric = catalog.rubric_for(persona)
    click.secho(f"{persona.name} - {persona.role}", bold=True)
    click.echo(f"{persona.description}\nTone: {persona.tone}\n")
    click.echo("Plan:")
    for stage in persona.stages:
        asked = stage.ask or len(stage.questions)
        click.echo(f"  {stage.title.en} ({stage.minutes} min): {asked} of {len(stage.questions)} questions")
    click.echo(f"\nRubric {rubric.id}:")
    for c in rubric.criteria:
        click.echo(f"  {c.name} ({c.weight:.0%}): {c.description}")


@personas.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def personas_validate(paths: tuple[Path, ...]) -> None:
    """Check every persona and rubric file (or the directories given) and report what is wrong."""
    from interviewer.catalog.personas import CatalogError, load_catalog

    settings = _settings()
    personas_dir = paths[0] if paths else settings.personas_dir
    rubrics_dir = paths[1] if len(paths) > 1 else settings.rubrics_dir
    try:
        catalog = load_catalog(personas_dir, rubrics_dir)
    except CatalogError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(catalog.personas)} personas, {len(catalog.rubrics)} rubrics")


@main.group()
def sessions() -> None:
    """Past interview sessions."""


@sessions.command("list")
@click.option("--limit", default=20, show_default=True)
def sessions_list(limit: int) -> None:
    """Newest sessions first: id, round, status, date, model, tokens and cost."""
    from interviewer.interview import service
    from interviewer.storage import tables as store

    settings = _settings()
    with _db(settings) as db:
        rows = store.list_sessions(db=db, limit=limit)
        if rows:
            click.echo(f"{'session':<32}  {'round':<18} {'status':<7} lang {'started':<16}  {'model':<24} {'tokens':>7} {'cost':>9}")
        for s in rows:
            usage = service.get_session(db=db, session_id=s.id).usage
            tokens = (usage["prompt_tokens"] or 0) + (usage["completion_tokens"] or 0)
            cost = "unknown" if usage["cost_usd"] is None else f"${usage['cost_usd']:.4f}"
            click.echo(f"{s.id}  {s.persona_id:<18} {s.status:<7} {s.language:<4} {s.created_at:%Y-%m-%d %H:%M}  {s.model:<24} {tokens:>7} {cost:>9}")
    if not rows:
        click.echo("No sessions yet: start one with `interviewer chat --persona technical-ml`.")


def _age(value: str) -> timedelta:
    """`30d`, `12h`, `2w` or `45m` as a duration."""
    units = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
    number, unit = value[:-1], value[-1:].lower()
    if unit not in units or not number.isdigit() or int(number) <= 0:
        raise click.BadParameter(f"{value!r}: give a positive number and a unit, e.g. 30d, 12h, 2w or 45m")
    return timedelta(**{units[unit]: int(number)})


@sessions.command("purge")
@click.option("--older-than", "older_than", required=True, help="Age of the sessions to delete, e.g. 30d, 12h, 2w.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def sessions_purge(older_than: str, yes: bool) -> None:
    """Delete every session started longer ago than --older-than, with its turns, scores and report."""
    from interviewer.storage import tables as store

    cutoff = store.now() - _age(older_than)
    if not yes:
        click.confirm(f"Delete every session started before {cutoff:%Y-%m-%d %H:%M} UTC, of every user?", abort=True)
    with _db(_settings()) as db:
        count = store.purge_sessions(db=db, created_before=cutoff)
    click.echo(f"Deleted {count} session{'s' if count != 1 else ''} started before {cutoff:%Y-%m-%d %H:%M} UTC.")


@main.group()
def users() -> None:
    """Users and their API tokens (needed when the server is exposed)."""


@users.command("add")
@click.argument("name")
def users_add(name: str) -> None:
    """Add a user and print their API token, once, on its own line."""
    from interviewer.api import auth
    from interviewer.storage import tables as store

    with _db(_settings()) as db:
        if store.get_user_by_name(db=db, name=name) is not None:
            raise click.ClickException(f"a user named {name!r} exists; choose another name, or `interviewer users token {name}`")
        _user, token = auth.create_user(db=db, name=name)
    click.echo(f"Created user {name}. Their API token (shown only now; send it as `Authorization: Bearer TOKEN`):", err=True)
    click.echo(token)


@users.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Give a user a new API token, revoking their old ones; prints it once."""
    from interviewer.api import auth
    from interviewer.storage import tables as store

    with _db(_settings()) as db:
        user = store.get_user_by_name(db=db, name=name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}; add one with `interviewer users add {name}`")
        store.revoke_tokens(db=db, user_id=user.id)
        token = auth.new_token()
        store.add_token(db=db, user_id=user.id, token_hash=auth.hash_token(token))
    click.echo(f"New API token for {name} (the old ones no longer work):", err=True)
    click.echo(token)


@users.command("revoke")
@click.argument("name")
def users_revoke(name: str) -> None:
    """Revoke every API token of a user (their sessions stay)."""
    from interviewer.storage import tables as store

    with _db(_settings()) as db:
        user = store.get_user_by_name(db=db, name=name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        count = store.revoke_tokens(db=db, user_id=user.id)
    click.echo(f"Revoked {count} token{'s' if count != 1 else ''} of {name}.")


@users.command("list")
def users_list() -> None:
    """Every user, with when they were added."""
    from interviewer.storage import tables as store

    with _db(_settings()) as db:
        for user in store.list_users(db=db):
            click.echo(f"{user.name:<24} added {user.created_at:%Y-%m-%d %H:%M}")


main.add_command(chat)
main.add_command(loop_group)
main.add_command(drill)
main.add_command(eval_group)
main.add_command(db_group)
