"""What the command groups share: settings, the catalog, a database session and documents given
on the command line, each failing with a message the user can act on."""

from __future__ import annotations

from pathlib import Path

import click


def load_settings() -> Settings:
    from interviewer.ops.settings import get_settings

    return get_settings()


def open_catalog(settings: Settings) -> Catalog:
    from interviewer.catalog.loading import CatalogError, load_catalog

    try:
        return load_catalog(settings.personas_dir, settings.rubrics_dir)
    except CatalogError as exc:
        raise click.ClickException(str(exc)) from exc


def open_db(settings: Settings) -> Session:
    from sqlmodel import Session

    from interviewer.cli.db import database

    return Session(database(settings))


def read_path(path: Path | None) -> str | None:
    """A document given on the command line: Markdown, text, a notebook or a PDF."""
    if path is None:
        return None
    from interviewer.interview.documents import DocumentError, read_document

    try:
        return read_document(path.name, path.read_bytes())
    except DocumentError as exc:
        raise click.ClickException(str(exc)) from exc
