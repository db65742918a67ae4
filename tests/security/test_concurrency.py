"""Concurrent answers to one session wait their turn: each is stored once, in order, with exactly
one reply, and the turn numbers stay contiguous. On SQLite and PostgreSQL; on PostgreSQL also
across two app instances sharing the database, as two workers of `interviewer serve --workers 2` do.
A session deleted mid-turn answers 404 and says so truthfully; concurrent first builds of one report
all answer, judging each answer once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, select

from interviewer.api.app import create_app
from interviewer.ops.settings import Settings
from interviewer.storage import queries
from interviewer.storage.queries import list_judge_calls, list_turns
from interviewer.storage.tables import AnswerScore, JudgeCall, Report

from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI

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


# ---------------------------------------------------------------- issue 15, findings 3 and 4


@pytest.fixture
def model_app(database_url: str, no_network: respx.MockRouter) -> Iterator[tuple[TestClient, FakeOpenAI, respx.Route]]:
    fake = FakeOpenAI()
    route = no_network.post(OPENAI_URL).mock(side_effect=fake)
    settings = Settings(database_url=database_url, model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0, model_timeout=5)
    with TestClient(create_app(settings)) as client:
        yield client, fake, route


def _delete_during_the_reply(client: TestClient, fake: FakeOpenAI, route: respx.Route, session_id: str) -> None:
    """The next reply call deletes the session first, as a DELETE arriving mid-turn would."""

    def deleting(request: httpx.Request) -> httpx.Response:
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            queries.delete_session(db=db, session_id=session_id)
        return fake(request)

    route.mock(side_effect=deleting)


def test_deleting_a_session_mid_turn_answers_404_and_says_the_answer_went_with_it(model_app: tuple[TestClient, FakeOpenAI, respx.Route]) -> None:
    client, fake, route = model_app
    session_id = start(client)
    _delete_during_the_reply(client, fake, route, session_id)
    response = send(client, session_id, 0)
    assert response.status_code == 404, response.text
    assert "deleted" in response.json()["detail"]
    assert client.get(f"/api/sessions/{session_id}").status_code == 404


def test_deleting_a_session_mid_stream_sends_an_error_event_that_tells_the_truth(model_app: tuple[TestClient, FakeOpenAI, respx.Route]) -> None:
    client, fake, route = model_app
    session_id = start(client)
    _delete_during_the_reply(client, fake, route, session_id)
    response = client.post(
        f"/api/sessions/{session_id}/answers", json={"content": "The likelihood as a function of the parameters."},
        headers={"Accept": "text/event-stream", "Idempotency-Key": "k"},
    )
    assert response.status_code == 200
    event = response.text.split("event: error\n", 1)[1]
    error = json.loads(event.split("data: ", 1)[1].split("\n", 1)[0])
    assert error["status"] == 404
    assert "deleted" in error["detail"] and "saved" not in error["detail"]


def test_twelve_concurrent_first_builds_of_one_report_all_answer_and_judge_each_answer_once(
    model_app: tuple[TestClient, FakeOpenAI, respx.Route],
) -> None:
    client, fake, _route = model_app
    session_id = start(client)
    for i in range(3):
        assert send(client, session_id, i).status_code == 200
    deadline = time.monotonic() + 30
    while client.app.state.scoring.pending and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        # As if the judge had been down during the interview: three answers left to judge, no report yet.
        db.execute(delete(AnswerScore).where(AnswerScore.session_id == session_id))  # type: ignore[arg-type]
        db.execute(delete(JudgeCall).where(JudgeCall.session_id == session_id))  # type: ignore[arg-type]
        db.commit()
    fake.requests.clear()
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(lambda _: client.get(f"/api/sessions/{session_id}/report"), range(12)))
    assert [r.status_code for r in responses] == [200] * 12, [r.text[:200] for r in responses if r.status_code != 200]
    assert len(fake.judge_requests) == 3
    assert all(r.json()["overall"] == responses[0].json()["overall"] for r in responses)
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        assert len(list_judge_calls(db=db, session_id=session_id)) == 3
        assert len(list(db.exec(select(Report).where(Report.session_id == session_id)))) == 1
