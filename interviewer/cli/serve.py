"""`interviewer serve`: the API and the browser pages, one or several worker processes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from interviewer.cli.common import load_settings, open_catalog


@click.command()
@click.option("--host", default=None, help="Interface to bind (default from INTERVIEWER_HOST, 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default from INTERVIEWER_PORT, 8000).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes (default from INTERVIEWER_WORKERS, 1); any of them serves any request.")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web API (OpenAPI docs at /docs)."""
    import uvicorn

    from interviewer.cli.db import database
    from interviewer.ops.logs import logging_config
    from interviewer.ops.settings import get_settings
    from interviewer.ops.tokens import token_required

    if host:
        # Workers read their settings from the environment, and the address decides the auth mode.
        os.environ["INTERVIEWER_HOST"] = host
        get_settings.cache_clear()
    settings = load_settings()
    if token_required(settings):
        click.echo(f"API tokens required (bound to {settings.host}); create one with `interviewer users add NAME`.", err=True)
    # Checked once here, before any worker starts: a bad catalog or a database behind the code's
    # schema stops start-up with one line saying what to fix (SQLite is migrated first).
    open_catalog(settings)
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
