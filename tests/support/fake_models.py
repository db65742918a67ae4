"""Model providers faked at the HTTP level, in their real wire formats (for respx)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx

API_BASE = "http://llm.test/v1"
OPENAI_URL = f"{API_BASE}/chat/completions"
ANTHROPIC_URL = "https://api.anthropic.com/v1/messages"
USAGE = {"prompt_tokens": 120, "completion_tokens": 18, "total_tokens": 138}


def openai_completion(text: str, *, model: str = "gpt-4o-mini", prompt_tokens: int = 120) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": 1_700_000_000, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 18, "total_tokens": prompt_tokens + 18},
    }


def openai_sse(parts: list[str], *, model: str = "gpt-4o-mini", prompt_tokens: int = 120) -> str:
    """A streamed chat completion: role chunk, content chunks, finish chunk, usage chunk, [DONE]."""
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body)}\n\n"

    out = chunk({"role": "assistant", "content": ""})
    out += "".join(chunk({"content": p}) for p in parts)
    out += chunk({}, "stop")
    usage = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
             "choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(parts), "total_tokens": prompt_tokens + len(parts)}}
    return out + f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n"


def anthropic_message(text: str) -> dict[str, Any]:
    return {
        "id": "msg_test", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 95, "output_tokens": 12},
    }


def anthropic_sse(parts: list[str]) -> str:
    events = [
        ("message_start", {"type": "message_start", "message": {"id": "msg_test", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022", "content": [], "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 95, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        *[("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}) for p in parts],
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": len(parts)}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)


def request_json(request: httpx.Request) -> dict[str, Any]:
    return json.loads(request.content)


def is_judge(body: dict[str, Any]) -> bool:
    return body["messages"][0]["content"].startswith("You assess one answer")


def is_claims(body: dict[str, Any]) -> bool:
    return body["messages"][0]["content"].startswith("You read a candidate's take-home")


def judge_reply(body: dict[str, Any], *, score: Callable[[str], int] | None = None) -> str:
    """A well-formed judge verdict: quotes the answer's first sentence for every criterion."""
    system, answer_message = body["messages"][0]["content"], body["messages"][1]["content"]
    ids = re.search(r"one entry for each of: (.+)\.\s*$", system).group(1).split(", ")  # type: ignore[union-attr]
    answer = answer_message.split("<candidate_answer>\n", 1)[1].rsplit("\n</candidate_answer>", 1)[0]
    first = re.split(r"(?<=[.!?])\s", answer.strip())[0]
    value = score(answer) if score else (4 if len(answer.split()) > 30 else 2)
    return json.dumps({
        "criteria": [{"criterion_id": i, "evidence": [first], "reasoning": f"Judged {i}.", "assessed": True, "score": value} for i in ids],
        "key_points_covered": [], "misconceptions": [],
    })


def interviewer_words(body: dict[str, Any]) -> list[str]:
    """The fake interviewer says the scripted line the prompt gives it, in a few chunks."""
    system = body["messages"][0]["content"]
    quoted = re.findall(r'"([^"]{8,})"', system.split("# Your next move", 1)[-1]) if "# Your next move" in system else []
    text = quoted[0] if quoted else "Thank you, let us continue."
    words = text.split(" ")
    return [" ".join(words[i : i + 3]) + (" " if i + 3 < len(words) else "") for i in range(0, len(words), 3)]


class FakeOpenAI:
    """An OpenAI-compatible server (what Ollama and vLLM expose too) that records what it receives."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.failures: Iterator[httpx.Response | Exception] = iter(())
        # What the judge does instead of a good verdict: a failure, or its own reply text.
        self.judge_failure: httpx.Response | Exception | None = None
        self.judge_text: Callable[[dict[str, Any]], str] | None = None
        self.claims_text: str | None = None
        # response_format types the server answers 400 to, as llama.cpp or LM Studio may.
        self.refused_formats: set[str] = set()

    def fail_next(self, *outcomes: httpx.Response | Exception) -> None:
        self.failures = iter(outcomes)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        self.requests.append(body)
        failure = next(self.failures, None)
        if isinstance(failure, Exception):
            raise failure
        if failure is not None:
            return failure
        model = body["model"]  # a real server answers with the name of the model it serves
        kind = (body.get("response_format") or {}).get("type")
        if kind in self.refused_formats:
            return httpx.Response(400, json={"error": {"message": f"response_format of type {kind} is not supported by this server", "type": "invalid_request_error", "param": "response_format"}})
        if is_claims(body) and self.claims_text is not None:
            return httpx.Response(200, json=openai_completion(self.claims_text, model=model))
        if is_judge(body):
            if isinstance(self.judge_failure, Exception):
                raise self.judge_failure
            if self.judge_failure is not None:
                return self.judge_failure
            text = self.judge_text(body) if self.judge_text else judge_reply(body)
            return httpx.Response(200, json=openai_completion(text, model=model))
        prompt_tokens = len(json.dumps(body["messages"])) // 4
        if body.get("stream"):
            return httpx.Response(200, text=openai_sse(interviewer_words(body), model=model, prompt_tokens=prompt_tokens), headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=openai_completion("".join(interviewer_words(body)), model=model, prompt_tokens=prompt_tokens))

    @property
    def interviewer_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if not is_judge(r)]

    @property
    def judge_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if is_judge(r)]
