"""The one seam to models. Every model call goes through `Models`: the offline engine, or any
model litellm reaches (OpenAI, Anthropic, Ollama, vLLM, ...) through one litellm Router.

litellm costs seconds and ~160 MB to import, so it is imported here only, on the first call to a
non-offline model. The Router is the only retry owner; every call has an explicit timeout.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewer.settings import Settings

if TYPE_CHECKING:
    from litellm import Router

OFFLINE = "offline"
log = logging.getLogger("interviewer.llm")
Messages = list[dict[str, str]]


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


class ModelError(Exception):
    """A model call failed; `status` and `retry_after` tell the client what to do."""

    def __init__(self, message: str, *, status: int = 502, retry_after: int = 5) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


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


_priced_models: frozenset[str] = frozenset()


def _import_litellm() -> Any:
    # Before the import: no price-map download (no network here), and one HTTP transport
    # (httpx) in production and in tests alike.
    global _priced_models
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")
    import litellm

    if not _priced_models:
        # Snapshot the shipped price map: a Router registers unknown models in it at price zero.
        litellm.suppress_debug_info = True
        _priced_models = frozenset(litellm.model_cost)
    return litellm


def _retry_after(exc: Exception, default: int) -> int:
    headers = getattr(exc, "litellm_response_headers", None) or {}
    try:
        return max(1, int(float(headers.get("retry-after", default))))
    except (TypeError, ValueError):
        return default


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def as_model_error(exc: Exception, model: str) -> ModelError:
    """Translate a litellm/provider exception into what the client can act on."""
    import httpx

    litellm = _import_litellm()
    provider = model.split("/")[0]
    status = getattr(exc, "status_code", None)
    causes = _causes(exc)
    if status in (408, 504) or any(isinstance(c, (litellm.Timeout, httpx.TimeoutException)) for c in causes):
        return ModelError(f"the model '{model}' did not answer in time; retry", status=504, retry_after=5)
    if status == 429 or isinstance(exc, litellm.RateLimitError):
        return ModelError(f"the model provider '{provider}' is rate-limiting requests; retry shortly", status=503, retry_after=_retry_after(exc, 20))
    if any(isinstance(c, (httpx.ConnectError, litellm.APIConnectionError)) for c in causes):
        return ModelError(f"the model provider '{provider}' cannot be reached; check that it runs and INTERVIEWER_API_BASE", status=503, retry_after=10)
    if status in (401, 403):
        return ModelError(f"the model provider '{provider}' refused the API key; check its key in the environment", status=502, retry_after=60)
    if status == 404:
        return ModelError(f"the model '{model}' was not found by its provider; check INTERVIEWER_MODEL", status=502, retry_after=60)
    if status == 503:
        return ModelError(f"the model provider '{provider}' is unavailable; retry shortly", status=503, retry_after=_retry_after(exc, 10))
    return ModelError(f"the model '{model}' failed ({status or type(exc).__name__}); retry", status=502, retry_after=5)


def _cost(response: Any, model: str) -> float | None:
    """The call's price from litellm's shipped price map; None for a model it does not price."""
    litellm = _import_litellm()
    answered_by = getattr(response, "model", None) or model
    provider = model.split("/")[0] if "/" in model else ""
    if not {answered_by, f"{provider}/{answered_by}", model} & _priced_models:
        return None
    try:
        return float(litellm.completion_cost(completion_response=response, model=answered_by))
    except Exception:  # litellm raises when a priced model lacks a field it needs
        return None


class Models:
    """Model calls for one configuration; the Router is built on first use of a real model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._router: Router | None = None

    @property
    def names(self) -> list[str]:
        s = self.settings
        return list(dict.fromkeys(m for m in [s.model, s.judge, *s.fallback_models] if not is_offline(m)))

    def router(self) -> Router:
        if self._router is None:
            litellm = _import_litellm()
            s = self.settings
            model_list = [{"model_name": m, "litellm_params": {"model": m, **self._endpoint(m)}} for m in self.names]
            fallbacks = [
                {m: [f for f in s.fallback_models if f != m]} for m in {s.model, s.judge} if not is_offline(m)
            ]
            self._router = litellm.Router(
                model_list=model_list,
                fallbacks=[f for f in fallbacks if next(iter(f.values()))],
                num_retries=s.model_retries,
                timeout=s.model_timeout,
                retry_after=0,
                # One deployment per model: cooling it down after a failure would only refuse later calls.
                disable_cooldowns=True,
            )
        return self._router

    def _endpoint(self, model: str) -> dict[str, str]:
        """INTERVIEWER_API_BASE and _API_KEY serve the configured model's provider; fallbacks of
        another provider use that provider's defaults and keys from the environment."""
        s = self.settings
        if model.split("/")[0] != s.model.split("/")[0]:
            return {}
        endpoint: dict[str, str] = {}
        if s.api_base:
            endpoint["api_base"] = s.api_base
        if s.api_key:
            endpoint["api_key"] = s.api_key.get_secret_value()
        return endpoint

    def _usage(self, response: Any, model: str, started: float) -> Usage:
        usage = getattr(response, "usage", None)
        cost = _cost(response, model)
        result = Usage(
            # The model that actually answered, which differs from the configured one after a fallback.
            model=getattr(response, "model", None) or model,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
            cost_usd=cost,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )
        log.info(
            "model call model=%s prompt_tokens=%s completion_tokens=%s cost_usd=%s latency_ms=%s",
            result.model, result.prompt_tokens, result.completion_tokens, result.cost_usd, result.latency_ms,
        )
        return result

    async def complete(
        self, *, model: str, messages: Messages, temperature: float = 0.0, response_format: dict[str, Any] | None = None,
        purpose: str = "completion",
    ) -> tuple[str, Usage]:
        """One whole completion (the judge); `purpose` labels its metrics."""
        from interviewer import metrics

        started = time.perf_counter()
        extra: dict[str, Any] = {"response_format": response_format} if response_format else {}
        try:
            response = await self.router().acompletion(
                model=model, messages=messages, temperature=temperature, timeout=self.settings.model_timeout, **extra
            )
            text = (response.choices[0].message.content or "").strip() if response.choices else ""
            if not text:
                raise ModelError(f"the model '{model}' returned an empty reply; retry", status=502)
        except Exception as exc:
            error = exc if isinstance(exc, ModelError) else as_model_error(exc, model)
            metrics.model_failed(model=model, purpose=purpose, status=error.status)
            if error is exc:
                raise
            raise error from exc
        usage = self._usage(response, model, started)
        metrics.model_answered(model=model, purpose=purpose, usage=usage)
        return text, usage

    def stream(self, *, model: str, messages: Messages, temperature: float = 0.4, purpose: str = "reply") -> TextStream:
        """A reply streamed as it is generated (the interviewer)."""
        from interviewer import metrics

        litellm = _import_litellm()

        async def deltas() -> AsyncIterator[str]:
            started = time.perf_counter()
            chunks: list[Any] = []
            try:
                response = await self.router().acompletion(
                    model=model, messages=messages, temperature=temperature, stream=True,
                    stream_options={"include_usage": True}, timeout=self.settings.model_timeout,
                )
                async for chunk in response:
                    chunks.append(chunk)
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    if delta:
                        yield delta
            except ModelError as exc:
                metrics.model_failed(model=model, purpose=purpose, status=exc.status)
                raise
            except Exception as exc:
                error = as_model_error(exc, model)
                metrics.model_failed(model=model, purpose=purpose, status=error.status)
                raise error from exc
            built = litellm.stream_chunk_builder(chunks, messages=messages) if chunks else None
            content = built.choices[0].message.content if built is not None and built.choices else None
            if not content or not content.strip():
                metrics.model_failed(model=model, purpose=purpose, status=502)
                raise ModelError(f"the model '{model}' returned an empty reply; retry", status=502)
            stream.usage = self._usage(built, model, started)
            metrics.model_answered(model=model, purpose=purpose, usage=stream.usage)

        stream = TextStream(deltas())
        return stream
