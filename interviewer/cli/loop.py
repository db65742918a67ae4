"""`interviewer loop start|next|list`: rehearse a whole hiring loop in the terminal (issue 18), round
after round with one dossier, offline by default like `interviewer chat`. Each round is a chat; when it
ends, it leaves its handoff notes for the next rounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from interviewer.catalog.loading import Catalog
    from interviewer.cli.chat import Runner
    from interviewer.interview.loops import LoopView
    from interviewer.models.llm import Models
    from interviewer.ops.settings import Settings


def settings_now() -> Settings:
    from interviewer.ops.settings import get_settings

    return get_settings()


def catalog_of(settings: Settings) -> Catalog:
    from interviewer.catalog.loading import CatalogError, load_catalog

    try:
        return load_catalog(settings.personas_dir, settings.rubrics_dir)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc


def document(path: Path | None) -> str | None:
    """A document given on the command line: Markdown, text, a notebook or a PDF."""
    if path is None:
        return None
    from interviewer.interview.documents import DocumentError, read_document

    try:
        return read_document(path.name, path.read_bytes())
    except DocumentError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc


def print_loop(view: LoopView) -> None:
    loop = view.loop
    click.secho(f"Loop {loop.id} ({loop.language}) - {view.status.replace('_', ' ')}", bold=True)
    for state in view.rounds:
        session = f"  session {state.session_id}" if state.session_id else ""
        click.echo(f"  {state.index + 1}. {state.persona_id:<18} {state.status.replace('_', ' '):<12}{session}")


def play_next(*, run: Runner, engine: Engine, models: Models, settings: Settings, catalog: Catalog, loop_id: str, user_id: str) -> str:
    """Start the loop's next round in the terminal, converse until it ends, and leave its notes."""
    from sqlmodel import Session

    from interviewer.cli.chat import SEND_HINT, converse
    from interviewer.interview import loops
    from interviewer.interview import replies
    from interviewer.ops.locks import KeyedLocks

    locks = KeyedLocks(engine, lease_s=settings.model_timeout * (settings.model_retries + 1) + 30, prefix="scoring")
    with Session(engine) as db:
        view = loops.get_loop(db=db, loop_id=loop_id, user_id=user_id)
        index = loops.next_index(db=db, loop_id=loop_id, user_id=user_id)
    # The ended rounds' answers are scored and their notes derived again (idempotent), as the API does.
    for state in view.rounds:
        if state.status == "ended" and state.session_id is not None:
            run(loops.leave_notes_when_ended(engine=engine, models=models, locks=locks, session_id=state.session_id))
    claims, calls = None, []
    if loops.needs_claims(catalog=catalog, loop=view.loop, index=index):
        from interviewer.interview import takehome as takehome_module
        from interviewer.models import calls as calls_module

        with calls_module.ledger() as calls:
            claims = run(takehome_module.claims_for(models, view.loop.takehome or "", language=view.loop.language))
    with Session(engine) as db:
        pending = loops.prepare_round(db=db, catalog=catalog, settings=settings, loop_id=loop_id, user_id=user_id, claims=claims)
    persona, session_id = pending.context.persona, pending.session.id
    click.secho(f"Round {index + 1} of {len(view.rounds)}: {persona.name}, {persona.role} - session {session_id}", bold=True)
    click.echo(SEND_HINT + "\n")
    text, usage = run(replies.reply_text(models, pending))
    click.secho(f"{persona.name}: ", fg="cyan", bold=True, nl=False)
    click.echo(text + "\n")
    with Session(engine) as db:
        loops.store_round(db=db, pending=pending, text=text, usage=usage, calls=calls)
        converse(run=run, db=db, models=models, settings=settings, session_id=session_id, name=persona.name)
    notes = run(loops.leave_notes_when_ended(engine=engine, models=models, locks=locks, session_id=session_id))
    click.secho(f"Round {index + 1} ended; it left {len(notes)} note(s) for the next interviewers.", dim=True)
    for note in notes:
        click.secho(f"  - {note.text}", dim=True)
    return session_id


def run_round(loop_id: str | None, make: object = None) -> None:
    """Open the database and a model client, start the next round of `loop_id` (or of the loop `make`
    creates), and say what comes next."""
    from sqlmodel import Session

    from interviewer.cli.chat import Runner
    from interviewer.cli.db import database
    from interviewer.interview import errors
    from interviewer.interview import loops
    from interviewer.models import llm
    from interviewer.storage import tables as store

    settings = settings_now()
    catalog = catalog_of(settings)
    engine = database(settings)
    models = llm.Models(settings)
    run = Runner()
    try:
        if loop_id is None:
            assert callable(make)
            with Session(engine) as db:
                view = make(db, catalog, settings)
            loop_id = view.loop.id
            print_loop(view)
            click.echo()
        play_next(run=run, engine=engine, models=models, settings=settings, catalog=catalog, loop_id=loop_id, user_id=store.LOCAL_USER)
        with Session(engine) as db:
            view = loops.get_loop(db=db, loop_id=loop_id, user_id=store.LOCAL_USER)
    except (errors.ServiceError, llm.ModelError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        run.close()
        engine.dispose()
    click.echo()
    print_loop(view)
    if view.status == "done":
        click.secho(f"Every round is played. The debrief: interviewer loop debrief {loop_id}", fg="green")
    else:
        click.secho(f"Next round: interviewer loop next {loop_id}", fg="green")


@click.group("loop")
def loop_group() -> None:
    """Rehearse a whole hiring loop: rounds one after another, with one dossier and handoff notes."""


@loop_group.command("start")
@click.option("--rounds", default=None, help="Persona ids, comma-separated (default: recruiter-screen,technical-ml,manager-fit,takehome-review).")
@click.option("--lang", "language", type=click.Choice(["en", "fr"]), default=None, help="Language of every round (default: the first round's persona's).")
@click.option("--job-description", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A job description (.md, .txt or .pdf).")
@click.option("--cv", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your CV (.md, .txt or .pdf).")
@click.option("--takehome", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your take-home write-up (.md, .txt, .ipynb or .pdf).")
def start(rounds: str | None, language: str | None, job_description: Path | None, cv: Path | None, takehome: Path | None) -> None:
    """Create a loop with its dossier and play its first round.

    Answers may span paragraphs: send with /send on its own line, or Ctrl-D; /end finishes the round."""
    from interviewer.interview import loops
    from interviewer.storage import tables as store

    chosen = [r.strip() for r in rounds.split(",") if r.strip()] if rounds is not None else None
    documents = {"job_description": document(job_description), "cv": document(cv), "takehome": document(takehome)}

    def make(db: object, catalog: Catalog, settings: Settings) -> LoopView:
        return loops.create_loop(
            db=db, catalog=catalog, user_id=store.LOCAL_USER, rounds=chosen, language=language,  # type: ignore[arg-type]
            takehome_name=takehome.name if takehome else None, document_limit=settings.max_document_chars, **documents,
        )

    run_round(None, make)


@loop_group.command("next")
@click.argument("loop_id")
def next_round(loop_id: str) -> None:
    """Play the loop's next round, with the notes the earlier rounds left."""
    run_round(loop_id)


@loop_group.command("list")
def list_loops() -> None:
    """Your loops, newest first, with the state of each round."""
    from sqlmodel import Session

    from interviewer.cli.db import database
    from interviewer.interview import loops
    from interviewer.storage import tables as store

    engine = database(settings_now())
    try:
        with Session(engine) as db:
            views = loops.list_loops(db=db, user_id=store.LOCAL_USER)
    finally:
        engine.dispose()
    if not views:
        click.echo("No loops yet: start one with `interviewer loop start`.")
        return
    for view in views:
        print_loop(view)


@loop_group.command("debrief")
@click.argument("loop_id")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "html"]), default="md", show_default=True,
              help="JSON, Markdown, or one self-contained HTML page with SVG charts.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the debrief to this file instead of printing it.")
def debrief(loop_id: str, fmt: str, output: Path | None) -> None:
    """The loop's debrief: each round's scores, consistency across rounds, competencies and a practice plan
    (partial, and marked so, while rounds are unfinished)."""
    import asyncio

    from interviewer.cli.db import database
    from interviewer.feedback.debrief_html import render_html
    from interviewer.feedback.debrief_markdown import render_markdown
    from interviewer.interview import debriefing
    from interviewer.interview import errors
    from interviewer.models import llm
    from interviewer.ops.locks import KeyedLocks
    from interviewer.storage import tables as store

    settings = settings_now()
    catalog = catalog_of(settings)
    engine = database(settings)
    locks = KeyedLocks(engine, lease_s=settings.model_timeout * (settings.model_retries + 1) + 30, prefix="scoring")
    try:
        # Answers still unscored are judged first (offline by default), as for a report.
        content = asyncio.run(debriefing.debrief_for(
            engine=engine, models=llm.Models(settings), locks=locks, loop_id=loop_id, user_id=store.LOCAL_USER, catalog=catalog,
        ))
    except (errors.ServiceError, llm.ModelError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    text = content.model_dump_json(indent=2) if fmt == "json" else render_markdown(content) if fmt == "md" else render_html(content)
    if output is None:
        click.echo(text)
        return
    output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    click.echo(f"Debrief written to {output}")
