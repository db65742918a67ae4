"""Model calls reuse their HTTP connections: a provider is not dialled anew for every turn.

A real OpenAI-compatible server on 127.0.0.1 (keep-alive, HTTP/1.1) counts the TCP connections
it accepts; respx cannot show this, since it replaces the transport that owns the connections.
These tests run litellm's production transport (aiohttp), not the httpx one the other tests pin."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import pytest
import respx

from interviewer.models.litellm_import import import_litellm
from interviewer.models.llm import Models
from interviewer.ops.settings import Settings
from tests.support.fake_models import openai_completion, openai_sse

MESSAGES = [{"role": "system", "content": "You are an interviewer."}, {"role": "user", "content": "Hello"}]


class CountingServer:
    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        # Set to hold every reply until that many calls are in flight at once.
        self.together: threading.Barrier | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a provider's API does

            def setup(self) -> None:
                owner.connections += 1
                super().setup()

            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                owner.requests += 1
                if owner.together is not None:
                    owner.together.wait(timeout=30)
                if body.get("stream"):
                    payload, kind = openai_sse(["Tell me ", "more about ", "that."], model=body["model"]).encode(), "text/event-stream"
                else:
                    payload, kind = json.dumps(openai_completion("Tell me more about that.", model=body["model"])).encode(), "application/json"
                self.send_response(200)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # a class's connections arrive at once (the default backlog is 5)

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.api_base = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server(no_network: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingServer]:
    s = CountingServer()
    monkeypatch.setenv("DISABLE_AIOHTTP_TRANSPORT", "False")  # the transport the service runs with
    import_litellm()  # as the service does: never a price-map download, even when this file runs alone
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    assert AsyncHTTPHandler.should_use_aiohttp_transport()
    # This server is on 127.0.0.1 only (respx would pass it through, were httpx used).
    no_network.route(host="127.0.0.1").pass_through()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def test_successive_calls_share_one_connection(server: CountingServer) -> None:
    # The deadline (45 s) is shorter than the provider timeout (60 s): the case where each call
    # used to pass a slightly different timeout, so litellm built a new client, and a new
    # connection, for every call.
    m = Models(Settings(model="openai/standin", api_base=server.api_base, api_key="sk-test", model_retries=0, model_timeout=60, turn_deadline=45))

    async def five_calls() -> list[str]:
        return [(await m.complete(model="openai/standin", messages=MESSAGES)).text for _ in range(5)]

    texts = anyio.run(five_calls)
    assert texts == ["Tell me more about that."] * 5
    assert server.requests == 5
    assert server.connections == 1


def test_a_class_at_once_keeps_its_connections_for_the_next_turn(server: CountingServer) -> None:
    # 40 students answering at the same moment, twice: the second wave finds the first wave's
    # connections still open (with httpx's default pool, 20 stayed open and the rest were dialled again).
    m = Models(Settings(model="openai/standin", api_base=server.api_base, api_key="sk-test", model_retries=0))
    server.together = threading.Barrier(40)

    async def wave() -> None:
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(lambda: m.complete(model="openai/standin", messages=MESSAGES))

    async def two_waves() -> tuple[int, int]:
        await wave()
        first = server.connections
        await wave()
        return first, server.connections

    first, after_second = anyio.run(two_waves)
    assert server.requests == 80
    assert first == 40
    assert after_second == first


def test_a_streamed_reply_arrives_in_pieces_with_its_usage(server: CountingServer) -> None:
    # The browser's streamed replies go through the same transport.
    m = Models(Settings(model="openai/standin", api_base=server.api_base, api_key="sk-test", model_retries=0))

    async def streamed() -> tuple[list[str], object]:
        s = m.stream(model="openai/standin", messages=MESSAGES)
        return [p async for p in s], s.usage

    parts, usage = anyio.run(streamed)
    assert "".join(parts) == "Tell me more about that." and len(parts) == 3
    assert usage.prompt_tokens == 120 and usage.completion_tokens == 3  # type: ignore[attr-defined]
