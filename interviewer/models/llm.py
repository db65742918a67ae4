"""The one seam to models. Every model call goes through `Models`: the offline engine, or any
model litellm reaches (OpenAI, Anthropic, Ollama, vLLM, ...) through one litellm Router.

litellm costs seconds and ~160 MB to import, so it is imported here only, on the first call to a
non-offline model. `Models` is the only retry owner (the Router only falls back to other models):
every call has a timeout, a `max_tokens` for its purpose and a deadline that covers its retries.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from interviewer.models import structured_output
from interviewer.models.calls import Messages, TextStream, Usage, is_offline, recording
from interviewer.models.errors import ModelError, as_model_error, asked_wait
from interviewer.models.litellm_import import cost_of, import_litellm, priced_models
from interviewer.models.reply_bounds import ReplyCap, cut_at_sentence
from interviewer.models.structured_output import Mode, OutputSchema
from interviewer.ops.settings import Settings

if TYPE_CHECKING:
    from litellm import Router

log = logging.getLogger("interviewer.llm")


# The longest provider-requested wait (Retry-After) a request is held open for before a retry;
# longer ones go back to the client as a 503 with that Retry-After.
MAX_HELD_WAIT_S = 5.0


@dataclass(frozen=True)
class TokenChoice:
    """One generated token and the log-probabilities of its most likely alternatives."""

    token: str
    top: dict[str, float]


@dataclass(frozen=True)
class Completion:
    """A whole reply: its text, what it cost, how JSON was asked for, and token log-probabilities
    when the provider returned them."""

    text: str
    usage: Usage
    mode: Mode | None = None
    tokens: list[TokenChoice] | None = field(default=None)


def _tokens(response: Any) -> list[TokenChoice] | None:
    logprobs = getattr(response.choices[0], "logprobs", None) if response.choices else None
    content = getattr(logprobs, "content", None) if logprobs is not None else None
    if not content:
        return None
    choices: list[TokenChoice] = []
    for item in content:
        get = item.get if isinstance(item, dict) else lambda k, d=None, i=item: getattr(i, k, d)
        top = get("top_logprobs") or []
        alternatives = {
            (t.get("token") if isinstance(t, dict) else t.token): (t.get("logprob") if isinstance(t, dict) else t.logprob)
            for t in top
        }
        choices.append(TokenChoice(token=get("token") or "", top=alternatives or {get("token") or "": get("logprob") or 0.0}))
    return choices


class Models:
    """Model calls for one configuration; the Router is built on first use of a real model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._router: Router | None = None
        # Structured-output modes and logprobs that servers refused: remembered for this process.
        self.learned = structured_output.Learned()

    @property
    def names(self) -> list[str]:
        s = self.settings
        return list(dict.fromkeys(m for m in [s.model, s.judge, *s.fallback_models] if not is_offline(m)))

    def router(self) -> Router:
        if self._router is None:
            litellm = import_litellm()
            s = self.settings
            model_list = [
                # The provider's own client never retries: the deadline loop below owns retries.
                {"model_name": m, "litellm_params": {"model": m, "max_retries": 0, **self._endpoint(m)}} for m in self.names
            ]
            fallbacks = [
                {m: [f for f in s.fallback_models if f != m]} for m in {s.model, s.judge} if not is_offline(m)
            ]
            self._router = litellm.Router(
                model_list=model_list,
                fallbacks=[f for f in fallbacks if next(iter(f.values()))],
                num_retries=0,
                timeout=s.model_timeout,
                retry_after=0,
                # One deployment per model: cooling it down after a failure would only refuse later calls.
                disable_cooldowns=True,
            )
        return self._router

    def _acompletion(self, **request: Any) -> Awaitable[Any]:
        """One call to litellm. Through the Router only when it has fallbacks to try: without them
        it adds nothing but CPU (its cooldown and routing bookkeeping cost about a quarter of
        litellm's own time per call, profiled under load)."""
        if self.settings.fallback_models:
            return self.router().acompletion(**request)
        litellm = import_litellm()
        model = request["model"]
        return litellm.acompletion(max_retries=0, **self._endpoint(model), **request)

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

    def max_tokens(self, purpose: str) -> int:
        """The bound on what a call may write, by purpose: the interviewer's reply, a judgement, claims."""
        s = self.settings
        return {"reply": s.max_tokens_interviewer, "judge": s.max_tokens_judge, "claims": s.max_tokens_claims}.get(purpose, s.max_tokens_judge)

    def structured_mode(self, model: str) -> Mode:
        """How JSON is asked of `model` now (json_schema, json_object or prompt)."""
        litellm = import_litellm()
        return structured_output.mode_for(
            model, configured=self.settings.structured_output, litellm=litellm, known_models=priced_models(), learned=self.learned
        )

    def _usage(self, response: Any, model: str, started: float) -> Usage:
        usage = getattr(response, "usage", None)
        cost = cost_of(response, model)
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

    async def _attempts(self, *, model: str, call: Callable[[float], Awaitable[Any]], deadline_s: float | None = None) -> Any:
        """`call(timeout)` until it answers, retrying what is worth retrying, all within one deadline.

        A provider asking to wait (Retry-After) longer than the deadline leaves, or longer than
        MAX_HELD_WAIT_S, is answered at once with a 503 carrying that wait, instead of holding the
        request open: the client, whose answer is stored, resends when it says."""
        s = self.settings
        budget = deadline_s if deadline_s is not None else s.turn_deadline
        deadline = time.monotonic() + budget
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise asyncio.TimeoutError
                # The provider's timeout stays the same on every call (litellm keys its cached HTTP
                # client by it: a timeout that shrank with the deadline built a new client and a new
                # connection per call); wait_for holds the call to what is left of the deadline.
                return await asyncio.wait_for(call(min(s.model_timeout, budget)), timeout=remaining)
            except asyncio.TimeoutError as exc:
                raise ModelError(f"the model '{model}' did not answer within {budget:g} s; retry", status=504, retry_after=5) from exc
            except ModelError:
                raise
            except Exception as exc:
                if structured_output.refused_format(exc) or structured_output.refused_logprobs(exc):
                    raise  # the caller moves the request down its chain
                error = as_model_error(exc, model)
                asked = asked_wait(exc)
                wait = asked if asked is not None else min(8.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)
                left = deadline - time.monotonic()
                too_long = asked is not None and (asked >= left or asked > MAX_HELD_WAIT_S)
                if not error.retryable or attempt >= s.model_retries or wait >= left or too_long:
                    if asked is not None:
                        error.retry_after = max(1, math.ceil(asked))
                    raise error from exc
                attempt += 1
                log.info("model call retry model=%s attempt=%s wait_s=%.1f (%s)", model, attempt, wait, error)
                await asyncio.sleep(wait)

    async def complete(
        self, *, model: str, messages: Messages, temperature: float = 0.0, schema: OutputSchema | None = None,
        purpose: str = "completion", logprobs: bool = False, deadline_s: float | None = None,
    ) -> Completion:
        """One whole completion (the judge, claims); `purpose` sets its max_tokens and labels its metrics.

        With a `schema`, JSON is asked for in the best way the model accepts; a 400 naming the format
        moves the model down json_schema -> json_object -> prompt for the process, and the call goes on."""
        from interviewer.ops import metrics

        litellm = import_litellm()
        mode = self.structured_mode(model) if schema else None
        want_logprobs = logprobs and structured_output.wants_logprobs(model, litellm, self.learned)
        started = time.perf_counter()
        try:
            while True:
                extra: dict[str, Any] = {}
                sent = messages
                if schema is not None and mode is not None:
                    if (response_format := schema.response_format(mode)) is not None:
                        extra["response_format"] = response_format
                    if (instruction := schema.instruction(mode)) is not None:
                        sent = [*messages[:-1], {**messages[-1], "content": f"{messages[-1]['content']}\n\n{instruction}"}]
                if want_logprobs:
                    extra.update(logprobs=True, top_logprobs=5)

                def call(timeout: float, sent: Messages = sent, extra: dict[str, Any] = extra) -> Awaitable[Any]:
                    return self._acompletion(
                        model=model, messages=sent, temperature=temperature, max_tokens=self.max_tokens(purpose), timeout=timeout, **extra
                    )

                try:
                    response = await self._attempts(model=model, call=call, deadline_s=deadline_s)
                except Exception as exc:
                    if want_logprobs and structured_output.refused_logprobs(exc):
                        log.warning("model %s refused logprobs; judging without them from now on", model)
                        self.learned.without_logprobs.add(model)
                        want_logprobs = False
                        continue
                    if mode is not None and structured_output.refused_format(exc):
                        lower = structured_output.move_down(self.learned, model, mode) if self.settings.structured_output == "auto" else None
                        if lower is not None:
                            log.warning("model %s refused response_format %s; using %s from now on", model, mode, lower)
                            mode = lower
                            continue
                    raise
                break
            text = (response.choices[0].message.content or "").strip() if response.choices else ""
            if not text:
                raise ModelError(f"the model '{model}' returned an empty reply; retry", status=502, retryable=True)
            if purpose == "reply":
                # What is stored is re-sent in later prompts: an overlong reply is cut at a sentence.
                text = cut_at_sentence(text, self.settings.max_reply_chars)
        except Exception as exc:
            error = exc if isinstance(exc, ModelError) else as_model_error(exc, model)
            metrics.model_failed(model=model, purpose=purpose, status=error.status)
            if error is exc:
                raise
            raise error from exc
        usage = self._usage(response, model, started)
        metrics.model_answered(model=model, purpose=purpose, usage=usage)
        if (calls := recording()) is not None:
            calls.append((purpose, usage))
        return Completion(text=text, usage=usage, mode=mode, tokens=_tokens(response) if want_logprobs else None)

    def stream(self, *, model: str, messages: Messages, temperature: float = 0.4, purpose: str = "reply") -> TextStream:
        """A reply streamed as it is generated (the interviewer), cut at a sentence past the size cap."""
        from interviewer.ops import metrics

        litellm = import_litellm()
        s = self.settings

        async def deltas() -> AsyncIterator[str]:
            started = time.perf_counter()
            deadline = time.monotonic() + s.turn_deadline
            chunks: list[Any] = []
            cap = ReplyCap(s.max_reply_chars)
            try:
                response = await self._attempts(model=model, call=lambda timeout: self._acompletion(
                    model=model, messages=messages, temperature=temperature, stream=True, max_tokens=self.max_tokens(purpose),
                    stream_options={"include_usage": True}, timeout=timeout,
                ))
                iterator = response.__aiter__()
                while not cap.full:
                    remaining = deadline - time.monotonic()
                    try:
                        chunk = await asyncio.wait_for(iterator.__anext__(), timeout=max(remaining, 0.001))
                    except StopAsyncIteration:
                        break
                    except asyncio.TimeoutError as exc:
                        raise ModelError(f"the model '{model}' did not finish its reply within {s.turn_deadline:g} s; retry", status=504, retry_after=5) from exc
                    chunks.append(chunk)
                    delta = chunk.choices[0].delta.content if chunk.choices else None
                    if delta and (piece := cap.feed(delta)):
                        yield piece
                if cap.full:
                    await _close(response)
                elif rest := cap.finish():
                    yield rest
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


async def _close(response: Any) -> None:
    """Stop reading a stream cut at the size cap, so the provider stops generating."""
    closer = getattr(response, "aclose", None)
    try:
        if closer is not None:
            await closer()
    except Exception as exc:  # closing is a courtesy to the provider; the reply is already complete
        log.debug("closing a capped stream failed: %s", exc)
