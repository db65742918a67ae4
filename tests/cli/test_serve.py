"""`interviewer serve` refuses several workers on SQLite (one writer, per-worker turn locks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli.main import main
from interviewer.ops.settings import get_settings


def test_serve_refuses_several_workers_on_sqlite_and_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEWER_DATABASE_URL", f"sqlite:///{tmp_path / 'interviewer.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output and "--workers" in result.output
