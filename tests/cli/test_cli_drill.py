"""`interviewer drill` in a terminal: the same plan as the API's drill mode (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from interviewer.cli.main import main
from interviewer.ops.settings import get_settings
from interviewer.storage.database import make_engine
from interviewer.storage.tables import InterviewSession

WEAK = "I don't know, not sure.\n/send\n" * 4 + "/end\n"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def days_pass(url: str, days: float) -> None:
    """Time passes without sleeping: every session so far ended `days` earlier."""
    engine = make_engine(url)
    with Session(engine) as db:
        for session in db.exec(select(InterviewSession)):
            session.created_at -= timedelta(days=days)
            session.ended_at = session.ended_at - timedelta(days=days) if session.ended_at else None
            db.add(session)
        db.commit()
    engine.dispose()


def test_drill_asks_the_weakest_then_what_is_due_and_prints_its_report(database: str) -> None:
    runner = CliRunner()
    nothing = runner.invoke(main, ["drill"], input="/end\n")
    assert nothing.exit_code == 1 and "practise the round first" in nothing.output

    played = runner.invoke(main, ["chat", "--persona", "technical-ml"], input=WEAK)
    assert played.exit_code == 0, played.output

    weakest = runner.invoke(main, ["drill", "--persona", "technical-ml"], input="/end\n")
    assert weakest.exit_code == 0, weakest.output
    assert "Nothing is due for review today" in weakest.output and "Mock interview report" in weakest.output

    days_pass(database, 2)
    due = runner.invoke(main, ["drill", "--lang", "fr"], input="/end\n")
    assert due.exit_code == 0, due.output
    # Without --persona, the round with the most overdue question; its preface in the drill's language.
    assert "Entraînement ciblé :" in due.output and "à revoir aujourd'hui" in due.output
    assert "Lena Weiss" in due.output
