"""The `interviewer` command. Imports stay inside commands so `interviewer --help` is instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlmodel import Session

    from interviewer.catalog import Catalog
    from interviewer.settings import Settings

SEND_HINT = "(type your answer; an empty line sends it; /end finishes the interview)"


def _settings() -> Settings:
    from interviewer.settings import get_settings

    return get_settings()


def _catalog(settings: Settings) -> Catalog:
    from interviewer.catalog import CatalogError, load_catalog

    try:
        return load_catalog(settings.personas_dir, settings.rubrics_dir)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc


def _db(settings: Settings) -> Session:
    from sqlmodel import Session

    from interviewer.store import create_tables, make_engine

    engine = make_engine(settings.database_url)
    create_tables(engine)
    return Session(engine)


def _read(path: Path | None) -> str | None:
    return path.read_text(encoding="utf-8") if path else None


@click.group()
@click.version_option(package_name="interviewer")
def main() -> None:
    """Rehearse ML interviews: a recruiter screen, a technical ML round, a hiring-manager fit
    and a research scientist reviewing your take-home, with rubric-based feedback."""


@main.command()
@click.option("--host", default=None, help="Interface to bind (default from INTERVIEWER_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from INTERVIEWER_PORT, 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the web API (OpenAPI docs at /docs)."""
    import uvicorn

    from interviewer.api.app import create_app
    from interviewer.catalog import CatalogError

    settings = _settings()
    try:
        app = create_app(settings)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(app, host=host or settings.host, port=port or settings.port)


def _read_answer() -> str | None:
    """Lines until an empty line; None at end of input."""
    lines: list[str] = []
    while True:
        try:
            line = input("> " if not lines else "  ")
        except EOFError:
            return "\n".join(lines) if lines else None
        if not lines and line.strip() == "/end":
            return line.strip()
        if not line.strip():
            if lines:
                return "\n".join(lines)
            continue
        lines.append(line)


@main.command()
@click.option("--persona", "persona_id", required=True, help="Round to rehearse, e.g. technical-ml (see `interviewer personas list`).")
@click.option("--lang", "language", type=click.Choice(["en", "fr"]), default=None, help="Interview language (default: the persona's).")
@click.option("--job-description", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A job description file.")
@click.option("--cv", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your CV as a text file.")
@click.option("--takehome", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your take-home write-up (text or Markdown).")
def chat(persona_id: str, language: str | None, job_description: Path | None, cv: Path | None, takehome: Path | None) -> None:
    """Run a mock interview in the terminal; the report is printed at the end."""
    from interviewer import report, service

    settings = _settings()
    catalog = _catalog(settings)
    with _db(settings) as db:
        try:
            view = service.start_session(
                db=db, catalog=catalog, model=settings.model, persona_id=persona_id, language=language,  # type: ignore[arg-type]
                job_description=_read(job_description), cv=_read(cv), takehome=_read(takehome),
                document_limit=settings.max_document_chars,
            )
        except service.ServiceError as exc:
            raise click.ClickException(str(exc)) from exc
        persona, session_id = view.persona, view.session.id
        click.secho(f"{persona.name}, {persona.role} - session {session_id}", bold=True)
        click.echo(SEND_HINT + "\n")
        click.secho(f"{persona.name}: ", fg="cyan", bold=True, nl=False)
        click.echo(view.turns[-1].content + "\n")
        status = "active"
        while status == "active":
            text = _read_answer()
            if text is None or text.strip() == "/end":
                service.end_session(db=db, session_id=session_id)
                break
            try:
                result = service.answer(db=db, session_id=session_id, content=text, idempotency_key=None, answer_limit=settings.max_answer_chars)
            except service.ServiceError as exc:
                click.secho(f"! {exc}", fg="red")
                continue
            click.secho(f"\n{persona.name}: ", fg="cyan", bold=True, nl=False)
            click.echo(result.reply.content + "\n")
            status = result.status
        content = service.build_report(db=db, session_id=session_id)
    click.echo(report.render_markdown(content))
    click.secho(f"Report saved. Again later: interviewer report {session_id} --format md", dim=True)


@main.command("report")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="md", show_default=True)
def report_command(session_id: str, fmt: str) -> None:
    """Print the feedback report of a session."""
    from interviewer import report, service

    settings = _settings()
    with _db(settings) as db:
        try:
            content = service.build_report(db=db, session_id=session_id)
        except service.SessionNotFound as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(content, indent=2, ensure_ascii=False) if fmt == "json" else report.render_markdown(content))


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
        raise click.ClickException(f"unknown persona '{persona_id}'; valid ids: {', '.join(sorted(catalog.personas))}")
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
    from interviewer.catalog import CatalogError, load_catalog

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
    """Newest sessions first: id, round, status, date."""
    from interviewer import store

    settings = _settings()
    with _db(settings) as db:
        rows = store.list_sessions(db=db, limit=limit)
        for s in rows:
            click.echo(f"{s.id}  {s.persona_id:<18} {s.status:<7} {s.language}  {s.created_at:%Y-%m-%d %H:%M}")
    if not rows:
        click.echo("No sessions yet: start one with `interviewer chat --persona technical-ml`.")
