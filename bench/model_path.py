"""How the model path behaves against a misbehaving local model server (issue 12), in figures.

A stand-in OpenAI-compatible server on 127.0.0.1 serves a model litellm does not know, and plays
one fault per scenario; the app runs in-process with its default settings (turn deadline,
retries, max_tokens, reply cap). For each scenario this prints what a candidate would see: the
status of the answer or report request, how long it was held, and what was stored.

    .venv/bin/python bench/model_path.py            # every scenario (the hung one takes the turn deadline)
    .venv/bin/python bench/model_path.py huge nan   # some of them
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

sys.path.insert(0, str(Path(__file__).resolve().parent))
from standin_model import read_request  # noqa: E402

from interviewer.api.app import create_app  # noqa: E402
from interviewer.ops.settings import Settings  # noqa: E402

MODEL = "openai/local-qwen2.5-7b"
REPLY = "Thank you. Could you say more about how you would check that on held-out data?"
ANSWER = "Likelihood is the probability of the observed data given the parameters; we maximise its log to fit the model."


class Fault:
    """What the stand-in server does now, and what it received."""

    def __init__(self) -> None:
        self.kind = "none"
        self.requests: list[dict[str, Any]] = []


def _judge_verdict(body: dict[str, Any], score: str) -> str:
    system = body["messages"][0]["content"]
    ids = system.rsplit("one entry for each of: ", 1)[1].rstrip(".").split(", ")
    items = ", ".join(f'{{"criterion_id": "{i}", "evidence": [], "reasoning": "ok", "assessed": true, "score": {score}}}' for i in ids)
    return '{"criteria": [' + items + '], "key_points_covered": [], "misconceptions": []}'


def make_server(fault: Fault) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = await read_request(scope, receive, send)
        if request is None:
            return
        fault.requests.append(request)
        judge = request["messages"][0]["content"].startswith("You assess one answer")

        async def answer(status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:  # type: ignore[assignment]
            await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json"), *headers]})
            await send({"type": "http.response.body", "body": json.dumps(payload).encode()})

        if fault.kind == "ratelimit" and not judge:
            await answer(429, {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}, [(b"retry-after", b"30")])
            return
        if fault.kind == "hang" and not judge:
            await asyncio.sleep(600)
        if fault.kind == "judge-down" and judge:
            await answer(503, {"error": {"message": "overloaded", "type": "server_error"}})
            return
        if fault.kind == "refuse-format" and request.get("response_format"):
            await answer(400, {"error": {"message": "response_format is not supported", "type": "invalid_request_error", "param": "response_format"}})
            return
        if judge:
            text = _judge_verdict(request, "NaN" if fault.kind == "nan" else "4")
        elif fault.kind == "huge":
            text = "This reply goes on and on without end. " * 52_000  # about 2 MB
        else:
            text = REPLY
        await answer(200, {
            "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()), "model": request.get("model", "local"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 900, "completion_tokens": 20, "total_tokens": 920},
        })

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(scenarios: list[str]) -> None:
    fault = Fault()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(make_server(fault), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", model=MODEL, api_base=f"http://127.0.0.1:{port}/v1", api_key="none")
        print(f"model {MODEL} (unknown to litellm) on a stand-in server; turn deadline {settings.turn_deadline:g} s, "
              f"retries {settings.model_retries}, max reply {settings.max_reply_chars} chars")
        print(f"{'scenario':<15}{'request':<10}{'status':>7}{'held s':>9}  what was stored")
        for kind in scenarios:
            # A fresh app per scenario: what one scenario taught the app (a judge that is down) stays there.
            with TestClient(create_app(settings)) as client:
                fault.kind = "none"
                session = client.post("/api/sessions", json={"persona_id": "technical-ml", "job_description": "ML intern", "cv": "MSc"}).json()
                fault.kind, fault.requests = kind, []
                started = time.perf_counter()
                answered = client.post(f"/api/sessions/{session['id']}/answers", json={"content": ANSWER}, headers={"Idempotency-Key": kind})
                held = time.perf_counter() - started
                turns = client.get(f"/api/sessions/{session['id']}").json()["turns"]
                stored = f"{len(turns)} turns, last reply {len(turns[-1]['content'])} chars" if turns[-1]["role"] == "interviewer" else "the answer (reply to resume)"
                retry = f", Retry-After {answered.headers['retry-after']}" if "retry-after" in answered.headers else ""
                print(f"{kind:<15}{'answer':<10}{answered.status_code:>7}{held:>9.2f}  {stored}{retry}")
                started = time.perf_counter()
                report = client.get(f"/api/sessions/{session['id']}/report")
                held = time.perf_counter() - started
                scored = sorted({s["scored_by"] for q in report.json().get("questions", []) for s in q["scores"]}) if report.status_code == 200 else []
                judged = [r for r in fault.requests if r["messages"][0]["content"].startswith("You assess")]
                formats = [str((r.get("response_format") or {}).get("type")) for r in judged]
                print(f"{'':<15}{'report':<10}{report.status_code:>7}{held:>9.2f}  scored by {', '.join(scored) or '-'}; "
                      f"judge requests sent {', '.join(formats) or 'none'}")
                unbounded = [r for r in fault.requests if not isinstance(r.get("max_tokens"), int)]
                in_system = [r for r in fault.requests if any(m["role"] == "system" and "ML intern" in m["content"] for m in r["messages"])]
                if unbounded or in_system:
                    print(f"{'':<25}!! {len(unbounded)} request(s) without max_tokens, {len(in_system)} with the job description in a system message")
    server.should_exit = True


if __name__ == "__main__":
    run(sys.argv[1:] or ["none", "huge", "ratelimit", "judge-down", "nan", "refuse-format", "hang"])
