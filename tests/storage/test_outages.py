"""When the database goes away or is older than expected: a restart mid-stream or mid-request, a
failed claim release, a SQLite without RETURNING; and no exit of an answer leaves its claim
behind. (First written by a review of issue 13's throughput changes, as failing tests.)
PostgreSQL tests need INTERVIEWER_TEST_DATABASE_URL."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from interviewer.api.app import create_app
from interviewer.ops.settings import Settings

from tests.support.postgres import backend_pid, claim_owners, close_connection
from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI
from tests.support.interviews import settled


def test_a_database_refusing_connections_mid_restart_answers_503_not_500(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seconds of a restart when the server refuses new connections (no connection, so
    `connection_invalidated` is False) answer 503 with Retry-After, as a closed connection does."""
    settings = Settings(database_url=postgres_url, db_pool_size=1, db_pool_overflow=0)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/api/sessions").status_code == 200
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        connect = engine.dialect.connect

        def refused(*args: Any, **kwargs: Any) -> Any:
            # The server is down for its restart: nothing listens on its port.
            return connect(*args, **{**kwargs, "port": 1})

        monkeypatch.setattr(engine.dialect, "connect", refused)
        engine.pool.dispose()  # the restart closed every pooled connection
        down = client.get("/api/sessions")
        assert down.status_code == 503, (down.status_code, down.text[:200])
        assert "Retry-After" in down.headers


def _stream_events(body: str) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        kind = next((line[len("event: "):] for line in lines if line.startswith("event: ")), None)
        data = next((line[len("data: "):] for line in lines if line.startswith("data: ")), None)
        if kind and data is not None:
            events.append((kind, json.loads(data)))
    return events


def test_a_streamed_reply_whose_store_step_finds_the_connection_closed_says_503_and_frees_the_claim(
    postgres_url: str, no_network: respx.MockRouter
) -> None:
    """A connection used under 5 s ago is not pinged, so a database restart during the model's
    stream surfaces at the reply's store step: the step is retried once on a renewed connection
    and the reply is stored (`done`), or the stream says 503 and retry; never a 500."""
    fake = FakeOpenAI()
    settings = Settings(database_url=postgres_url, model="openai/gpt-4o-mini", judge_model="offline", api_base=API_BASE,
                        api_key="sk-test", model_retries=0, model_timeout=5, db_pool_size=1, db_pool_overflow=0)
    with TestClient(create_app(settings)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        state = {"kill": False}

        def replying(request: httpx.Request) -> httpx.Response:
            if state["kill"] and json.loads(request.content).get("stream"):
                state["kill"] = False
                close_connection(backend_pid(engine))  # the database restarts while the model streams
            return fake(request)

        no_network.post(OPENAI_URL).mock(side_effect=replying)
        session_id = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}).json()["id"]
        state["kill"] = True
        streamed = client.post(
            f"/api/sessions/{session_id}/answers", json={"content": "I built a churn model for a telecom."},
            headers={"Accept": "text/event-stream", "Idempotency-Key": "k1"},
        )
        events = _stream_events(streamed.text)
        last_kind, last = events[-1]
        settled(client)
        # The claim is freed whatever happened (release() falls back to its own transaction),
        # and the answer is kept.
        assert claim_owners(engine, f"turn:{session_id}") == []
        roles = [t["role"] for t in client.get(f"/api/sessions/{session_id}").json()["turns"]]
        assert roles[:2] == ["interviewer", "candidate"]
        # The store step is retried once on a renewed connection: the reply is stored.
        assert last_kind == "done", last
        assert roles[:3] == ["interviewer", "candidate", "interviewer"]


def test_turns_are_inserted_without_returning_on_a_sqlite_older_than_3_35(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """INSERT ... RETURNING needs SQLite 3.35 (2021); a Python linked to an older system SQLite
    (dialect.insert_returning False) gets each turn's id from the cursor's lastrowid instead."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's RETURNING support")
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        # What SQLAlchemy sets itself when sqlite3.sqlite_version_info < (3, 35).
        monkeypatch.setattr(engine.dialect, "insert_returning", False)
        sent: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
        session_id = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}).json()["id"]
        answered = client.post(f"/api/sessions/{session_id}/answers", json={"content": "I built a churn model for a telecom."})
        assert answered.status_code == 200
        turn_inserts = [s for s in sent if s.lstrip().upper().startswith("INSERT INTO TURN")]
        assert turn_inserts and not any("RETURNING" in s.upper() for s in turn_inserts), turn_inserts


def test_a_claim_row_of_this_worker_left_by_a_failed_release_does_not_lock_the_session_for_a_lease(
    postgres_url: str, no_network: respx.MockRouter
) -> None:
    """A release that failed (the database unreachable for a moment) leaves this worker's own claim
    row: while the worker holds its own lock on the key, such a row can only be stale, so the next
    answer takes it over at once instead of waiting out a lease."""
    from interviewer.ops import locks

    settings = Settings(database_url=postgres_url, model="offline", judge_model="offline")
    with TestClient(create_app(settings)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        client.app.state.turn_locks = turn_locks = locks.TurnLocks(engine, lease_s=30.0)  # type: ignore[attr-defined]
        session_id = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}).json()["id"]
        # What a turn whose release failed leaves behind: a live claim in this worker's own name.
        assert locks.try_claim(engine, f"turn:{session_id}", turn_locks.owner, 30.0)
        started = time.monotonic()
        answered = client.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER})
        waited = time.monotonic() - started
        assert answered.status_code == 200
        # Far from the 30 s lease, so a slow CI machine cannot make a prompt take-over look like a wait.
        assert waited < 10.0, f"the answer waited {waited:.1f} s for this worker's own stale claim"


ANSWER = "I built a churn model for a telecom."


@pytest.mark.parametrize("exit_path", ["invalid", "key_reused", "model_error", "stream_model_error", "resumed", "offline", "contended"])
def test_no_exit_of_an_answer_leaves_its_claim_behind(postgres_url: str, no_network: respx.MockRouter, exit_path: str) -> None:
    """Checked, holds: every way out of post_answer (a bad answer, a reused key, the model
    failing plain or streamed, a resumed reply, an offline turn, another worker holding the turn)
    leaves no claim row of this worker, no checked-out connection and no second turn."""
    from interviewer.ops import locks

    fake = FakeOpenAI()
    no_network.post(OPENAI_URL).mock(side_effect=fake)
    model = "offline" if exit_path == "offline" else "openai/gpt-4o-mini"
    settings = Settings(database_url=postgres_url, model=model, judge_model="offline", api_base=API_BASE,
                        api_key="sk-test", model_retries=0, model_timeout=5)
    with TestClient(create_app(settings)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        session_id = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}).json()["id"]
        name = f"turn:{session_id}"
        url = f"/api/sessions/{session_id}/answers"
        key = {"Idempotency-Key": "k1"}
        if exit_path == "invalid":
            assert client.post(url, json={"content": "?!"}).status_code == 422
        elif exit_path == "key_reused":
            assert client.post(url, json={"content": ANSWER}, headers=key).status_code == 200
            assert client.post(url, json={"content": "Something else entirely."}, headers=key).status_code == 422
        elif exit_path == "model_error":
            fake.fail_next(httpx.Response(500, json={"error": {"message": "boom"}}))
            assert client.post(url, json={"content": ANSWER}, headers=key).status_code >= 500
            assert claim_owners(engine, name) == []
            assert client.post(url, json={"content": ANSWER}, headers=key).status_code == 200  # resumed
        elif exit_path == "stream_model_error":
            fake.fail_next(httpx.Response(500, json={"error": {"message": "boom"}}))
            streamed = client.post(url, json={"content": ANSWER}, headers={**key, "Accept": "text/event-stream"})
            assert _stream_events(streamed.text)[-1][0] == "error"
            settled(client)
        elif exit_path == "resumed":
            assert client.post(url, json={"content": ANSWER}, headers=key).status_code == 200
            again = client.post(url, json={"content": ANSWER}, headers={**key, "Accept": "text/event-stream"})
            assert _stream_events(again.text)[-1][0] == "done"
        elif exit_path == "offline":
            assert client.post(url, json={"content": ANSWER}, headers=key).status_code == 200
        else:
            # Another worker holds the turn; this worker gives up after a (short) lease and a bit.
            client.app.state.turn_locks = locks.TurnLocks(engine, lease_s=0.1)  # type: ignore[attr-defined]
            assert locks.try_claim(engine, name, "other-worker", 60)
            assert client.post(url, json={"content": ANSWER}).status_code == 409
            assert claim_owners(engine, name) == ["other-worker"]
            locks.release_claim(engine, name, "other-worker")
        settled(client)  # background scoring holds a connection of its own meanwhile
        assert claim_owners(engine, name) == []
        seqs = [t["seq"] for t in client.get(f"/api/sessions/{session_id}").json()["turns"]]
        assert len(seqs) == len(set(seqs))
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
