"""Operating the service: a request id on every response and every log line, JSON logs, and
Prometheus metrics for requests, latency, model calls, tokens and errors."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from interviewer.api.app import create_app
from interviewer.ops import logs
from interviewer.ops.settings import Settings

from tests.support.fake_models import FakeOpenAI

MODEL = "openai/gpt-4o-mini"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The server's logging configuration, writing to a buffer; everything restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    names = ["uvicorn", "uvicorn.error", "uvicorn.access", "alembic.runtime.plugins"]
    saved = {name: (logging.getLogger(name).level, logging.getLogger(name).handlers[:], logging.getLogger(name).propagate) for name in names}
    logging.config.dictConfig(logs.logging_config(level="INFO", fmt="json"))
    buffer = io.StringIO()
    (handler,) = [h for h in root.handlers if isinstance(h.formatter, logs.JsonFormatter)]
    handler.setStream(buffer)  # type: ignore[attr-defined]
    try:
        yield buffer
    finally:
        for h in root.handlers[:]:
            if h not in saved_handlers:
                root.removeHandler(h)
        for h in saved_handlers:
            if h not in root.handlers:
                root.addHandler(h)
        root.setLevel(saved_level)
        for name, (level, handlers, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate


def test_request_id_is_kept_when_given_and_made_up_otherwise(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b"})
    assert given.headers["X-Request-ID"] == "trace-42.a:b"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    # Something unsafe to put in a log line or a header is replaced, not echoed.
    unsafe = client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", unsafe.headers["X-Request-ID"])
    assert client.get("/api/sessions/nope", headers={"X-Request-ID": "r404"}).headers["X-Request-ID"] == "r404"


def test_every_log_line_of_a_request_is_json_with_its_request_id(client: TestClient, json_log: io.StringIO) -> None:
    created = client.post("/api/sessions", json={"persona_id": "technical-ml"}, headers={"X-Request-ID": "start-1"})
    assert created.status_code == 201
    answered = client.post(
        f"/api/sessions/{created.json()['id']}/answers", json={"content": "Likelihood is p(data | theta) as a function of theta."},
        headers={"X-Request-ID": "answer-1", "Idempotency-Key": "k1"},
    )
    assert answered.status_code == 200
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    by_request = {rid: [line for line in lines if line["request_id"] == rid] for rid in ("start-1", "answer-1")}
    # The service logs the stored turn from a worker thread: the id follows the request there.
    for rid, own in by_request.items():
        loggers = {line["logger"] for line in own}
        assert {"interviewer.service", "interviewer.access"} <= loggers, (rid, loggers)
    access = next(line for line in by_request["answer-1"] if line["logger"] == "interviewer.access")
    assert access["route"] == "/api/sessions/{session_id}/answers" and access["status"] == 200
    assert access["method"] == "POST" and access["duration_ms"] >= 0


def test_text_logs_carry_the_request_id_too() -> None:
    config = logs.logging_config(level="DEBUG", fmt="text")
    formatter = logging.Formatter(config["formatters"]["default"]["format"])
    record = logging.LogRecord("interviewer.service", logging.INFO, __file__, 1, "stored", None, None)
    token = logs.request_id.set("abc")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.request_id.reset(token)
    assert "[abc] stored" in formatter.format(record)


def test_metrics_count_requests_and_latency_by_route_template(client: TestClient) -> None:
    route = "/api/sessions/{session_id}"
    before = sample("interviewer_http_requests_total", method="GET", route=route, status="404")
    latency_before = sample("interviewer_http_request_duration_seconds_count", method="GET", route=route)
    for i in range(3):
        assert client.get(f"/api/sessions/missing-{i}").status_code == 404
    assert sample("interviewer_http_requests_total", method="GET", route=route, status="404") == before + 3
    assert sample("interviewer_http_request_duration_seconds_count", method="GET", route=route) == latency_before + 3
    text = client.get("/metrics")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert f'interviewer_http_requests_total{{method="GET",route="{route}",status="404"}}' in text.text
    assert "missing-0" not in text.text, "raw paths never become labels"


def test_metrics_count_model_calls_tokens_and_model_errors(model_client: TestClient, fake_openai: FakeOpenAI) -> None:
    reply_ok = sample("interviewer_model_calls_total", model=MODEL, purpose="reply", outcome="ok")
    judge_ok = sample("interviewer_model_calls_total", model=MODEL, purpose="judge", outcome="ok")
    prompt = sample("interviewer_model_tokens_total", model=MODEL, purpose="reply", type="prompt")
    completion = sample("interviewer_model_tokens_total", model=MODEL, purpose="judge", type="completion")
    failed = sample("interviewer_model_calls_total", model=MODEL, purpose="reply", outcome="error")
    errors_503 = sample("interviewer_errors_total", source="model", status="503")

    session = model_client.post("/api/sessions", json={"persona_id": "technical-ml"}).json()
    answer = {"content": "The likelihood is the probability of the observed data as a function of the parameters."}
    assert model_client.post(f"/api/sessions/{session['id']}/answers", json=answer, headers={"Idempotency-Key": "a"}).status_code == 200
    # The answer is judged in the background after its reply: let that call happen before the failure is queued.
    deadline = time.monotonic() + 30
    while model_client.app.state.scoring.pending and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.01)
    fake_openai.fail_next(httpx.ConnectError("Connection refused"))
    second = {"content": "Bayes' rule turns the likelihood and a prior into a posterior."}
    assert model_client.post(f"/api/sessions/{session['id']}/answers", json=second, headers={"Idempotency-Key": "b"}).status_code == 503

    assert sample("interviewer_model_calls_total", model=MODEL, purpose="reply", outcome="ok") == reply_ok + 2
    assert sample("interviewer_model_calls_total", model=MODEL, purpose="judge", outcome="ok") >= judge_ok + 1
    assert sample("interviewer_model_tokens_total", model=MODEL, purpose="reply", type="prompt") > prompt
    assert sample("interviewer_model_tokens_total", model=MODEL, purpose="judge", type="completion") > completion
    assert sample("interviewer_model_calls_total", model=MODEL, purpose="reply", outcome="error") == failed + 1
    assert sample("interviewer_errors_total", source="model", status="503") == errors_503 + 1
    exposed = model_client.get("/metrics").text
    for name in ("interviewer_model_calls_total", "interviewer_model_tokens_total", "interviewer_model_call_duration_seconds_bucket", "interviewer_errors_total"):
        assert name in exposed


def test_an_unhandled_error_is_a_500_counted_and_logged_with_its_request_id(settings: Settings, json_log: io.StringIO) -> None:
    app = create_app(settings)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    before = sample("interviewer_errors_total", source="app", status="500")
    requests = sample("interviewer_http_requests_total", method="GET", route="/broken", status="500")
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/broken", headers={"X-Request-ID": "bug-1"}).status_code == 500
    assert sample("interviewer_errors_total", source="app", status="500") == before + 1
    assert sample("interviewer_http_requests_total", method="GET", route="/broken", status="500") == requests + 1
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    error = next(line for line in lines if line["level"] == "ERROR" and line["request_id"] == "bug-1")
    assert "RuntimeError: a bug" in error["exc_info"]


def test_log_format_auto_is_text_on_a_terminal_and_json_otherwise() -> None:
    assert "format" in logs.logging_config(fmt="auto", terminal=True)["formatters"]["default"]
    assert logs.logging_config(fmt="auto", terminal=False)["formatters"]["default"]["()"] == "interviewer.ops.logs.JsonFormatter"
    assert logs.logging_config(fmt="json", terminal=True)["formatters"]["default"]["()"] == "interviewer.ops.logs.JsonFormatter"
