"""The sessions contract: creation, answers, idempotency, errors that say what to fix, reports, deletion."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml", **body})
    assert response.status_code == 201, response.text
    return response.json()


def answer(client: TestClient, session_id: str, content: str, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(f"/api/sessions/{session_id}/answers", json={"content": content}, headers=headers)


def test_start_returns_the_first_interviewer_turn(client: TestClient) -> None:
    session = start(client, job_description="ML intern, NLP team", cv="MSc student")
    assert session["status"] == "active"
    [first] = session["turns"]
    assert first["role"] == "interviewer" and first["kind"] == "question" and first["seq"] == 1
    assert first["question_id"] and first["content"]
    assert session["progress"]["question_number"] == 1 and session["progress"]["question_count"] >= 6


def test_start_in_french_speaks_french(client: TestClient, catalog) -> None:  # type: ignore[no-untyped-def]
    session = start(client, language="fr")
    assert session["language"] == "fr"
    assert session["turns"][0]["content"].startswith(catalog.persona("technical-ml").opening.fr)


def test_unknown_persona_is_a_404_listing_valid_ids(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"persona_id": "astrologer"})
    assert response.status_code == 404
    assert response.json()["valid_ids"] == ["manager-fit", "recruiter-screen", "takehome-review", "technical-ml"]
    assert "astrologer" in response.json()["detail"]


def test_bad_bodies_are_rejected_with_a_reason(client: TestClient) -> None:
    assert client.post("/api/sessions", json={"persona_id": "technical-ml", "langauge": "fr"}).status_code == 422
    assert client.post("/api/sessions", json={"persona_id": "technical-ml", "language": "de"}).status_code == 422
    session = start(client)
    empty = answer(client, session["id"], "   \n ")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    nul = answer(client, session["id"], "abc\x00def")
    assert nul.status_code == 422 and "NUL" in nul.json()["detail"]


def test_answer_over_the_limit_is_413_naming_the_limit(client: TestClient) -> None:
    session = start(client)
    response = answer(client, session["id"], "word " * 5000)
    assert response.status_code == 413
    assert "20000" in response.json()["detail"]


def test_answer_is_stored_verbatim_with_its_reply(client: TestClient) -> None:
    session = start(client)
    text = "Likelihood is p(data | θ) seen as a function of θ 🙂 — 最大似然, تقدير"
    body = answer(client, session["id"], text, key="k1").json()
    assert body["answer"]["content"] == text and body["answer"]["seq"] == 2
    assert body["reply"]["role"] == "interviewer" and body["reply"]["seq"] == 3
    stored = client.get(f"/api/sessions/{session['id']}").json()
    assert stored["turns"][1]["content"] == text


def test_same_idempotency_key_returns_the_same_result_without_a_new_turn(client: TestClient) -> None:
    session = start(client)
    first = answer(client, session["id"], "My answer.", key="same").json()
    again = answer(client, session["id"], "My answer.", key="same").json()
    assert again == first
    assert len(client.get(f"/api/sessions/{session['id']}").json()["turns"]) == 3


def test_a_key_reused_for_a_different_answer_is_refused_not_dropped(client: TestClient) -> None:
    session = start(client)
    answer(client, session["id"], "My answer.", key="same")
    reused = answer(client, session["id"], "A different answer.", key="same")
    assert reused.status_code == 422 and "different answer" in reused.json()["detail"]


def test_answers_without_words_or_valid_unicode_are_422(client: TestClient) -> None:
    session = start(client)
    assert answer(client, session["id"], "... 🙂🙂 !!").status_code == 422
    lone = client.post(f"/api/sessions/{session['id']}/answers", content=b'{"content": "caf\\ud83d"}', headers={"content-type": "application/json"})
    assert lone.status_code == 422 and "Unicode" in lone.json()["detail"]


def test_answering_an_ended_session_is_409(client: TestClient) -> None:
    session = start(client)
    ended = client.post(f"/api/sessions/{session['id']}/end").json()
    assert ended["status"] == "ended" and ended["ended_at"]
    response = answer(client, session["id"], "Too late?")
    assert response.status_code == 409 and "ended" in response.json()["detail"]


def test_unknown_session_is_404_everywhere(client: TestClient) -> None:
    for method, path in [("get", ""), ("post", "/end"), ("get", "/report"), ("delete", "")]:
        assert getattr(client, method)(f"/api/sessions/nope{path}").status_code == 404
    assert answer(client, "nope", "hello").status_code == 404


def test_report_of_a_session_ended_early_covers_what_was_answered(client: TestClient) -> None:
    session = start(client)
    answer(client, session["id"], "I would rather not say much here.")
    client.post(f"/api/sessions/{session['id']}/end")
    report = client.get(f"/api/sessions/{session['id']}/report").json()
    assert report["schema_version"] == 6
    assert "not a hiring decision" in report["disclaimer"]
    assert report["overall"]["questions_answered"] == 1
    assert report["questions"][0]["answered"] and report["questions"][0]["scores"]
    client.get(f"/api/sessions/{session['id']}/report")
    from interviewer.storage.tables import Report
    from sqlmodel import Session, select

    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert len(db.exec(select(Report).where(Report.session_id == session["id"])).all()) == 1
    markdown = client.get(f"/api/sessions/{session['id']}/report?format=md")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "# Mock interview report" in markdown.text
    assert client.get(f"/api/sessions/{session['id']}/report?format=pdf").status_code == 422


def test_delete_removes_the_session(client: TestClient) -> None:
    session = start(client)
    answer(client, session["id"], "An answer to forget.")
    client.get(f"/api/sessions/{session['id']}/report")
    assert client.delete(f"/api/sessions/{session['id']}").status_code == 204
    assert client.get(f"/api/sessions/{session['id']}").status_code == 404
    assert session["id"] not in [s["id"] for s in client.get("/api/sessions").json()]


def test_editing_a_persona_never_changes_a_running_session(client: TestClient) -> None:
    session = start(client)
    catalog = client.app.state.catalog  # type: ignore[attr-defined]
    original = catalog.personas["technical-ml"]
    changed = [q.model_copy(update={"text": q.text.model_copy(update={"en": "CHANGED"})}) for q in original.questions]
    catalog.personas["technical-ml"] = original.model_copy(update={"questions": changed})
    try:
        replies = [answer(client, session["id"], f"Answer {i}.", key=f"k{i}").json()["reply"]["content"] for i in range(4)]
    finally:
        catalog.personas["technical-ml"] = original
    assert not any("CHANGED" in r for r in replies)
    report = client.get(f"/api/sessions/{session['id']}/report").json()
    from interviewer.catalog.loading import snapshot

    assert report["session"]["persona_hash"] == snapshot(original)[1]
