"""A failed model call is reported by its real cause: a stream cut mid-reply or a reply that is not
JSON is neither "cannot be reached" nor "an empty reply". Faked at the HTTP wire (respx)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from interviewer.models.llm import ModelError, Models
from interviewer.ops.settings import Settings
from tests.support.fake_models import API_BASE, OPENAI_URL, openai_sse

MESSAGES = [{"role": "user", "content": "Ask me about cross-validation."}]


@pytest.fixture
def models() -> Models:
    return Models(Settings(database_url="sqlite://", model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0, model_timeout=5))


class CutStream(httpx.AsyncByteStream):
    """The first chunks of a streamed reply, then the connection drops."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield openai_sse(["Tell me ", "how you ", "would split"])[:400].encode()
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def failure(coroutine: object) -> ModelError:
    with pytest.raises(ModelError) as caught:
        asyncio.run(coroutine)  # type: ignore[arg-type]
    return caught.value


def test_a_stream_cut_mid_reply_says_so(models: Models, no_network: respx.MockRouter) -> None:
    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(200, stream=CutStream(), headers={"content-type": "text/event-stream"}))
    error = failure(models.stream(model="openai/gpt-4o-mini", messages=MESSAGES).text())
    assert "cut before the reply was complete" in str(error)
    assert "cannot be reached" not in str(error) and "INTERVIEWER_API_BASE" not in str(error)


def test_malformed_json_is_named_as_such(models: Models, no_network: respx.MockRouter) -> None:
    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(200, content=b'{"id": "x", "choices": [{"mess', headers={"content-type": "application/json"}))
    error = failure(models.complete(model="openai/gpt-4o-mini", messages=MESSAGES))
    assert "malformed reply (not valid JSON)" in str(error) and "empty reply" not in str(error)


def test_a_malformed_stream_chunk_is_named_as_such(models: Models, no_network: respx.MockRouter) -> None:
    body = b'data: {"id": "x", "choi\n\ndata: [DONE]\n\n'
    no_network.post(OPENAI_URL).mock(return_value=httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}))
    error = failure(models.stream(model="openai/gpt-4o-mini", messages=MESSAGES).text())
    assert "malformed reply" in str(error) and "cannot be reached" not in str(error)


def test_a_refused_connection_is_still_unreachable(models: Models, no_network: respx.MockRouter) -> None:
    no_network.post(OPENAI_URL).mock(side_effect=httpx.ConnectError("connection refused"))
    error = failure(models.complete(model="openai/gpt-4o-mini", messages=MESSAGES))
    assert "cannot be reached" in str(error) and error.status == 503


STARTUP = """
import sys
from fastapi.testclient import TestClient
from interviewer.api.app import create_app
from interviewer.ops.settings import Settings
settings = Settings(database_url=sys.argv[1], model=sys.argv[2], api_base="http://127.0.0.1:9/v1", api_key="sk-test")
with TestClient(create_app(settings)):
    print(json.dumps({"litellm_imported_before_any_request": "litellm" in sys.modules}))
"""


@pytest.mark.parametrize(("model", "imported"), [("openai/gpt-4o-mini", True), ("offline", False)])
def test_litellm_is_imported_at_start_up_only_when_a_model_is_configured(tmp_path: object, model: str, imported: bool) -> None:
    # A fresh interpreter: litellm is not already imported by another test.
    script = "import json\n" + STARTUP
    result = subprocess.run(
        [sys.executable, "-c", script, f"sqlite:///{tmp_path}/start.db", model], capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"litellm_imported_before_any_request": imported}
