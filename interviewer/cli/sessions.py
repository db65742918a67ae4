"""`interviewer sessions` and `interviewer report`: past sessions, their purge, and a session's report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from interviewer.cli.common import load_settings, open_db


@click.command("report")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md", show_default=True,
              help="json (schema in docs/report-schema.md), Markdown, or a self-contained HTML page with charts.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the report to this file instead of printing it.")
def report_command(session_id: str, fmt: str, output: Path | None) -> None:
    """Print (or save) the feedback report of a session."""
    import asyncio

    from interviewer.feedback import report
    from interviewer.interview import errors
    from interviewer.interview import reporting as feedback
    from interviewer.models import llm

    settings = load_settings()
    with open_db(settings) as db:
        try:
            asyncio.run(feedback.score_pending(db=db, models=llm.Models(settings), session_id=session_id))
            content = feedback.build_report(db=db, session_id=session_id)
        except (errors.SessionNotFound, llm.ModelError) as exc:
            raise click.ClickException(str(exc)) from exc
    text = report.render(content, fmt)  # type: ignore[arg-type]
    if output is None:
        click.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    click.echo(f"Report written to {output}")


@click.group()
def sessions() -> None:
    """Past interview sessions."""


@sessions.command("list")
@click.option("--limit", default=20, show_default=True)
def sessions_list(limit: int) -> None:
    """Newest sessions first: id, round, status, date, model, tokens and cost."""
    from interviewer.interview import state
    from interviewer.storage import queries

    settings = load_settings()
    with open_db(settings) as db:
        rows = queries.list_sessions(db=db, limit=limit)
        if rows:
            click.echo(f"{'session':<32}  {'round':<18} {'status':<7} lang {'started':<16}  {'model':<24} {'tokens':>7} {'cost':>9}")
        for s in rows:
            usage = state.get_session(db=db, session_id=s.id).usage
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
    from interviewer.storage import queries
    from interviewer.storage import tables as store

    cutoff = store.now() - _age(older_than)
    if not yes:
        click.confirm(f"Delete every session started before {cutoff:%Y-%m-%d %H:%M} UTC, of every user?", abort=True)
    with open_db(load_settings()) as db:
        count = queries.purge_sessions(db=db, created_before=cutoff)
    click.echo(f"Deleted {count} session{'s' if count != 1 else ''} started before {cutoff:%Y-%m-%d %H:%M} UTC.")
