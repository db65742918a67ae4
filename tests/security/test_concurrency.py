"""Concurrent answers to one session wait their turn: each is stored once, in order, with exactly
one reply, and the turn numbers stay contiguous. On SQLite and PostgreSQL; on PostgreSQL also
across two app instances sharing the database, as two workers of `interviewer serve --workers 2` do."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from interviewer.api.app import create_app
from interviewer.settings import Settings
from interviewer.store import list_turns

ANSWERS = 20


def start(client: TestClient) -> str:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def send(client: TestClient, session_id: str, i: int, key: str | None = None) -> Any:
    return client.post(
        f"/api/sessions/{session_id}/answers",
        json={"content": f"Answer {i}: the likelihood of the data as a function of the parameters."},
        headers={"Idempotency-Key": key or f"key-{i}"},
    )


def assert_serialized(client: TestClient, session_id: str, responses: list[Any]) -> None:
    assert [r.status_code for r in responses] == [200] * len(responses), [r.text for r in responses if r.status_code != 200]
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        turns = list_turns(db=db, session_id=session_id)
    assert [t.seq for t in turns] == list(range(1, 2 * len(responses) + 2))  # contiguous
    assert [t.role for t in turns] == ["interviewer"] + ["candidate", "interviewer"] * len(responses)
    stored = [t.content for t in turns if t.role == "candidate"]
    assert sorted(stored) == sorted(r.json()["answer"]["content"] for r in responses)  # each stored once
    for r in responses:
        body = r.json()
        # Each answer got its own reply, the turn right after it, as stored.
        assert body["reply"]["seq"] == body["answer"]["seq"] + 1
        assert turns[body["answer"]["seq"] - 1].content == body["answer"]["content"]
        assert turns[body["reply"]["seq"] - 1].content == body["reply"]["content"]


def test_twenty_concurrent_answers_are_serialized(client: TestClient) -> None:
    session_id = start(client)
    with ThreadPoolExecutor(max_workers=ANSWERS) as pool:
        responses = list(pool.map(lambda i: send(client, session_id, i), range(ANSWERS)))
    assert_serialized(client, session_id, responses)


def test_concurrent_resends_of_one_answer_store_it_once(client: TestClient) -> None:
    session_id = start(client)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: send(client, session_id, 0, key="same"), range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert all(r.json() == responses[0].json() for r in responses)
    assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 3


def test_concurrent_answers_through_two_workers_are_serialized(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database; SQLite serves one worker")
    settings = Settings(database_url=database_url, model="offline")
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        session_id = start(first)
        with ThreadPoolExecutor(max_workers=ANSWERS) as pool:
            responses = list(pool.map(lambda i: send(first if i % 2 else second, session_id, i), range(ANSWERS)))
        assert_serialized(first, session_id, responses)
