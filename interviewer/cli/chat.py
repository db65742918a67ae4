"""`interviewer chat`: a round in the terminal. Answers span paragraphs (sent with /send or Ctrl-D),
Ctrl-C pauses (end the round or resume it), `--resume ID` continues an open session, and the
report is rendered for the terminal with rich.

The loop is synchronous around one event loop: asyncio.run would turn Ctrl-C into a task
cancellation that a blocking input() never sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from sqlmodel import Session

    from interviewer.feedback.schema import Report
    from interviewer.interview.service import Drill
    from interviewer.models.calls import TextStream, Usage
    from interviewer.models.llm import Models
    from interviewer.ops.settings import Settings

SEND_HINT = (
    "(answers can span paragraphs: type /send on its own line, or press Ctrl-D, to send; "
    "/end finishes the round; Ctrl-C pauses)"
)
T = TypeVar("T")


class Runner:
    """One event loop for the whole round: model clients are bound to the loop that created them."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def __call__(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        from interviewer.cli.simulation import close_loop

        close_loop(self.loop)


def read_answer(draft: list[str]) -> str | None:
    """Lines (blank ones kept, so paragraphs paste whole) until `/send` or Ctrl-D; None at end of input.
    The lines are kept in `draft`, so a Ctrl-C pause loses nothing typed."""
    while True:
        try:
            line = input("> " if not draft else "  ")
        except EOFError:
            return "\n".join(draft).strip() or None
        if line.strip() == "/send":
            text = "\n".join(draft).strip()
            if text:
                return text
            click.secho("(nothing to send yet: type your answer, then /send)", dim=True)
            continue
        if not draft and line.strip() == "/end":
            return "/end"
        draft.append(line)


def wants_to_end(session_id: str) -> bool:
    """After Ctrl-C: end the round (True) or resume it (False); a second Ctrl-C leaves it open."""
    click.echo()
    while True:
        try:
            choice = input("Paused. End the round now and see the report (e), or resume (r)? [r] ").strip().lower() or "r"
        except (KeyboardInterrupt, EOFError):
            click.secho(f"\nThe round stays open. Continue it later: interviewer chat --resume {session_id}", fg="yellow")
            raise SystemExit(130) from None
        if choice in ("e", "r"):
            return choice == "e"


async def _print_stream(name: str, stream: TextStream) -> tuple[str, Usage]:
    click.secho(f"{name}: ", fg="cyan", bold=True, nl=False)
    parts: list[str] = []
    async for delta in stream:
        parts.append(delta)
        click.echo(delta, nl=False)
    click.echo("\n")
    assert stream.usage is not None
    return "".join(parts), stream.usage


def _say(name: str, text: str) -> None:
    click.secho(f"{name}: ", fg="cyan", bold=True, nl=False)
    click.echo(text + "\n")


def send(*, run: Runner, db: Session, models: Models, settings: Settings, session_id: str, name: str, answer: str, key: str) -> str:
    """Send one answer and print the reply; returns the session's status."""
    from interviewer.interview import replies
    from interviewer.interview import service

    outcome = service.accept_answer(db=db, session_id=session_id, content=answer, idempotency_key=key, answer_limit=settings.max_answer_chars)
    if isinstance(outcome, replies.PendingReply):
        text, usage = run(_print_stream(name, replies.reply_stream(models, outcome)))
        outcome = replies.store_reply(db=db, pending=outcome, text=text, usage=usage)
    else:
        _say(name, outcome.reply.content)
    return outcome.status


def converse(*, run: Runner, db: Session, models: Models, settings: Settings, session_id: str, name: str) -> None:
    """Answer after answer until the round ends, /end is typed, or the candidate ends it at a Ctrl-C."""
    from interviewer.interview import errors
    from interviewer.interview import service
    from interviewer.models import llm
    from interviewer.storage.tables import new_id

    status, key, answer = "active", None, None
    draft: list[str] = []
    while status == "active":
        try:
            if key is None:
                answer = read_answer(draft)
                if answer is None or answer == "/end":
                    service.end_session(db=db, session_id=session_id)
                    return
                key = new_id()
            assert answer is not None
            status = send(run=run, db=db, models=models, settings=settings, session_id=session_id, name=name, answer=answer, key=key)
            key, draft = None, []
        except KeyboardInterrupt:
            # A sent answer is stored; resuming resends it with the same key, so nothing is duplicated.
            if wants_to_end(session_id):
                service.end_session(db=db, session_id=session_id)
                return
            click.echo(SEND_HINT + "\n")
        except errors.ServiceError as exc:
            click.secho(f"! {exc}", fg="red")
            key, draft = None, []
        except llm.ModelError as exc:
            click.secho(f"! {exc}", fg="red")
            if not click.confirm("Your answer is saved. Retry the reply?", default=True):
                service.end_session(db=db, session_id=session_id)
                return


def start_round(
    *, run: Runner, db: Session, models: Models, settings: Settings, persona_id: str, language: str | None,
    job_description: str | None, cv: str | None, takehome: str | None, drill: Drill | None = None,
) -> str:
    """Open a new session, print its opening, and converse; returns the session id.
    `drill` asks its questions instead of the round's plan (`interviewer drill`)."""
    from interviewer.cli.common import open_catalog
    from interviewer.interview import replies
    from interviewer.interview import service
    from interviewer.interview import takehome as takehome_module
    from interviewer.models import calls as calls_module

    catalog = open_catalog(settings)
    persona = catalog.personas.get(persona_id)
    claims, calls = None, []
    if takehome and persona is not None and persona.takehome is not None:
        with calls_module.ledger() as calls:  # the claims call is accounted to the session it starts
            claims = run(takehome_module.claims_for(models, takehome, language=language or persona.language))
    pending = service.prepare_session(
        catalog=catalog, model=settings.model, persona_id=persona_id, language=language,  # type: ignore[arg-type]
        job_description=job_description, cv=cv, takehome=takehome, claims=claims, document_limit=settings.max_document_chars,
        drill=drill,
    )
    persona, session_id = pending.context.persona, pending.session.id
    click.secho(f"{persona.name}, {persona.role} - session {session_id}", bold=True)
    click.echo(SEND_HINT + "\n")
    if pending.preface:
        click.secho(pending.preface + "\n", bold=True)
    text, usage = run(_print_stream(persona.name, replies.reply_stream(models, pending)))
    service.store_session(db=db, pending=pending, text=text, usage=usage, calls=calls)
    converse(run=run, db=db, models=models, settings=settings, session_id=session_id, name=persona.name)
    return session_id


def resume_round(*, run: Runner, db: Session, models: Models, settings: Settings, session_id: str) -> str:
    """Continue an open session: its last question again, or the reply its last answer is missing."""
    from interviewer.interview import state
    from interviewer.storage.tables import new_id

    view = state.get_session(db=db, session_id=session_id)
    if view.session.status != "active":
        raise click.ClickException(f"session {session_id} has ended; read its report: interviewer report {session_id}")
    name = view.persona.name
    click.secho(f"{name}, {view.persona.role} - session {session_id} (resumed)", bold=True)
    click.echo(SEND_HINT + "\n")
    last = view.turns[-1]
    status = "active"
    if last.role == "candidate":
        # The last answer never got its reply: send it again with its own key.
        status = send(run=run, db=db, models=models, settings=settings, session_id=session_id, name=name,
                      answer=last.content, key=last.idempotency_key or new_id())
    else:
        _say(name, last.content)
    if status == "active":
        converse(run=run, db=db, models=models, settings=settings, session_id=session_id, name=name)
    return session_id


def round_report(*, run: Runner, db: Session, models: Models, session_id: str) -> Report:
    """The report a terminal round ends with, its answers scored first."""
    from interviewer.interview import reporting

    run(reporting.score_pending(db=db, models=models, session_id=session_id))
    return reporting.build_report(db=db, session_id=session_id)


def show_report(content: Report, session_id: str) -> None:
    """The report printed for the terminal, and how to see it again."""
    from interviewer.feedback import report

    print_report(report.render_markdown(content))
    click.secho(f"Report saved. Again later: interviewer report {session_id} --format md", dim=True)


def print_report(markdown: str) -> None:
    """The report for a terminal: headings, tables and colour by rich (plain text when piped)."""
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(markdown))


@click.command()
@click.option("--persona", "persona_id", default=None, help="Round to rehearse, e.g. technical-ml (see `interviewer personas list`).")
@click.option("--resume", "resume_id", default=None, help="Continue an open session by its id (see `interviewer sessions list`).")
@click.option("--lang", "language", type=click.Choice(["en", "fr"]), default=None, help="Interview language (default: the persona's).")
@click.option("--job-description", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A job description (.md, .txt or .pdf).")
@click.option("--cv", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your CV (.md, .txt or .pdf).")
@click.option("--takehome", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Your take-home write-up (.md, .txt, .ipynb or .pdf).")
def chat(
    persona_id: str | None, resume_id: str | None, language: str | None,
    job_description: Path | None, cv: Path | None, takehome: Path | None,
) -> None:
    """Run a mock interview in the terminal; the report is printed at the end.

    Answers may span paragraphs: send with /send on its own line, or Ctrl-D.
    Ctrl-C pauses the round: end it, or resume it."""
    from interviewer.cli.common import open_db, read_path, load_settings
    from interviewer.interview import errors
    from interviewer.models import llm

    if (persona_id is None) == (resume_id is None):
        raise click.UsageError("give --persona ROUND to start a round, or --resume SESSION_ID to continue one")
    settings = load_settings()
    models = llm.Models(settings)
    run = Runner()
    try:
        with open_db(settings) as db:
            try:
                if resume_id is not None:
                    session_id = resume_round(run=run, db=db, models=models, settings=settings, session_id=resume_id)
                else:
                    assert persona_id is not None
                    session_id = start_round(
                        run=run, db=db, models=models, settings=settings, persona_id=persona_id, language=language,
                        job_description=read_path(job_description), cv=read_path(cv), takehome=read_path(takehome),
                    )
                content = round_report(run=run, db=db, models=models, session_id=session_id)
            except (errors.ServiceError, llm.ModelError) as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        run.close()
    show_report(content, session_id)
