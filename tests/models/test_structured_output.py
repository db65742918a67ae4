"""Structured output at the wire: what each provider is sent, and the fallback chain when a server refuses."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
import respx

from interviewer.models.llm import Models
from interviewer.models.structured_output import OutputSchema
from interviewer.ops.settings import Settings

from tests.support.fake_models import ANTHROPIC_URL, API_BASE, OPENAI_URL, FakeOpenAI, openai_completion, request_json

SCHEMA = OutputSchema(name="verdict", schema={
    "type": "object", "additionalProperties": False, "required": ["score"],
    "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}},
})
MESSAGES = [{"role": "system", "content": "You grade."}, {"role": "user", "content": "<candidate_answer>\nHi\n</candidate_answer>"}]
OLLAMA_BASE = "http://ollama.test:11434"


def models(model: str, **overrides: object) -> Models:
    base: dict[str, object] = {"model": model, "api_base": API_BASE, "api_key": "sk-test", "model_retries": 0, "model_timeout": 5}
    return Models(Settings(**(base | overrides)))  # type: ignore[arg-type]


def ask(m: Models, model: str) -> str:
    return anyio.run(lambda: m.complete(model=model, messages=MESSAGES, schema=SCHEMA, purpose="judge")).text


def refusing_server(refuse: set[str], status: int = 400) -> tuple[list[dict[str, Any]], Any]:
    """An OpenAI-compatible server (llama.cpp, LM Studio, an old vLLM) that answers 400 (or 422) to the formats in `refuse`."""
    seen: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        seen.append(body)
        kind = (body.get("response_format") or {}).get("type")
        if kind in refuse:
            return httpx.Response(status, json={"error": {"message": f"response_format type '{kind}' is not supported", "type": "invalid_request_error", "param": "response_format"}})
        return httpx.Response(200, json=openai_completion('{"score": 4}', model=body["model"]))

    return seen, handle


def test_openai_gets_a_strict_json_schema_and_max_tokens(fake_openai: FakeOpenAI) -> None:
    fake_openai_reply = ask(models("openai/gpt-4o-mini"), "openai/gpt-4o-mini")
    assert fake_openai_reply
    sent = fake_openai.requests[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True and sent["response_format"]["json_schema"]["schema"] == SCHEMA.schema
    assert sent["max_tokens"] == Settings().max_tokens_judge


def test_a_local_model_litellm_does_not_know_is_asked_for_a_json_schema(no_network: respx.MockRouter) -> None:
    seen, handle = refusing_server(set())
    no_network.post(OPENAI_URL).mock(side_effect=handle)
    assert ask(models("openai/qwen2.5-7b-instruct"), "openai/qwen2.5-7b-instruct") == '{"score": 4}'
    assert seen[0]["response_format"]["type"] == "json_schema" and seen[0]["max_tokens"]


@pytest.mark.parametrize("status", [400, 422])
def test_a_server_refusing_response_format_moves_the_model_down_and_remembers(no_network: respx.MockRouter, status: int) -> None:
    seen, handle = refusing_server({"json_schema", "json_object"}, status)
    no_network.post(OPENAI_URL).mock(side_effect=handle)
    m = models("openai/local-llama")
    assert ask(m, "openai/local-llama") == '{"score": 4}'
    assert [(r.get("response_format") or {}).get("type") for r in seen] == ["json_schema", "json_object", None]
    # The schema then travels in the prompt, after the candidate's text, never inside the system message.
    assert '"score"' in seen[-1]["messages"][-1]["content"] and seen[-1]["messages"][0]["content"] == "You grade."
    ask(m, "openai/local-llama")
    assert "response_format" not in seen[-1] and len(seen) == 4  # remembered: no new refusal


def test_json_object_is_kept_when_only_json_schema_is_refused(no_network: respx.MockRouter) -> None:
    seen, handle = refusing_server({"json_schema"})
    no_network.post(OPENAI_URL).mock(side_effect=handle)
    ask(models("openai/lmstudio-model"), "openai/lmstudio-model")
    assert [(r.get("response_format") or {}).get("type") for r in seen] == ["json_schema", "json_object"]


@pytest.mark.parametrize(("setting", "expected"), [("prompt", None), ("json_object", "json_object"), ("json_schema", "json_schema")])
def test_the_setting_overrides_detection(fake_openai: FakeOpenAI, setting: str, expected: str | None) -> None:
    ask(models("openai/gpt-4o-mini", structured_output=setting), "openai/gpt-4o-mini")
    assert (fake_openai.requests[0].get("response_format") or {}).get("type") == expected


def test_ollama_native_chat_gets_the_schema_as_format(no_network: respx.MockRouter) -> None:
    route = no_network.post(f"{OLLAMA_BASE}/api/chat").mock(return_value=httpx.Response(200, json={
        "model": "llama3.1", "created_at": "2026-11-29T08:00:00Z",
        "message": {"role": "assistant", "content": '{"score": 3}'}, "done": True, "done_reason": "stop",
        "prompt_eval_count": 40, "eval_count": 6,
    }))
    m = models("ollama_chat/llama3.1", api_base=OLLAMA_BASE, api_key=None)
    assert ask(m, "ollama_chat/llama3.1") == '{"score": 3}'
    sent = json.loads(route.calls[0].request.content)
    assert sent["format"] == SCHEMA.schema
    assert sent["options"]["num_predict"] == Settings().max_tokens_judge
    assert [msg["role"] for msg in sent["messages"]] == ["system", "user"]


def test_ollama_native_chat_streams_a_reply_with_num_predict(no_network: respx.MockRouter) -> None:
    lines = [
        {"model": "llama3.1", "created_at": "2026-11-29T08:00:00Z", "message": {"role": "assistant", "content": "Tell me "}, "done": False},
        {"model": "llama3.1", "created_at": "2026-11-29T08:00:00Z", "message": {"role": "assistant", "content": "more."}, "done": False},
        {"model": "llama3.1", "created_at": "2026-11-29T08:00:01Z", "message": {"role": "assistant", "content": ""}, "done": True,
         "done_reason": "stop", "prompt_eval_count": 40, "eval_count": 3},
    ]
    route = no_network.post(f"{OLLAMA_BASE}/api/chat").mock(return_value=httpx.Response(
        200, text="".join(json.dumps(line) + "\n" for line in lines), headers={"content-type": "application/x-ndjson"}
    ))
    m = models("ollama_chat/llama3.1", api_base=OLLAMA_BASE, api_key=None, max_tokens_interviewer=150)

    async def run() -> str:
        return await m.stream(model="ollama_chat/llama3.1", messages=MESSAGES).text()

    assert anyio.run(run) == "Tell me more."
    sent = json.loads(route.calls[0].request.content)
    assert sent["stream"] is True and sent["options"]["num_predict"] == 150


def test_anthropic_gets_the_schema_and_max_tokens_and_its_json_comes_back(no_network: respx.MockRouter) -> None:
    seen: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        seen.append(body)
        tools = body.get("tools") or []
        content: list[dict[str, Any]]
        if tools:
            content = [{"type": "tool_use", "id": "toolu_1", "name": tools[0]["name"], "input": {"score": 5}}]
        else:
            content = [{"type": "text", "text": '{"score": 5}'}]
        return httpx.Response(200, json={
            "id": "msg_test", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022", "content": content,
            "stop_reason": "tool_use" if tools else "end_turn", "stop_sequence": None, "usage": {"input_tokens": 50, "output_tokens": 9},
        })

    no_network.post(ANTHROPIC_URL).mock(side_effect=handle)
    m = models("anthropic/claude-3-5-haiku-20241022", api_base=None, api_key="sk-ant-test")
    assert json.loads(ask(m, "anthropic/claude-3-5-haiku-20241022")) == {"score": 5}
    sent = seen[0]
    assert sent["max_tokens"] == Settings().max_tokens_judge
    assert sent["system"] and all(msg["role"] != "system" for msg in sent["messages"])
    # The schema reaches Claude either as a forced tool or as the JSON schema of the prompt.
    described = json.dumps(sent.get("tools") or sent.get("output_format") or sent["messages"])
    assert '"score"' in described
