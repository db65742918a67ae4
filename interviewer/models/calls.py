"""What a model call gives back: its usage (tokens, cost, latency), a reply streamed as text, and
the ledger of the calls made for one purpose, so they can be accounted to a session."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


OFFLINE = "offline"


Messages = list[dict[str, str]]


# Calls made inside `ledger()`, so a caller can store what they cost (claims read before a session exists).
_ledger: ContextVar[list[tuple[str, Usage]] | None] = ContextVar("model_ledger", default=None)


@contextmanager
def ledger() -> Iterator[list[tuple[str, Usage]]]:
    """Collect (purpose, usage) of every whole completion made inside, to account them to a session."""
    calls: list[tuple[str, Usage]] = []
    token = _ledger.set(calls)
    try:
        yield calls
    finally:
        _ledger.reset(token)


def recording() -> list[tuple[str, Usage]] | None:
    """The list the innermost `ledger()` collects into, or None outside one."""
    return _ledger.get()


def is_offline(model: str) -> bool:
    return model == OFFLINE


@dataclass(frozen=True)
class Usage:
    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # None when the model's price is unknown (local models): unknown is not free.
    cost_usd: float | None = None
    latency_ms: int = 0


def combine(first: Usage, second: Usage) -> Usage:
    """Two calls made for one purpose (a judge call and its repair) as one usage."""
    def add(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a + b

    return Usage(
        model=second.model,
        prompt_tokens=add(first.prompt_tokens, second.prompt_tokens),  # type: ignore[arg-type]
        completion_tokens=add(first.completion_tokens, second.completion_tokens),  # type: ignore[arg-type]
        cost_usd=add(first.cost_usd, second.cost_usd),
        latency_ms=first.latency_ms + second.latency_ms,
    )


class TextStream:
    """The text of one reply as it arrives; `usage` is known once the stream is exhausted."""

    def __init__(self, deltas: AsyncIterator[str]) -> None:
        self._deltas = deltas
        self.usage: Usage | None = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self._deltas

    async def text(self) -> str:
        return "".join([delta async for delta in self])


def offline_stream(text: str) -> TextStream:
    """The offline engine's text, streamed word by word like a model's."""

    async def deltas() -> AsyncIterator[str]:
        started = time.perf_counter()
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == len(words) - 1 else word + " "
        # The embedded engine is free, so its cost is a known zero.
        stream.usage = Usage(model=OFFLINE, cost_usd=0.0, latency_ms=round((time.perf_counter() - started) * 1000))

    stream = TextStream(deltas())
    return stream
