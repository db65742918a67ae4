"""Reports of whole interviews, for every shipped round, in the three formats, through the API
and the CLI; and the progress history across sessions of one round."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from interviewer.catalog.loading import Catalog
from interviewer.cli.main import main
from interviewer.feedback.lessons import load_lessons
from interviewer.feedback.schema import Report
from interviewer.ops.settings import Settings, get_settings

from tests.support.interviews import Candidate, play, strong_candidate, weak_candidate
from tests.feedback.test_report import external_references

ROUNDS = ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]


def mixed_candidate(catalog: Catalog, persona_id: str) -> Candidate:
    """Strong on every other question and hedging on the rest, so the report has both sides."""
    strong = strong_candidate(catalog, persona_id)
    order: list[str] = []

    def answer(turn: dict[str, Any]) -> str:
        question_id = turn["question_id"]
        if question_id and question_id not in order:
            order.append(question_id)
        return weak_candidate(turn) if question_id and order.index(question_id) % 2 else strong(turn)

    return answer


def said_by_candidate(session: dict[str, Any]) -> str:
    """Everything the candidate said, whitespace collapsed: quotes are checked the way
    `scoring.verify_evidence` checks them (a quote may span a line break of the answer)."""
    return " ".join(" ".join(t["content"] for t in session["turns"] if t["role"] == "candidate").split())


def quoted(quote: str, said: str) -> bool:
    return " ".join(quote.split()) in said


@pytest.mark.parametrize("persona_id", ROUNDS)
def test_every_round_reports_in_json_markdown_and_html(client: TestClient, catalog: Catalog, persona_id: str) -> None:
    session = play(client, persona_id, mixed_candidate(catalog, persona_id))
    said = said_by_candidate(session)
    rubric = catalog.rubric_for(catalog.persona(persona_id))

    body = client.get(f"/api/sessions/{session['id']}/report").json()
    built = Report.model_validate(body)
    assert built.overall.score is not None and built.overall.band is not None
    assert "not a hiring decision" in built.disclaimer
    assert {c.id for c in built.criteria} <= {c.id for c in rubric.criteria}
    for q in built.questions:
        assert q.answered and q.answer_excerpt and q.question
        for s in q.scores:
            assert s.anchor == rubric.criterion(s.criterion_id).levels[s.score]
            assert all(quoted(quote, said) for quote in s.evidence)
        key = rubric.questions.get(q.question_id)
        assert q.key_points == ([p.label for p in key.key_points] if key else [])
        assert set(q.missing_key_points) <= set(q.key_points)
    assert 1 <= len(built.strengths) <= 3 and 1 <= len(built.improvements) <= 3
    for h in built.strengths + built.improvements:
        assert quoted(h.quote, said), h
    domain_lessons = {lesson.domain_lesson for lesson in load_lessons().lessons}
    for lesson in built.lessons:
        assert lesson.domain_lesson in domain_lessons
        assert all(quoted(o.quote, said) for o in lesson.occurrences)
    assert [h.current for h in built.history] == [True]
    assert built.usage.cost_usd == 0.0 and built.usage.turns == len(session["turns"])

    markdown = client.get(f"/api/sessions/{session['id']}/report?format=md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "## Strengths" in markdown.text and "## What to improve" in markdown.text
    assert built.strengths[0].quote in markdown.text

    page = client.get(f"/api/sessions/{session['id']}/report?format=html")
    assert page.headers["content-type"].startswith("text/html")
    assert external_references(page.text) == [] and page.text.count("<svg") == 2
    assert built.session.interviewer in page.text


def _short_session(client: TestClient, persona_id: str, answer: str) -> str:
    created = client.post("/api/sessions", json={"persona_id": persona_id}).json()
    client.post(f"/api/sessions/{created['id']}/answers", json={"content": answer})
    client.post(f"/api/sessions/{created['id']}/end")
    return created["id"]


def test_progress_history_covers_past_sessions_of_the_same_round(client: TestClient) -> None:
    first = _short_session(client, "technical-ml", "I don't know, not sure.")
    first_score = client.get(f"/api/sessions/{first}/report").json()["overall"]["score"]
    other_round = _short_session(client, "recruiter-screen", "I don't know.")
    client.get(f"/api/sessions/{other_round}/report")
    unreported = _short_session(client, "technical-ml", "Never asked for its report.")
    second = _short_session(client, "technical-ml", "I'm not sure, but I would reason from the definition, with an example.")

    history = client.get(f"/api/sessions/{second}/report").json()["history"]
    assert [h["session_id"] for h in history] == [first, second]
    assert history[0]["score"] == first_score and not history[0]["current"] and history[1]["current"]
    assert unreported not in [h["session_id"] for h in history]
    # Both rounds were ended after one answer: unfinished, so no trend line is drawn from them.
    assert all(not h["complete"] for h in history)
    assert "<polyline" not in client.get(f"/api/sessions/{second}/report?format=html").text

    # A deleted session leaves the progress chart with its data.
    client.delete(f"/api/sessions/{first}")
    assert [h["session_id"] for h in client.get(f"/api/sessions/{second}/report").json()["history"]] == [second]


def test_unknown_report_format_is_refused(client: TestClient) -> None:
    session = _short_session(client, "manager-fit", "I would choose the energy topic.")
    response = client.get(f"/api/sessions/{session}/report?format=pdf")
    assert response.status_code == 422 and "html" in response.text


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_cli_report_in_every_format(client: TestClient, cli: CliRunner, tmp_path: Path) -> None:
    session = _short_session(client, "takehome-review", "I trained a PPO agent and reached 200 reward over 5 seeds.")
    as_json = cli.invoke(main, ["report", session, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert Report.model_validate_json(as_json.output).session.id == session
    as_md = cli.invoke(main, ["report", session])
    assert as_md.exit_code == 0 and as_md.output.startswith("# Mock interview report")
    out = tmp_path / "report.html"
    as_html = cli.invoke(main, ["report", session, "--format", "html", "--output", str(out)])
    assert as_html.exit_code == 0 and str(out) in as_html.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and external_references(page) == []
