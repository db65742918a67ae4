"""Run the model judge over a graded set at scale: bounded concurrency, a content-hash cache so a
crashed run resumes where it stopped, failures counted instead of aborting, tokens and cost summed.

The cache is a JSONL file, one line per judged answer, appended as soon as the answer is judged;
its key hashes everything the judgement depends on (model, samples, judge prompt and code, the
question, reference and answer), so a changed prompt never reuses a stale score.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from interviewer.assessment import judge
from interviewer.assessment.evaluation import GradedAnswer
from interviewer.models import llm
from importlib import resources


@dataclass
class JudgeRun:
    """What a run produced: a quality per answer (None where the judge failed) and what it cost."""

    qualities: list[float | None]
    spreads: list[float | None]
    cached: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    # None as soon as one call's price is unknown (a local model): unknown is not free.
    cost_usd: float | None = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def add(self, *, prompt_tokens: int | None, completion_tokens: int | None, cost_usd: float | None) -> None:
        self.prompt_tokens += prompt_tokens or 0
        self.completion_tokens += completion_tokens or 0
        self.cost_usd = None if self.cost_usd is None or cost_usd is None else self.cost_usd + cost_usd


def _judge_fingerprint() -> str:
    """The judge's prompt and code: a change to either invalidates cached judgements."""
    digest = hashlib.sha256()
    digest.update(resources.files("interviewer.models").joinpath("templates/judge.j2").read_bytes())
    digest.update(Path(judge.__file__).read_bytes())
    return digest.hexdigest()[:16]


def cache_key(item: GradedAnswer, *, model: str, samples: int, fingerprint: str) -> str:
    payload = json.dumps([model, samples, fingerprint, item.question, item.reference_answer, item.answer], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def load_cache(path: Path) -> dict[str, dict[str, object]]:
    """Judgements already made; a line cut short by a crash is ignored."""
    found: dict[str, dict[str, object]] = {}
    if not path.exists():
        return found
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("quality"), int | float):
            found[entry["key"]] = entry
    return found


def _reason(exc: BaseException) -> str:
    """A failure's kind, for counting: the status and the first words of the message."""
    status = getattr(exc, "status", None)
    words = " ".join(str(exc).split()[:10])
    return f"{status} {words}" if status else f"{type(exc).__name__} {words}"


async def run(
    models: llm.Models, items: Sequence[GradedAnswer], *, concurrency: int, samples: int, cache_path: Path | None,
    advance: Callable[[], None] = lambda: None,
) -> JudgeRun:
    """Judge every item (those in the cache are not judged again); `advance` is called per item done."""
    model = models.settings.judge
    fingerprint = _judge_fingerprint()
    keys = [cache_key(i, model=model, samples=samples, fingerprint=fingerprint) for i in items]
    cache = load_cache(cache_path) if cache_path else {}
    result = JudgeRun(qualities=[None] * len(items), spreads=[None] * len(items))
    gate = asyncio.Semaphore(concurrency)
    writing = asyncio.Lock()
    if cache_path:
        cache_path.parent.mkdir(parents=True, exist_ok=True)

    async def one(index: int) -> None:
        key, item = keys[index], items[index]
        if (hit := cache.get(key)) is not None:
            result.qualities[index] = float(hit["quality"])  # type: ignore[arg-type]
            result.spreads[index] = hit.get("spread")  # type: ignore[assignment]
            result.cached += 1
            advance()
            return
        async with gate:
            try:
                quality = await judge.judge_quality(
                    models, question=item.question, reference_answer=item.reference_answer, answer=item.answer, samples=samples
                )
            except Exception as exc:  # one failed answer is counted; the run goes on
                result.failures[_reason(exc)] += 1
                advance()
                return
        result.qualities[index], result.spreads[index] = quality.value, quality.spread
        u = quality.usage
        result.add(prompt_tokens=u.prompt_tokens, completion_tokens=u.completion_tokens, cost_usd=u.cost_usd)
        if cache_path:
            line = json.dumps({"key": key, "quality": quality.value, "spread": quality.spread, "prompt_tokens": u.prompt_tokens,
                               "completion_tokens": u.completion_tokens, "cost_usd": u.cost_usd})
            async with writing:
                # Appended at once, so a crash loses at most the answers in flight.
                with cache_path.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
        advance()

    await asyncio.gather(*(one(i) for i in range(len(items))))
    return result
