"""Totals of model calls (interviewer replies and judge calls): tokens, cost and latency."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypedDict


class ModelCall(Protocol):
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    latency_ms: int | None


class Totals(TypedDict):
    model_calls: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    latency_ms: int


def total(calls: Iterable[ModelCall]) -> Totals:
    """Sums over the calls; tokens are None when no call reported any, cost when any price is unknown."""
    calls = list(calls)
    prompt = [c.prompt_tokens for c in calls if c.prompt_tokens is not None]
    completion = [c.completion_tokens for c in calls if c.completion_tokens is not None]
    costs = [c.cost_usd for c in calls]
    return {
        "model_calls": len(calls),
        "prompt_tokens": sum(prompt) if prompt else None,
        "completion_tokens": sum(completion) if completion else None,
        # Unknown is not free: one call without a price leaves the session's cost unknown.
        "cost_usd": None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
        "latency_ms": sum(c.latency_ms or 0 for c in calls),
    }
