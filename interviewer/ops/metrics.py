"""Prometheus metrics: requests, their latency, model calls, tokens, cost and errors, served at
/metrics. Call sites use the small functions below and never touch prometheus_client.

With several worker processes, `interviewer serve` sets PROMETHEUS_MULTIPROC_DIR before the
workers start; each writes its samples there and /metrics adds up every worker's.
"""

from __future__ import annotations

import os
from typing import Protocol

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector



class Usage(Protocol):
    """What a model call cost (models.calls.Usage has these fields)."""

    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    latency_ms: int

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

HTTP_REQUESTS = Counter(
    "interviewer_http_requests", "HTTP requests answered, by route template and status.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "interviewer_http_request_duration_seconds", "Time to answer an HTTP request (a streamed reply until its end).",
    ["method", "route"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
MODEL_CALLS = Counter(
    "interviewer_model_calls", "Calls to a model, by purpose (reply, judge, ...) and outcome (ok, error).",
    ["model", "purpose", "outcome"],
)
MODEL_LATENCY = Histogram(
    "interviewer_model_call_duration_seconds", "Duration of a model call that answered.",
    ["model", "purpose"], buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120),
)
MODEL_TOKENS = Counter("interviewer_model_tokens", "Tokens of model calls, by type (prompt, completion).", ["model", "purpose", "type"])
MODEL_COST = Counter("interviewer_model_cost_usd", "Cost of model calls with a known price, in US dollars.", ["model", "purpose"])
ERRORS = Counter(
    "interviewer_errors", "Failures: a model call that failed (its HTTP status) or an unhandled exception (500).",
    ["source", "status"],
)


def request_served(*, method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def model_answered(*, model: str, purpose: str, usage: Usage) -> None:
    MODEL_CALLS.labels(model, purpose, "ok").inc()
    MODEL_LATENCY.labels(model, purpose).observe(usage.latency_ms / 1000)
    if usage.prompt_tokens:
        MODEL_TOKENS.labels(model, purpose, "prompt").inc(usage.prompt_tokens)
    if usage.completion_tokens:
        MODEL_TOKENS.labels(model, purpose, "completion").inc(usage.completion_tokens)
    if usage.cost_usd:
        MODEL_COST.labels(model, purpose).inc(usage.cost_usd)


def model_failed(*, model: str, purpose: str, status: int) -> None:
    MODEL_CALLS.labels(model, purpose, "error").inc()
    ERRORS.labels("model", str(status)).inc()


def unhandled_error() -> None:
    ERRORS.labels("app", "500").inc()


def exposition() -> tuple[bytes, str]:
    """The text format Prometheus scrapes, over every worker when there are several."""
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
