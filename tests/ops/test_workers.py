"""Stateless workers: two real `interviewer serve` processes on different ports (one of them with
two workers) share one PostgreSQL database and serve one interview, requests alternating between
them, to a correct transcript and report.

The servers are real processes reached over 127.0.0.1 with httpx; the autouse `no_network` respx
router lets exactly that host through (a pass-through route) and still refuses everything else.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from interviewer.catalog.loading import Catalog
from interviewer.storage import migrations
from interviewer.storage.database import make_engine

from tests.conftest import POSTGRES_URL
from tests.support.interviews import strong_candidate

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set INTERVIEWER_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)
SCHEMA = f"interviewer_workers_{os.getpid()}"
STARTUP_LIMIT_S = 90  # a bound on waiting for start-up, not a performance assertion


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def migrated_postgres() -> str:
    """An empty schema of its own in the PostgreSQL test database, at the code's schema as
    `docker compose`'s migrate step leaves it; the servers find it first on their search path."""
    assert POSTGRES_URL
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={SCHEMA}", "application_name": SCHEMA})
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine.dispose()
    database_url = url.render_as_string(hide_password=False)
    engine = make_engine(database_url)
    migrations.upgrade(engine)
    engine.dispose()
    return database_url


def drop_schema() -> None:
    assert POSTGRES_URL
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


def start(port: int, workers: int, database_url: str, workdir: Path) -> Server:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERVIEWER_", "PROMETHEUS_")) and k != "DATABASE_URL"}
    env |= {"DATABASE_URL": database_url, "INTERVIEWER_MODEL": "offline", "INTERVIEWER_LOG_FORMAT": "json"}
    log = workdir / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from interviewer.cli.main import main; main()", "serve", "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_until_up(server: Server, client: httpx.Client) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited with {server.process.returncode}:\n{server.log.read_text()}")
        try:
            if client.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer /healthz within {STARTUP_LIMIT_S}s:\n{server.log.read_text()}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)  # its workers too
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


@pytest.fixture
def servers(no_network: respx.MockRouter, tmp_path: Path) -> Iterator[tuple[Server, Server, httpx.Client]]:
    no_network.route(host="127.0.0.1").pass_through()
    database_url = migrated_postgres()
    started: list[Server] = []
    try:
        started.append(start(free_port(), 2, database_url, tmp_path))
        started.append(start(free_port(), 1, database_url, tmp_path))
        with httpx.Client(timeout=30) as client:
            for server in started:
                wait_until_up(server, client)
            yield started[0], started[1], client
    finally:
        for server in started:
            stop(server)
        drop_schema()


def test_one_interview_alternating_between_two_servers(servers: tuple[Server, Server, httpx.Client], catalog: Catalog) -> None:
    a, b, client = servers
    candidate = strong_candidate(catalog, "technical-ml")
    created = client.post(f"{a.url}/api/sessions", json={"persona_id": "technical-ml"}, headers={"X-Request-ID": "start"})
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    turn = created.json()["turns"][-1]
    answers_to = {a.url: 0, b.url: 0}
    for i in range(80):
        server = (b, a)[i % 2]
        key = f"answer-{i}"
        response = client.post(
            f"{server.url}/api/sessions/{session_id}/answers", json={"content": candidate(turn)},
            headers={"Idempotency-Key": key, "X-Request-ID": f"req-{i}"},
        )
        assert response.status_code == 200, response.text
        answers_to[server.url] += 1
        if i == 1:
            # The same answer resent to the other server is recognised there: no second turn.
            other = a if server is b else b
            again = client.post(
                f"{other.url}/api/sessions/{session_id}/answers", json={"content": candidate(turn)},
                headers={"Idempotency-Key": key},
            )
            assert again.json() == response.json()
            answers_to[other.url] += 1
        body = response.json()
        turn = body["reply"]
        # Whichever server is asked next sees the turn this one just stored.
        seen = client.get(f"{(a, b)[i % 2].url}/api/sessions/{session_id}").json()
        assert seen["turns"][-1]["seq"] == turn["seq"]
        if body["status"] == "ended":
            break
    else:
        raise AssertionError("the interview did not end")

    session = client.get(f"{b.url}/api/sessions/{session_id}").json()
    turns = session["turns"]
    assert session["status"] == "ended"
    assert [t["seq"] for t in turns] == list(range(1, len(turns) + 1))
    roles = [t["role"] for t in turns]
    assert roles[::2] == ["interviewer"] * len(roles[::2]) and roles[1::2] == ["candidate"] * len(roles[1::2])
    assert [t["kind"] for t in turns][-3:] == ["closing", "candidate_question", "farewell"]
    assert client.get(f"{a.url}/api/sessions/{session_id}").json()["turns"] == turns

    report_a = client.get(f"{a.url}/api/sessions/{session_id}/report").json()
    report_b = client.get(f"{b.url}/api/sessions/{session_id}/report").json()
    rubric = catalog.rubric_for(catalog.persona("technical-ml"))
    # Every criterion the offline scorer judges is scored; the others are listed as not assessed.
    assert {c["id"] for c in report_a["criteria"]} == {c.id for c in rubric.criteria if c.offline != "not_assessed"}
    assert {c["id"] for c in report_a["not_assessed"]} == {c.id for c in rubric.criteria if c.offline == "not_assessed"}
    assert report_a["overall"]["score"] >= 3.5
    assert report_a["questions"] and all(q["answered"] and q["scores"] for q in report_a["questions"])
    assert report_b["overall"] == report_a["overall"] and report_b["criteria"] == report_a["criteria"]
    markdown = client.get(f"{b.url}/api/sessions/{session_id}/report", params={"format": "md"})
    assert markdown.status_code == 200 and "#" in markdown.text

    # Server A's two workers write their metrics to one directory; /metrics adds them up.
    exposed = client.get(f"{a.url}/metrics").text
    route = "/api/sessions/{session_id}/answers"
    counted = sum(
        float(line.rsplit(" ", 1)[1]) for line in exposed.splitlines()
        if line.startswith("interviewer_http_requests_total{") and f'route="{route}"' in line
    )
    assert counted == answers_to[a.url]

    # Each server logged, as JSON, the requests it served under the ids the client gave.
    logged = {server.url: {line.get("request_id") for line in server.log_lines()} for server in (a, b)}
    assert "start" in logged[a.url] and "req-0" in logged[b.url] and "req-1" in logged[a.url]
