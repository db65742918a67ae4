"""`interviewer eval scorer --model M` at scale: bounded concurrency, a resumable cache, failures counted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import pytest
import respx
from click.testing import CliRunner

from interviewer.assessment import judge_eval
from interviewer.assessment.evaluation import GradedAnswer
from interviewer.cli.main import main
from interviewer.models.llm import Models
from interviewer.ops.settings import Settings, get_settings

from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI, judge_reply, openai_completion, request_json

MODEL = "openai/gpt-4o-mini"


def graded(n: int) -> list[GradedAnswer]:
    return [
        GradedAnswer(question=f"What is concept {i}?", reference_answer="A precise definition.", answer=f"Answer number {i} about it." + " More." * (i % 5), score=i % 6)
        for i in range(n)
    ]


def write(path: Path, items: list[GradedAnswer]) -> Path:
    path.write_text("\n".join(json.dumps(i.model_dump()) for i in items))
    return path


@pytest.fixture
def model_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("INTERVIEWER_API_BASE", API_BASE)
    monkeypatch.setenv("INTERVIEWER_API_KEY", "sk-test")
    monkeypatch.setenv("INTERVIEWER_MODEL_RETRIES", "0")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_concurrency_is_bounded(no_network: respx.MockRouter, tmp_path: Path) -> None:
    in_flight, peak = 0, 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return httpx.Response(200, json=openai_completion(judge_reply(request_json(request))))

    no_network.post(OPENAI_URL).mock(side_effect=slow)
    models = Models(Settings(model=MODEL, api_base=API_BASE, api_key="sk-test", model_retries=0))
    done: list[int] = []
    run = anyio.run(lambda: judge_eval.run(models, graded(12), concurrency=3, samples=1, cache_path=None, advance=lambda: done.append(1)))
    assert peak == 3 and len(done) == 12
    assert all(q is not None for q in run.qualities) and run.prompt_tokens > 0 and run.cost_usd and run.cost_usd > 0


def test_a_crashed_run_resumes_from_the_cache_and_failures_are_counted(fake_openai: FakeOpenAI, tmp_path: Path, model_env: None) -> None:
    items = graded(6)
    file = write(tmp_path / "graded.jsonl", items)
    error = httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}})
    fake_openai.fail_next(error, error)
    first = CliRunner().invoke(main, ["eval", "scorer", str(file), "--model", MODEL, "--concurrency", "1"])
    assert first.exit_code == 0, first.output
    assert "judged: 4 now, 0 from the cache" in first.output and "2 failed" in first.output and "failed 2 x 502" in first.output
    assert "tokens:" in first.output and "cost $" in first.output
    cache = tmp_path / "graded.openai-gpt-4o-mini.judged.jsonl"
    assert len(cache.read_text().splitlines()) == 4
    before = len(fake_openai.requests)
    second = CliRunner().invoke(main, ["eval", "scorer", str(file), "--model", MODEL])
    assert second.exit_code == 0, second.output
    # Only the two answers that failed are judged again.
    assert len(fake_openai.requests) - before == 2
    assert "judged: 2 now, 4 from the cache" in second.output and "0 failed" in second.output
    assert "answers: 6" in second.output


def test_samples_are_drawn_per_answer_and_their_spread_printed(fake_openai: FakeOpenAI, tmp_path: Path, model_env: None) -> None:
    file = write(tmp_path / "g.jsonl", graded(3))
    result = CliRunner().invoke(main, ["eval", "scorer", str(file), "--model", MODEL, "--samples", "3", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert len(fake_openai.judge_requests) == 9 and "samples 3" in result.output
    assert "spread over samples" in result.output
    assert not list(tmp_path.glob("*.judged.jsonl"))


def test_a_judge_that_fails_on_everything_is_one_clear_error(fake_openai: FakeOpenAI, tmp_path: Path, model_env: None) -> None:
    file = write(tmp_path / "g.jsonl", graded(2))
    fake_openai.judge_failure = httpx.Response(401, json={"error": {"message": "bad key", "type": "invalid_request_error"}})
    result = CliRunner().invoke(main, ["eval", "scorer", str(file), "--model", MODEL, "--no-cache"])
    assert result.exit_code != 0 and "failed on every answer" in result.output and "API key" in result.output


def test_a_cache_line_cut_by_a_crash_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"key": "a", "quality": 0.5}\n{"key": "b", "qual')
    assert set(judge_eval.load_cache(path)) == {"a"}
