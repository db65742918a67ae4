"""An offline answer (issue 13): stored with its reply in one transaction, one commit per turn; an
engine that fails while deciding still never costs the candidate's answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from interviewer.interview import engine as interview_engine

ANSWER = "I would compare against a simple baseline on a held-out set and check for leakage before trusting the gain."


@pytest.fixture
def commits(client: TestClient) -> Iterator[list[int]]:
    """Transactions that wrote turns, committed by the app's engine (on PostgreSQL the turn's claim
    row has transactions of its own: they are not what is counted here)."""
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    counted: list[int] = []
    wrote: set[int] = set()

    def on_write(conn, *_args) -> None:  # type: ignore[no-untyped-def]
        wrote.add(id(conn))

    def on_commit(conn) -> None:  # type: ignore[no-untyped-def]
        if id(conn) in wrote:
            wrote.discard(id(conn))
            counted.append(1)

    def writes_turns(clause: object) -> bool:
        return bool(getattr(clause, "is_dml", False)) and getattr(getattr(clause, "table", None), "name", None) == "turn"

    event.listen(engine, "before_execute", lambda conn, clause, *a: on_write(conn) if writes_turns(clause) else None)
    event.listen(engine, "commit", on_commit)
    yield counted
    event.remove(engine, "commit", on_commit)


def start(client: TestClient) -> str:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_an_offline_answer_and_its_reply_are_stored_in_one_commit(client: TestClient, commits: list[int]) -> None:
    session_id = start(client)
    # Only the turn's own commits are counted: its background scoring is left out here.
    client.app.state.scoring.submit = lambda *_: None  # type: ignore[attr-defined]
    commits.clear()
    response = client.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": "a1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["answer"]["content"] == ANSWER and body["reply"]["role"] == "interviewer"
    assert len(commits) == 1
    # The same key again replays the stored turn: nothing new is written.
    again = client.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": "a1"})
    assert again.json() == body
    assert len(commits) == 1
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [t["role"] for t in turns] == ["interviewer", "candidate", "interviewer"]


def test_an_engine_failure_keeps_the_answer_and_a_resend_gets_the_reply(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = start(client)
    real = interview_engine.next_move

    def broken(**_: object) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(interview_engine, "next_move", broken)
    failing = TestClient(client.app, raise_server_exceptions=False)
    response = failing.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": "a1"})
    assert response.status_code == 500
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [(t["role"], t["content"]) for t in turns][-1] == ("candidate", ANSWER)

    monkeypatch.setattr(interview_engine, "next_move", real)
    resent = client.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": "a1"})
    assert resent.status_code == 200, resent.text
    assert resent.json()["answer"]["seq"] == turns[-1]["seq"]
    assert [t["role"] for t in client.get(f"/api/sessions/{session_id}").json()["turns"]] == ["interviewer", "candidate", "interviewer"]
