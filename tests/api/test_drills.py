"""Drills through the API (issue 18): after a round with questions scored 2 or lower, a drill asks
them back once due, the most overdue first; when nothing is due it says so and offers the weakest."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from interviewer.catalog.loading import Catalog
from interviewer.storage.tables import DrillItem, InterviewSession

from tests.support.interviews import strong_candidate, weak_candidate


def weak_round(client: TestClient, *, language: str = "en", persona_id: str = "technical-ml") -> dict[str, Any]:
    """A round answered 'I don't know' four times, then ended; returns its report (which scores it)."""
    session = client.post("/api/sessions", json={"persona_id": persona_id, "language": language}).json()
    turn = session["turns"][-1]
    for i in range(4):
        turn = client.post(f"/api/sessions/{session['id']}/answers", json={"content": weak_candidate(turn)}, headers={"Idempotency-Key": f"k{i}"}).json()["reply"]
    assert client.post(f"/api/sessions/{session['id']}/end").json()["status"] == "ended"
    report = client.get(f"/api/sessions/{session['id']}/report")
    assert report.status_code == 200, report.text
    return report.json()


def low_questions(report: dict[str, Any]) -> dict[str, float]:
    """The report's questions whose final scores average 2 or lower."""
    means = {q["question_id"]: sum(s["score"] for s in q["scores"]) / len(q["scores"]) for q in report["questions"] if q["scores"]}
    return {q: m for q, m in means.items() if m <= 2}


def days_pass(client: TestClient, days: float) -> None:
    """Time passes without sleeping: every session so far started and ended `days` earlier."""
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        for session in db.exec(select(InterviewSession)):
            session.created_at -= timedelta(days=days)
            if session.ended_at is not None:
                session.ended_at -= timedelta(days=days)
            db.add(session)
        db.commit()


def drill(client: TestClient, **body: Any) -> Any:
    return client.post("/api/sessions", json={"persona_id": "technical-ml", "mode": "drill", **body})


@pytest.mark.parametrize(("language", "opening"), [("en", "Drill: "), ("fr", "Entraînement ciblé : ")])
def test_a_drill_opens_with_a_question_scored_two_or_lower_once_it_is_due(client: TestClient, language: str, opening: str) -> None:
    low = low_questions(weak_round(client, language=language))
    assert low, "the weak round has questions scored 2 or lower"
    days_pass(client, 2)
    # Documents are context, as in an interview: they do not change what a drill asks.
    response = drill(client, language=language, cv="MSc student. Project: a retrieval system in PyTorch.")
    assert response.status_code == 201, response.text
    session = response.json()
    assert session["mode"] == "drill" and session["language"] == language
    assert session["drill"]["nothing_due"] is False and session["drill"]["due_count"] == len(low)
    assert set(session["drill"]["question_ids"]) == set(low)
    [first] = session["turns"]
    assert first["question_id"] in low and first["content"].startswith(opening)
    assert session["progress"]["question_count"] == len(low), "a drill asks only what is due"
    # Asked without the round's greeting: the preface, then the question.
    assert first["content"].startswith(session["drill"]["message"] + "\n\n")


@pytest.mark.parametrize(("language", "said"), [("en", "Nothing is due for review today"), ("fr", "Rien n'est à revoir aujourd'hui")])
def test_nothing_due_says_so_and_offers_the_weakest_questions(client: TestClient, language: str, said: str) -> None:
    low = low_questions(weak_round(client, language=language))
    session = drill(client, language=language).json()
    assert session["drill"]["nothing_due"] is True and session["drill"]["due_count"] == 0
    assert session["drill"]["next_due_at"] is not None and session["drill"]["message"].startswith(said)
    assert session["turns"][0]["content"].startswith(said)
    weakest = session["drill"]["question_ids"]
    assert weakest[0] in low and session["turns"][0]["question_id"] == weakest[0]
    assert [low.get(q, 5) for q in weakest] == sorted(low.get(q, 5) for q in weakest), "the weakest first"


def test_a_good_drill_answer_moves_the_question_on_and_it_is_no_longer_due(client: TestClient, catalog: Catalog) -> None:
    low = low_questions(weak_round(client))
    days_pass(client, 2)
    session = drill(client).json()
    answer = strong_candidate(catalog, "technical-ml")
    turn, i = session["turns"][-1], 0
    while True:
        body = client.post(f"/api/sessions/{session['id']}/answers", json={"content": answer(turn)}, headers={"Idempotency-Key": f"d{i}"}).json()
        turn, i = body["reply"], i + 1
        if body["status"] == "ended":
            break
    report = client.get(f"/api/sessions/{session['id']}/report").json()
    asked = {q["question_id"]: q for q in report["questions"]}
    assert set(asked) == set(low), "the drill asked exactly the questions that were due"
    for _ in range(2):  # a report read again never moves the schedule on twice
        client.get(f"/api/sessions/{session['id']}/report")
        client.get("/history")
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        items = {row.question_id: row for row in db.exec(select(DrillItem))}
    for question_id, result in asked.items():
        score = sum(s["score"] for s in result["scores"]) / len(result["scores"])
        expected = 3 if score >= 4 else 1  # from 1 day: a good score moves to 3, a 3 keeps 1, a low one resets to 1
        assert items[question_id].interval_days == expected and items[question_id].reviews == 2, (question_id, score)
    assert any(item.interval_days == 3 for item in items.values()), "a strong answer lengthens the interval"


def test_drill_errors_say_what_to_fix(client: TestClient) -> None:
    unknown = drill(client, mode="sprint")
    assert unknown.status_code == 422 and "'interview' or 'drill'" in unknown.text
    nothing = drill(client)
    assert nothing.status_code == 409 and "practise the round first" in nothing.json()["detail"]
    assert drill(client, persona_id="astrologer").status_code == 404


def test_the_history_page_shows_what_is_due(client: TestClient) -> None:
    assert "Due for review" not in client.get("/history").text
    low = low_questions(weak_round(client))
    html = client.get("/history").text
    assert "Due for review" in html
    due_rows = re.findall(r'<tr data-question-id="([\w-]+)" class="(is-due|later)">', html)
    assert {q for q, _ in due_rows} == set(low) and {state for _, state in due_rows} == {"later"}
    days_pass(client, 2)
    html = client.get("/history").text
    assert html.count("due now") == len(low) and f"({len(low)} due)" in html
    assert 'data-persona="technical-ml"' in html and "/static/drill.js" in html
    # A drill is listed as one, and its few questions stay out of the round's progress chart.
    drilled = drill(client).json()
    turn = drilled["turns"][-1]
    for i in range(20):  # the whole drill, answered weakly: a complete session of the round
        body = client.post(f"/api/sessions/{drilled['id']}/answers", json={"content": weak_candidate(turn)}, headers={"Idempotency-Key": f"w{i}"}).json()
        turn = body["reply"]
        if body["status"] == "ended":
            break
    assert body["status"] == "ended"
    assert client.get(f"/api/sessions/{drilled['id']}/report").status_code == 200
    assert {s["id"]: s["mode"] for s in client.get("/api/sessions").json()}[drilled["id"]] == "drill"
    html = client.get("/history").text
    assert re.search(rf'<tr data-session-id="{drilled["id"]}">.*?drill</span>', html, re.S)
    assert "<circle" not in html.split('id="progress-title"', 1)[1], "the complete drill is no point of the round's progress"


def test_a_drill_runs_on_a_model_with_the_same_plan(model_client: TestClient, catalog: Catalog) -> None:
    low = low_questions(weak_round(model_client))
    assert low, "the judge scores short answers 2"
    days_pass(model_client, 2)
    session = drill(model_client).json()
    first = session["turns"][0]
    assert first["question_id"] in low and first["model"] == "gpt-4o-mini"
    preface, words = first["content"].split("\n\n", 1)
    assert preface == session["drill"]["message"] and preface.startswith("Drill: ")
    # The model phrased the planned question (the fake model says the question its prompt quotes).
    assert words == catalog.persona("technical-ml").question(first["question_id"]).text.en


def test_after_a_loop_a_drill_opens_with_a_question_its_technical_round_scored_two_or_lower(client: TestClient) -> None:
    loop = client.post("/api/loops", json={"rounds": ["recruiter-screen", "technical-ml"], "job_description": "ML intern, NLP team"}).json()
    for index in range(2):
        session = client.post(f"/api/loops/{loop['id']}/next").json()
        turn = session["turns"][-1]
        for i in range(4 if index == 1 else 0):
            turn = client.post(f"/api/sessions/{session['id']}/answers", json={"content": weak_candidate(turn)}, headers={"Idempotency-Key": f"l{i}"}).json()["reply"]
        client.post(f"/api/sessions/{session['id']}/end")
    low = low_questions(client.get(f"/api/sessions/{session['id']}/report").json())
    days_pass(client, 1)
    drilled = drill(client).json()
    assert drilled["drill"]["nothing_due"] is False and drilled["turns"][0]["question_id"] in low


def test_the_schedule_is_listed_per_user_with_what_is_due(client: TestClient, catalog: Catalog) -> None:
    assert client.get("/api/drills").json() == []
    low = low_questions(weak_round(client))
    listed = client.get("/api/drills").json()
    assert {i["question_id"] for i in listed} == set(low)
    assert all(not i["due"] and i["interval_days"] == 1 and i["last_score"] == pytest.approx(low[i["question_id"]], abs=0.01) for i in listed)
    days_pass(client, 2)
    french = client.get("/api/drills", params={"language": "fr"}).json()
    assert all(i["due"] for i in french)
    persona = catalog.persona("technical-ml")
    assert [i["question"] for i in french] == [persona.question(i["question_id"]).text.fr for i in french]
    assert client.get("/api/drills", params={"language": "de"}).status_code == 422
