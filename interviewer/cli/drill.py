"""`interviewer drill`: a drill in the terminal (issue 18), as `POST /api/sessions` with mode drill
does it: the questions due for review, the most overdue first, or the weakest ones when none is due.
The round then runs as `interviewer chat` runs it, and its report is printed at the end.
"""

from __future__ import annotations

import click

from interviewer.cli.chat import Runner, round_report, show_report, start_round


@click.command()
@click.option("--persona", "persona_id", default=None, help="Round to drill, e.g. technical-ml (default: the round with the most overdue question).")
@click.option("--lang", "language", type=click.Choice(["en", "fr"]), default=None, help="Interview language (default: the persona's).")
def drill(persona_id: str | None, language: str | None) -> None:
    """Drill the questions you answered worst, on their spaced-practice schedule (1, 3, 7, 14 days).

    Without --persona, the round with the most overdue question is drilled. Answers are sent with
    /send on their own line or Ctrl-D; /end finishes the drill."""
    from sqlmodel import Session

    from interviewer.catalog.loading import CatalogError, load_catalog
    from interviewer.cli.db import database
    from interviewer.interview import drill_schedule, drills, service
    from interviewer.interview import errors
    from interviewer.models import llm
    from interviewer.ops.settings import get_settings
    from interviewer.storage import tables as store

    settings = get_settings()
    try:
        catalog = load_catalog(settings.personas_dir, settings.rubrics_dir)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc
    models = llm.Models(settings)
    run = Runner()
    try:
        with Session(database(settings)) as db:
            try:
                now = store.now()
                persona_id = persona_id or drill_schedule.round_to_drill(db=db, user_id=store.LOCAL_USER, now=now)
                persona = catalog.personas.get(persona_id)
                if persona is None:
                    raise errors.PersonaNotFound(persona_id, sorted(catalog.personas))
                plan = drill_schedule.drill_plan(db=db, persona=persona, user_id=store.LOCAL_USER, now=now)
                preface = drills.preface(plan, language or persona.language)  # type: ignore[arg-type]
                session_id = start_round(
                    run=run, db=db, models=models, settings=settings, persona_id=persona.id, language=language,
                    job_description=None, cv=None, takehome=None, drill=service.Drill(questions=plan.questions, preface=preface),
                )
                content = round_report(run=run, db=db, models=models, session_id=session_id)
            except (errors.ServiceError, llm.ModelError) as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        run.close()
    show_report(content, session_id)
