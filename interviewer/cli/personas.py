"""`interviewer personas`: list, show and validate the interview rounds."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from interviewer.cli.common import load_settings, open_catalog


@click.group()
def personas() -> None:
    """List, show and validate the interview rounds."""


@personas.command("list")
def personas_list() -> None:
    """One line per persona: id, interviewer, role, duration."""
    catalog = open_catalog(load_settings())
    for p in catalog.personas.values():
        click.echo(f"{p.id:<18} {p.name} - {p.role} ({p.duration_minutes} min, {len(p.questions)} questions)")


@personas.command("show")
@click.argument("persona_id")
def personas_show(persona_id: str) -> None:
    """A persona's plan and its rubric's criteria."""
    catalog = open_catalog(load_settings())
    persona = catalog.personas.get(persona_id)
    if persona is None:
        from interviewer.interview.errors import PersonaNotFound

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
    from interviewer.catalog.loading import CatalogError, load_catalog

    settings = load_settings()
    personas_dir = paths[0] if paths else settings.personas_dir
    rubrics_dir = paths[1] if len(paths) > 1 else settings.rubrics_dir
    try:
        catalog = load_catalog(personas_dir, rubrics_dir)
    except CatalogError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    from interviewer.assessment.phrase_lint import phrase_warnings, reference_warnings

    warnings = [(rubric_id, w) for rubric_id, rubric in sorted(catalog.rubrics.items()) for w in phrase_warnings(rubric)]
    misread = [(p.rubric, w) for _, p in sorted(catalog.personas.items()) for w in reference_warnings(p, catalog.rubric_for(p))]
    for rubric_id, warning in warnings + misread:
        click.secho(f"warning: rubric {rubric_id}: {warning}", fg="yellow", err=True)
    counts = [f"{len(warnings)} phrase warnings"] * bool(warnings) + [f"{len(misread)} misreadings of reference answers"] * bool(misread)
    click.echo(f"OK: {len(catalog.personas)} personas, {len(catalog.rubrics)} rubrics" + (f" ({', '.join(counts)})" if counts else ""))
