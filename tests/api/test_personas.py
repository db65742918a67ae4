from __future__ import annotations

from fastapi.testclient import TestClient


def test_list_personas_has_the_contract_fields(client: TestClient) -> None:
    personas = client.get("/api/personas").json()
    assert sorted(p["id"] for p in personas) == ["manager-fit", "recruiter-screen", "takehome-review", "technical-ml"]
    for p in personas:
        assert {"id", "name", "role", "language", "description", "rubric_id"} <= set(p)
        assert p["languages"] == ["en", "fr"]


def test_persona_detail_shows_plan_and_rubric(client: TestClient) -> None:
    detail = client.get("/api/personas/technical-ml").json()
    assert detail["question_bank_size"] >= 30
    assert detail["stages"] and all(s["minutes"] > 0 for s in detail["stages"])
    assert all(set(c["levels"]) == {"1", "2", "3", "4", "5"} for c in detail["criteria"])


def test_unknown_persona_lists_the_valid_ids(client: TestClient) -> None:
    response = client.get("/api/personas/astrologer")
    assert response.status_code == 404
    assert "technical-ml" in response.json()["detail"]
    assert "technical-ml" in response.json()["valid_ids"]


def test_health_and_openapi_docs(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    assert "/api/sessions/{session_id}/answers" in client.get("/openapi.json").json()["paths"]
