"""Totals of model calls (interviewer replies, judge calls, take-home claims): tokens, cost and
latency, overall and by purpose."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypedDict


class ModelCall(Protocol):
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    latency_ms: int | None


class PurposeTotals(TypedDict):
    model_calls: int
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None


class Totals(PurposeTotals):
    latency_ms: int
    # reply, judge, claims, ...: the same sums for each purpose, as /metrics labels them.
    by_purpose: dict[str, PurposeTotals]


def purpose_of(call: ModelCall) -> str:
    # Interviewer turns carry no purpose column: every model call on a turn is its reply.
    return getattr(call, "purpose", None) or "reply"


def _sums(calls: list[ModelCall]) -> PurposeTotals:
    prompt = [c.prompt_tokens for c in calls if c.prompt_tokens is not None]
    completion = [c.completion_tokens for c in calls if c.completion_tokens is not None]
    costs = [c.cost_usd for c in calls]
    return {
        "model_calls": len(calls),
        "prompt_tokens": sum(prompt) if prompt else None,
        "completion_tokens": sum(completion) if completion else None,
        # Unknown is not free: one call without a price leaves the total's cost unknown.
        "cost_usd": None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 6),
    }


def total(calls: Iterable[ModelCall]) -> Totals:
    """Sums over the calls; tokens are None when no call reported any, cost when any price is unknown."""
    calls = list(calls)
    groups: dict[str, list[ModelCall]] = {}
    for call in calls:
        groups.setdefault(purpose_of(call), []).append(call)
    return {
        **_sums(calls),
        "latency_ms": sum(c.latency_ms or 0 for c in calls),
        "by_purpose": {purpose: _sums(group) for purpose, group in sorted(groups.items())},
    }
