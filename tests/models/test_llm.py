"""The model seam over litellm, exercised at the HTTP level in the providers' wire formats."""

from __future__ import annotations

import subprocess
import sys

import anyio
import httpx
import pytest
import respx

import asyncio
import time

from interviewer.models.calls import offline_stream
from interviewer.models.llm import ModelError, Models
from interviewer.ops.settings import Settings

from tests.support.fake_models import ANTHROPIC_URL, API_BASE, OPENAI_URL, FakeOpenAI, anthropic_message, anthropic_sse, openai_completion

MESSAGES = [{"role": "system", "content": "You are an interviewer."}, {"role": "user", "content": "Hello"}]


def models(**overrides: object) -> Models:
    base: dict[str, object] = {"model": "openai/gpt-4o-mini", "api_base": API_BASE, "api_key": "sk-test", "model_retries": 0, "model_timeout": 5}
    return Models(Settings(**(base | overrides)))  # type: ignore[arg-type]


def complete(m: Models, model: str = "openai/gpt-4o-mini", purpose: str = "completion") -> tuple[str, object]:
    reply = anyio.run(lambda: m.complete(model=model, messages=MESSAGES, purpose=purpose))
    return reply.text, reply.usage


def stream(m: Models, model: str = "openai/gpt-4o-mini") -> tuple[list[str], object]:
    async def run() -> tuple[list[str], object]:
        s = m.stream(model=model, messages=MESSAGES)
        parts = [p async for p in s]
        return parts, s.usage

    return anyio.run(run)


def test_completion_records_tokens_cost_and_latency(fake_openai: FakeOpenAI) -> None:
    m = models()
    text, usage = complete(m)
    assert text
    assert usage.prompt_tokens and usage.completion_tokens == 18  # type: ignore[attr-defined]
    assert usage.cost_usd is not None and usage.cost_usd > 0  # type: ignore[attr-defined]
    sent = fake_openai.requests[0]
    assert sent["model"] == "gpt-4o-mini" and sent["messages"] == MESSAGES


def test_streaming_yields_chunks_then_usage(fake_openai: FakeOpenAI) -> None:
    parts, usage = stream(models())
    assert len(parts) > 1
    assert usage.prompt_tokens and usage.cost_usd > 0  # type: ignore[attr-defined]
    assert fake_openai.requests[0]["stream"] is True
    assert fake_openai.requests[0]["stream_options"] == {"include_usage": True}


def test_unknown_model_costs_null_not_zero(fake_openai: FakeOpenAI) -> None:
    m = models(model="openai/my-local-finetune")
    _, usage = complete(m, "openai/my-local-finetune")
    assert usage.cost_usd is None and usage.prompt_tokens  # type: ignore[attr-defined]


def test_offline_stream_is_free_and_word_by_word() -> None:
    async def run() -> tuple[list[str], object]:
        s = offline_stream("Tell me about likelihood.")
        return [p async for p in s], s.usage

    parts, usage = anyio.run(run)
    assert parts == ["Tell ", "me ", "about ", "likelihood."]
    assert usage.cost_usd == 0.0 and usage.model == "offline"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("failure", "status", "words"),
    [
        (httpx.Response(429, json={"error": {"message": "Rate limit", "type": "rate_limit_error"}}, headers={"retry-after": "7"}), 503, "rate-limiting"),
        (httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}), 502, "failed"),
        (httpx.ReadTimeout("slow"), 504, "in time"),
        (httpx.ConnectError("Connection refused"), 503, "cannot be reached"),
        (httpx.Response(401, json={"error": {"message": "bad key", "type": "invalid_request_error"}}), 502, "API key"),
        (httpx.Response(200, json=openai_completion("")), 502, "empty reply"),
    ],
    ids=["429", "500", "timeout", "refused", "401", "empty"],
)
def test_provider_faults_become_clear_errors(fake_openai: FakeOpenAI, failure: object, status: int, words: str) -> None:
    fake_openai.fail_next(failure)  # type: ignore[arg-type]
    with pytest.raises(ModelError) as error:
        complete(models())
    assert error.value.status == status and words in str(error.value)
    assert error.value.retry_after >= 1
    if status == 503 and "rate" in words:
        assert error.value.retry_after == 7


def test_empty_stream_is_an_error(no_network: respx.MockRouter) -> None:
    from tests.support.fake_models import openai_sse

    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(200, text=openai_sse([]), headers={"content-type": "text/event-stream"}))
    with pytest.raises(ModelError, match="empty reply"):
        stream(models())


def test_router_retries_then_succeeds(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next(httpx.Response(500, json={"error": {"message": "blip", "type": "server_error"}}))
    text, _ = complete(models(model_retries=1))
    assert text and len(fake_openai.requests) == 2


def test_fallback_to_anthropic_when_the_primary_is_rate_limited(
    fake_openai: FakeOpenAI, no_network: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    fake_openai.fail_next(httpx.Response(429, json={"error": {"message": "Rate limit", "type": "rate_limit_error"}}, headers={"retry-after": "0"}))
    anthropic = no_network.post(ANTHROPIC_URL).mock(return_value=httpx.Response(200, json=anthropic_message("Bonjour from Claude")))
    m = models(fallback_models=["anthropic/claude-3-5-haiku-20241022"])
    text, usage = complete(m)
    assert text == "Bonjour from Claude"
    assert "claude" in usage.model  # type: ignore[attr-defined]
    sent = anthropic.calls[0].request
    assert sent.headers["anthropic-version"] and b"You are an interviewer." in sent.content


def test_anthropic_streaming_wire_format(no_network: respx.MockRouter) -> None:
    no_network.post(ANTHROPIC_URL).mock(
        return_value=httpx.Response(200, text=anthropic_sse(["Walk me ", "through it."]), headers={"content-type": "text/event-stream"})
    )
    m = models(model="anthropic/claude-3-5-haiku-20241022", api_base=None, api_key="sk-ant-test")
    parts, usage = stream(m, "anthropic/claude-3-5-haiku-20241022")
    assert "".join(parts) == "Walk me through it."
    assert usage.prompt_tokens == 95  # type: ignore[attr-defined]


def test_offline_use_never_imports_litellm(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from interviewer.api.app import create_app\n"
        "from interviewer.ops.settings import Settings\n"
        f"app = create_app(Settings(database_url='sqlite:///{tmp_path}/x.db', model='offline'))\n"
        "with TestClient(app) as c:\n"
        "    s = c.post('/api/sessions', json={'persona_id': 'technical-ml'}).json()\n"
        "    c.post(f\"/api/sessions/{s['id']}/answers\", json={'content': 'An answer about gradients.'})\n"
        "    assert c.get(f\"/api/sessions/{s['id']}/report\").status_code == 200\n"
        "assert 'litellm' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("purpose", "setting"), [("reply", "max_tokens_interviewer"), ("judge", "max_tokens_judge"), ("claims", "max_tokens_claims")])
def test_every_call_is_bounded_by_max_tokens_for_its_purpose(fake_openai: FakeOpenAI, purpose: str, setting: str) -> None:
    complete(models(**{setting: 321}), purpose=purpose)
    assert fake_openai.requests[0]["max_tokens"] == 321


def test_a_streamed_reply_sets_max_tokens(fake_openai: FakeOpenAI) -> None:
    stream(models(max_tokens_interviewer=222))
    assert fake_openai.requests[0]["max_tokens"] == 222


def test_a_retry_after_beyond_the_deadline_answers_503_at_once(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next(httpx.Response(429, json={"error": {"message": "Rate limit", "type": "rate_limit_error"}}, headers={"retry-after": "30"}))
    started = time.monotonic()
    with pytest.raises(ModelError) as error:
        complete(models(model_retries=3, turn_deadline=10))
    assert time.monotonic() - started < 3
    assert error.value.status == 503 and error.value.retry_after == 30
    assert len(fake_openai.requests) == 1


def test_a_long_retry_after_is_handed_to_the_client_instead_of_holding_the_request(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next(httpx.Response(429, json={"error": {"message": "Rate limit", "type": "rate_limit_error"}}, headers={"retry-after": "30"}))
    started = time.monotonic()
    with pytest.raises(ModelError) as error:
        complete(models(model_retries=3, turn_deadline=45))
    assert time.monotonic() - started < 3 and error.value.status == 503 and error.value.retry_after == 30


def test_a_short_retry_after_is_waited_out_within_the_deadline(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail_next(httpx.Response(429, json={"error": {"message": "Rate limit", "type": "rate_limit_error"}}, headers={"retry-after": "0.2"}))
    text, _ = complete(models(model_retries=2, turn_deadline=10))
    assert text and len(fake_openai.requests) == 2


def test_a_hung_provider_is_cut_at_the_turn_deadline(no_network: respx.MockRouter) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json=openai_completion("too late"))

    no_network.post(OPENAI_URL).mock(side_effect=hang)
    started = time.monotonic()
    with pytest.raises(ModelError) as error:
        complete(models(model_retries=3, model_timeout=60, turn_deadline=1))
    assert time.monotonic() - started < 4
    assert error.value.status == 504


def test_an_overlong_streamed_reply_is_cut_at_a_sentence(no_network: respx.MockRouter) -> None:
    from tests.support.fake_models import openai_sse

    sentence = "This sentence is part of a very long reply. "
    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(
        200, text=openai_sse([sentence] * 200), headers={"content-type": "text/event-stream"}
    ))
    parts, _ = stream(models(max_reply_chars=1_000))
    text = "".join(parts)
    assert 500 < len(text) <= 1_000 and text.endswith("reply.")


def test_an_overlong_whole_reply_is_cut_at_a_sentence(no_network: respx.MockRouter) -> None:
    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(200, json=openai_completion("One more thing to say. " * 500)))
    text, _ = complete(models(max_reply_chars=1_000), purpose="reply")
    assert len(text) <= 1_000 and text.endswith("say.")
