"""Kill the server with SIGKILL while the model is phrasing a reply, restart it, and resend: the
answer was stored before the model call, the resend resumes the session, nothing is duplicated.

A real `interviewer serve` process, a real OpenAI-compatible model server on 127.0.0.1 (a thread of
this test speaking the chat-completions wire format), and httpx2 as the client, which respx does
not intercept."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlmodel import Session

from interviewer.storage.database import make_engine
from interviewer.storage.queries import list_turns
from tests.support.fake_models import interviewer_words, openai_completion, openai_sse

INTERVIEWER = Path(sys.executable).parent / "interviewer"
WAIT = 90.0  # seconds allowed for anything to happen (never asserted as a duration)


class ModelServer:
    """An OpenAI-compatible chat-completions server; `hold()` makes the next call hang until released."""

    def __init__(self) -> None:
        self.holding = False
        self.in_flight = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if owner.holding:
                    owner.holding = False
                    owner.in_flight.set()
                    owner.release.wait(WAIT)
                if body.get("stream"):
                    payload, kind = openai_sse(interviewer_words(body), model=body["model"]).encode(), "text/event-stream"
                else:
                    payload, kind = json.dumps(openai_completion("".join(interviewer_words(body)), model=body["model"])).encode(), "application/json"
                try:
                    self.send_response(200)
                    self.send_header("content-type", kind)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller was killed meanwhile

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.api_base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def hold(self) -> None:
        self.in_flight.clear()
        self.release.clear()
        self.holding = True

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`interviewer serve` in a process of its own."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen([str(INTERVIEWER), "serve", "--port", str(port)], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited: {log.read_text()}"
            try:
                if httpx2.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not start: {log.read_text()}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    server = ModelServer()
    yield server
    server.close()


def test_sigkill_mid_turn_keeps_the_answer_and_the_resend_resumes(database_url: str, model_server: ModelServer, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INTERVIEWER_MODEL": "openai/gpt-4o-mini",
        "INTERVIEWER_JUDGE_MODEL": "offline",
        "INTERVIEWER_API_BASE": model_server.api_base,
        "INTERVIEWER_API_KEY": "sk-test",
        "INTERVIEWER_MODEL_RETRIES": "0",
        "INTERVIEWER_MODEL_TIMEOUT": "60",
        "INTERVIEWER_LOG_FORMAT": "text",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    env.pop("INTERVIEWER_HOST", None)
    env.pop("INTERVIEWER_AUTH", None)
    port, log = free_port(), tmp_path / "server.log"
    answer = {"content": "The likelihood is p(data | θ) as a function of θ 🙂 — 最大似然."}
    headers = {"Idempotency-Key": "answer-1"}

    server = Server(env, port, log)
    try:
        created = httpx2.post(f"{server.url}/api/sessions", json={"persona_id": "technical-ml"}, timeout=WAIT)
        assert created.status_code == 201, created.text
        session_id = created.json()["id"]

        model_server.hold()
        outcome: dict[str, Any] = {}

        def send() -> None:
            try:
                outcome["response"] = httpx2.post(f"{server.url}/api/sessions/{session_id}/answers", json=answer, headers=headers, timeout=WAIT)
            except httpx2.TransportError as exc:
                outcome["error"] = exc

        sender = threading.Thread(target=send)
        sender.start()
        assert model_server.in_flight.wait(WAIT), f"the model was never called: {log.read_text()}"
        server.kill()  # SIGKILL while the model call is in flight
        sender.join(WAIT)
        assert "error" in outcome, "the killed server still answered"
    finally:
        server.stop()

    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            turns = list_turns(db=db, session_id=session_id)
        # The answer was committed before the model was called; its reply never was.
        assert [(t.seq, t.role) for t in turns] == [(1, "interviewer"), (2, "candidate")]
        assert turns[1].content == answer["content"] and turns[1].idempotency_key == "answer-1"
    finally:
        engine.dispose()

    model_server.release.set()
    server = Server(env, port, log)
    try:
        resumed = httpx2.post(f"{server.url}/api/sessions/{session_id}/answers", json=answer, headers=headers, timeout=WAIT)
        assert resumed.status_code == 200, resumed.text
        body = resumed.json()
        assert body["answer"]["seq"] == 2 and body["answer"]["content"] == answer["content"]
        assert body["reply"]["seq"] == 3 and body["reply"]["role"] == "interviewer" and body["reply"]["content"]
        again = httpx2.post(f"{server.url}/api/sessions/{session_id}/answers", json=answer, headers=headers, timeout=WAIT)
        assert again.json() == body
        following = httpx2.post(
            f"{server.url}/api/sessions/{session_id}/answers", json={"content": "And the prior is p(θ)."},
            headers={"Idempotency-Key": "answer-2"}, timeout=WAIT,
        )
        assert following.status_code == 200 and following.json()["answer"]["seq"] == 4
        transcript = httpx2.get(f"{server.url}/api/sessions/{session_id}", timeout=WAIT).json()["turns"]
        assert [t["seq"] for t in transcript] == [1, 2, 3, 4, 5]
        assert [t["content"] for t in transcript if t["role"] == "candidate"] == [answer["content"], "And the prior is p(θ)."]
    finally:
        server.stop()
