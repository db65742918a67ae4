"""A stand-in model server for benchmarks: OpenAI's chat completions wire format (plain and
streamed, with usage), answering every request after a fixed delay. Bound to 127.0.0.1 only.
A request for the judge's JSON schema (`response_format` rubric_scores) gets a valid verdict.

    python bench/standin_model.py --port 9100 --delay 1.0

It is a bare ASGI app (no framework), so that its own cost stays small next to what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

REPLY = "Thank you. Could you say more about how you would check that on held-out data?"


def verdict(schema: dict[str, Any]) -> str:
    """A judge's verdict valid against the rubric_scores schema it was sent: every criterion assessed
    at level 3 with a short reasoning, nothing quoted (a stand-in never claims to have read the answer)."""
    criterion = schema["properties"]["criteria"]["items"]["properties"]["criterion_id"]
    criteria = [
        {"criterion_id": cid, "evidence": [], "reasoning": "Stand-in judge: a fixed middle level.", "assessed": True, "score": 3}
        for cid in criterion.get("enum", [])
    ]
    return json.dumps({"criteria": criteria, "key_points_covered": [], "misconceptions": []})


def reply_for(request: dict[str, Any]) -> str:
    """The interviewer's line, or a verdict when the request asks for the judge's JSON schema."""
    response_format = request.get("response_format") or {}
    if response_format.get("type") == "json_schema" and response_format["json_schema"].get("name") == "rubric_scores":
        return verdict(response_format["json_schema"]["schema"])
    return REPLY


def completion(model: str, content: str = REPLY) -> dict[str, Any]:
    return {
        "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 20, "total_tokens": 920},
    }


def chunks(model: str) -> list[bytes]:
    words = REPLY.split(" ")
    base = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    out = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": (" " if i else "") + w}, "finish_reason": None}]}
        for i, w in enumerate(words)
    ]
    out.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    out.append({**base, "choices": [], "usage": {"prompt_tokens": 900, "completion_tokens": 20, "total_tokens": 920}})
    return [f"data: {json.dumps(c)}\n\n".encode() for c in out] + [b"data: [DONE]\n\n"]


async def read_request(scope: dict[str, Any], receive: Any, send: Any) -> dict[str, Any] | None:
    """Answer ASGI's lifespan protocol (None), or read an HTTP request's whole JSON body."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return None
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return json.loads(body or b"{}")


def make_app(delay: float) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = await read_request(scope, receive, send)
        if request is None:
            return
        model = request.get("model", "standin")
        if delay:
            await asyncio.sleep(delay)
        if request.get("stream"):
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
            for chunk in chunks(model):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        payload = json.dumps(completion(model, reply_for(request))).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--delay", type=float, default=1.0, help="seconds before each answer")
    args = parser.parse_args()
    # Idle keep-alive connections stay open: a pooled connection closed under the client's feet is
    # a cut reply, which would be the stand-in's fault, not the service's.
    uvicorn.run(
        make_app(args.delay), host="127.0.0.1", port=args.port, log_level="warning", access_log=False,
        timeout_keep_alive=300, backlog=4096,
    )


if __name__ == "__main__":
    main()
