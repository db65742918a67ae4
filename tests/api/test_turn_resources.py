"""What a turn holds and reads (issue 13): no database connection while the model thinks (plain
answers, streamed answers, report judging), the same statements at answer 2 as at answer 10, a
plain model call for a plain answer, and 503 with Retry-After when the database is busy."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, select

from interviewer.api.app import create_app
from interviewer.interview import documents, takehome
from interviewer.ops.settings import Settings
from interviewer.storage import queries
from interviewer.storage.tables import Snapshot

from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI, is_judge
from tests.support.interviews import settled

ANSWER = "I would compare against a simple baseline on a held-out set and check for leakage before trusting the gain."


class Watched:
    """The fake model server, noting how many pooled connections the app holds at each call."""

    def __init__(self, fake: FakeOpenAI) -> None:
        self.fake = fake
        self.client: TestClient | None = None
        self.held: list[tuple[str, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.client is not None
        kind = "judge" if is_judge(json.loads(request.content)) else "reply"
        self.held.append((kind, self.client.app.state.engine.pool.checkedout()))  # type: ignore[attr-defined]
        return self.fake(request)


@pytest.fixture
def watched(database_url: str, no_network: respx.MockRouter) -> Iterator[tuple[TestClient, Watched]]:
    watch = Watched(FakeOpenAI())
    no_network.post(OPENAI_URL).mock(side_effect=watch)
    settings = Settings(database_url=database_url, model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0, model_timeout=5)
    with TestClient(create_app(settings)) as client:
        watch.client = client
        yield client, watch


def answer(client: TestClient, session_id: str, i: int, **headers: str) -> Any:
    return client.post(f"/api/sessions/{session_id}/answers", json={"content": f"{ANSWER} ({i})"}, headers={"Idempotency-Key": f"k{i}", **headers})


def test_no_connection_is_held_while_the_model_writes_a_reply_or_judges(watched: tuple[TestClient, Watched]) -> None:
    client, watch = watched
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    for i in range(3):
        assert answer(client, session_id, i).status_code == 200
        settled(client)
    streamed = answer(client, session_id, 3, accept="text/event-stream")
    assert "event: done" in streamed.text
    settled(client)
    assert client.get(f"/api/sessions/{session_id}/report").status_code == 200
    kinds = {kind for kind, _ in watch.held}
    assert kinds == {"reply", "judge"}, watch.held
    assert [held for _, held in watch.held] == [0] * len(watch.held), watch.held


def test_a_plain_answer_makes_a_plain_model_call_and_only_sse_streams(watched: tuple[TestClient, Watched]) -> None:
    client, watch = watched
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    assert answer(client, session_id, 0).status_code == 200
    assert "event: done" in answer(client, session_id, 1, accept="text/event-stream").text
    replies = watch.fake.interviewer_requests
    assert [bool(r.get("stream")) for r in replies] == [False, False, True]  # opening, plain answer, streamed answer


def test_a_turn_and_its_scoring_run_the_same_statements_at_answer_2_and_answer_10(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    counts, snapshot_reads = [], []
    for i in range(10):
        statements.clear()
        response = answer(client, session_id, i)
        assert response.status_code == 200, response.text
        # The turn and the background scoring of its answer, together.
        settled(client)
        if response.json()["status"] != "active":
            break
        # One score row per criterion of the question: that varies with the question, not with the session.
        counts.append(sum(not s.startswith("INSERT INTO answer_score") for s in statements))
        snapshot_reads.append(sum("FROM snapshot" in s for s in statements))
    assert len(counts) >= 8
    # Whatever the length of the session: the same statements, and the snapshots are never re-read.
    assert max(counts[1:]) == min(counts[1:]), counts
    assert snapshot_reads == [0] * len(snapshot_reads)


def test_a_turn_reads_the_session_row_whole_only_when_its_status_changed(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    whole_row_reads = []
    for i in range(4):
        statements.clear()
        assert answer(client, session_id, i).status_code == 200
        settled(client)
        whole_row_reads.append(sum("interview_session.persona_hash" in s for s in statements))
    # Read once by this worker, then only its status, end and last seq (what can change).
    assert whole_row_reads[1:] == [0, 0, 0], whole_row_reads
    # A status changed (here ended) is seen at once.
    assert client.post(f"/api/sessions/{session_id}/end").json()["status"] == "ended"
    assert client.get(f"/api/sessions/{session_id}").json()["status"] == "ended"


def test_sessions_of_one_round_store_its_persona_and_rubric_once(client: TestClient) -> None:
    for _ in range(3):
        assert client.post("/api/sessions", json={"persona_id": "technical-ml"}).status_code == 201
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        hashes = {(s.persona_hash, s.rubric_hash) for s in queries.list_sessions(db=db)}
        stored = db.exec(select(Snapshot.hash)).all()
    # A rubric is close to a megabyte: a class's sessions share one copy of it, not one each.
    assert len(hashes) == 1 and sorted(stored) == sorted(next(iter(hashes)))


def test_an_exhausted_connection_pool_answers_503_with_retry_after(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", db_pool_size=1, db_pool_overflow=0, db_pool_timeout=0.2)
    with TestClient(create_app(settings)) as client:
        session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
        with client.app.state.engine.connect():  # type: ignore[attr-defined]
            busy = client.get(f"/api/sessions/{session_id}")
            refused = answer(client, session_id, 0)
        assert busy.status_code == 503 and busy.headers["retry-after"]
        assert "retry" in busy.json()["detail"]
        assert refused.status_code == 503
        # Once the database is free again, the same answer goes through.
        assert answer(client, session_id, 0).status_code == 200


def test_a_report_is_rebuilt_only_when_what_it_is_built_from_changes(client: TestClient) -> None:
    session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
    assert answer(client, session_id, 0).status_code == 200
    settled(client)

    def stored_at() -> object:
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            report = queries.stored_report(db=db, session_id=session_id)
            assert report is not None
            return report.created_at

    first = client.get(f"/api/sessions/{session_id}/report").json()
    built_at = stored_at()
    assert client.get(f"/api/sessions/{session_id}/report").json() == first
    assert client.get(f"/api/sessions/{session_id}/report?format=md").status_code == 200
    assert stored_at() == built_at  # nothing changed: nothing rebuilt
    assert answer(client, session_id, 1).status_code == 200
    settled(client)
    second = client.get(f"/api/sessions/{session_id}/report").json()
    assert stored_at() != built_at  # a new answer and its scores: built again
    assert len(second["questions"]) >= 1 and second != first


@pytest.mark.parametrize(("slow", "field", "persona"), [("read", "cv", "technical-ml"), ("claims", "takehome", "takehome-review")])
def test_a_slow_upload_holds_none_of_the_threads_turns_are_stored_in(
    database_url: str, monkeypatch: pytest.MonkeyPatch, slow: str, field: str, persona: str,
) -> None:
    # One store thread: were a PDF read, or a take-home's claims extracted, on it, every answer of
    # the worker would wait for the upload.
    reading, release = threading.Event(), threading.Event()

    def held(result: Any) -> Any:
        reading.set()
        release.wait(30)
        return result

    if slow == "read":
        monkeypatch.setattr(documents, "read_document", lambda filename, data, limits: held(data.decode()))
    else:
        original = takehome.extract_claims
        monkeypatch.setattr(takehome, "extract_claims", lambda document, language: held(original(document, language=language)))
    settings = Settings(database_url=database_url, model="offline", threads=1)
    with TestClient(create_app(settings)) as client:
        session_id = client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()["id"]
        document = b"# Churn model\n\nWe trained a gradient boosted model on 2 years of data and reached 0.91 AUC."
        upload = threading.Thread(target=lambda: client.post(
            "/api/sessions", data={"persona_id": persona}, files={field: (f"{field}.md", document)},
        ))
        upload.start()
        try:
            assert reading.wait(30)
            answered: list[int] = []
            turn = threading.Thread(target=lambda: answered.append(client.post(f"/api/sessions/{session_id}/answers", json={"content": ANSWER}).status_code))
            turn.start()
            turn.join(20)
            assert answered == [200], f"the answer waited for the upload's {slow}"
        finally:
            release.set()
            upload.join(30)
