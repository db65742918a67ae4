"""Deleting a session removes everything derived from it; `interviewer sessions purge` removes
old sessions. Checked in the database tables themselves, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer.cli.main import main
from interviewer.ops.settings import get_settings
from interviewer.storage.tables import InterviewSession, now

TABLES = ("turn", "answer_score", "report", "report_share")


def rows(engine: Engine, session_id: str) -> dict[str, int]:
    with engine.connect() as connection:
        counts = {t: connection.execute(text(f"SELECT count(*) FROM {t} WHERE session_id = :id"), {"id": session_id}).scalar_one() for t in (*TABLES, "judge_call")}
        counts["interview_session"] = connection.execute(text("SELECT count(*) FROM interview_session WHERE id = :id"), {"id": session_id}).scalar_one()
    return counts


def interview(client: TestClient) -> str:
    """A session with turns, scores, a stored report and a share link."""
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    for i in range(2):
        client.post(f"/api/sessions/{session_id}/answers", json={"content": f"Private answer {i} about likelihood and priors."})
    assert client.get(f"/api/sessions/{session_id}/report").status_code == 200
    assert client.post(f"/api/sessions/{session_id}/share").status_code == 201
    return session_id


def test_delete_removes_turns_scores_reports_and_share_links(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    kept, deleted = interview(client), interview(client)
    before, kept_before = rows(engine, deleted), rows(engine, kept)
    assert all(before[t] > 0 for t in (*TABLES, "interview_session")), before
    assert client.delete(f"/api/sessions/{deleted}").status_code == 204
    assert set(rows(engine, deleted).values()) == {0}
    assert rows(engine, kept) == kept_before  # the other session is untouched
    assert client.get(f"/api/sessions/{deleted}/report").status_code == 404


def test_purge_deletes_only_sessions_older_than_the_age_given(
    client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    old, recent = interview(client), interview(client)
    with Session(engine) as db:
        session = db.get(InterviewSession, old)
        assert session is not None
        session.created_at = now() - timedelta(days=31)
        db.add(session)
        db.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(main, ["sessions", "purge", "--older-than", "thirty"])
        assert refused.exit_code == 2 and "30d" in refused.output
        asked = CliRunner().invoke(main, ["sessions", "purge", "--older-than", "30d"], input="n\n")
        assert asked.exit_code == 1 and rows(engine, old)["interview_session"] == 1
        result = CliRunner().invoke(main, ["sessions", "purge", "--older-than", "30d", "--yes"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Deleted 1 session " in result.output
    assert set(rows(engine, old).values()) == {0}
    assert rows(engine, recent)["turn"] == 5 and rows(engine, recent)["report"] == 1
