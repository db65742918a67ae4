"""The `interviewer` command. Imports stay inside commands so `interviewer --help` is instant."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from interviewer.cli_eval import eval_group

if TYPE_CHECKING:
    from sqlmodel import Session

    from interviewer.catalog import Catalog
    from interviewer.llm import TextStream, Usage
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
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text; save it as UTF-8 (or export it to .txt/.md)") from exc


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


async def _chat(
    *, settings: Settings, catalog: Catalog, persona_id: str, language: str | None,
    job_description: str | None, cv: str | None, takehome: str | None,
) -> str:
    """The terminal interview: each reply is printed as it streams in; returns the session id."""
    from interviewer import llm, service
    from interviewer.store import new_id

    models = llm.Models(settings)
    with _db(settings) as db:
        pending = service.prepare_session(
            catalog=catalog, model=settings.model, persona_id=persona_id, language=language,  # type: ignore[arg-type]
            job_description=job_description, cv=cv, takehome=takehome, document_limit=settings.max_document_chars,
        )
        persona, session_id = pending.context.persona, pending.session.id
        click.secho(f"{persona.name}, {persona.role} - session {session_id}", bold=True)
        click.echo(SEND_HINT + "\n")
        text, usage = await _print_stream(persona.name, service.reply_stream(models, pending))
        service.store_session(db=db, pending=pending, text=text, usage=usage)
        status, key, answer = "active", None, None
        while status == "active":
            if key is None:
                answer = _read_answer()
                if answer is None or answer.strip() == "/end":
                    service.end_session(db=db, session_id=session_id)
                    break
                key = new_id()
            assert answer is not None
            try:
                outcome = service.accept_answer(db=db, session_id=session_id, content=answer, idempotency_key=key, answer_limit=settings.max_answer_chars)
                if isinstance(outcome, service.PendingReply):
                    text, usage = await _print_stream(persona.name, service.reply_stream(models, outcome))
                    outcome = service.store_reply(db=db, pending=outcome, text=text, usage=usage)
                status, key = outcome.status, None
            except service.ServiceError as exc:
                click.secho(f"! {exc}", fg="red")
                key = None
            except llm.ModelError as exc:
                # The answer is stored; retrying with the same key resumes without a duplicate.
                click.secho(f"! {exc}", fg="red")
                if not click.confirm("Your answer is saved. Retry the reply?", default=True):
                    service.end_session(db=db, session_id=session_id)
                    break
        await service.score_pending(db=db, models=models, session_id=session_id)
    return session_id


async def _print_stream(name: str, stream: TextStream) -> tuple[str, Usage]:
    click.secho(f"{name}: ", fg="cyan", bold=True, nl=False)
    parts: list[str] = []
    async for delta in stream:
        parts.append(delta)
        click.echo(delta, nl=False)
    click.echo("\n")
    assert stream.usage is not None
    return "".join(parts), stream.usage


@main.command()
@click.option("--persona", "persona_id", required=True, help="Round to rehearse, e.g. technical-ml (see `interviewer personas list`).")
@click.option("--lang", "language", type=click.Choice(["en", "fr"]), default=None, help="Interview language (default: the persona's).")
@click.option("--job-description", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A job description file.")
@click.option("--cv", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your CV as a text file.")
@click.option("--takehome", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your take-home write-up (text or Markdown).")
def chat(persona_id: str, language: str | None, job_description: Path | None, cv: Path | None, takehome: Path | None) -> None:
    """Run a mock interview in the terminal; the report is printed at the end."""
    import asyncio

    from interviewer import llm, report, service

    settings = _settings()
    catalog = _catalog(settings)
    try:
        session_id = asyncio.run(
            _chat(settings=settings, catalog=catalog, persona_id=persona_id, language=language,
                  job_description=_read(job_description), cv=_read(cv), takehome=_read(takehome))
        )
    except (service.ServiceError, llm.ModelError) as exc:
        raise click.ClickException(str(exc)) from exc
    with _db(settings) as db:
        content = service.build_report(db=db, session_id=session_id)
    click.echo(report.render_markdown(content))
    click.secho(f"Report saved. Again later: interviewer report {session_id} --format md", dim=True)


@main.command("report")
@click.argument("session_id")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md", show_default=True,
              help="json (schema in docs/report-schema.md), Markdown, or a self-contained HTML page with charts.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the report to this file instead of printing it.")
def report_command(session_id: str, fmt: str, output: Path | None) -> None:
    """Print (or save) the feedback report of a session."""
    import asyncio

    from interviewer import llm, report, service

    settings = _settings()
    with _db(settings) as db:
        try:
            asyncio.run(service.score_pending(db=db, models=llm.Models(settings), session_id=session_id))
            content = service.build_report(db=db, session_id=session_id)
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
        from interviewer.service import PersonaNotFound

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
    """Newest sessions first: id, round, status, date, model, tokens and cost."""
    from interviewer import service, store

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


main.add_command(eval_group)
