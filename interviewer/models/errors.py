"""A failed model call, translated into what the client can act on: an HTTP status, a
`Retry-After`, whether another attempt is worth it, and a message naming the real cause."""

from __future__ import annotations

import json


class ModelError(Exception):
    """A model call failed; `status` and `retry_after` tell the client what to do."""

    def __init__(self, message: str, *, status: int = 502, retry_after: int = 5, retryable: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        # Worth another attempt within the deadline (rate limit, overload, timeout, a server error).
        self.retryable = retryable


def _retry_after(exc: Exception, default: int) -> int:
    headers = getattr(exc, "litellm_response_headers", None) or {}
    try:
        return max(1, int(float(headers.get("retry-after", default))))
    except (TypeError, ValueError):
        return default


def asked_wait(exc: BaseException) -> float | None:
    """The provider's own Retry-After in seconds, when it sent one."""
    for cause in _causes(exc):
        headers = getattr(cause, "litellm_response_headers", None) or {}
        value = headers.get("retry-after") if hasattr(headers, "get") else None
        if value is not None:
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


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

    from interviewer.models.litellm_import import import_litellm

    litellm = import_litellm()
    provider = model.split("/")[0]
    status = getattr(exc, "status_code", None)
    causes = _causes(exc)
    if status in (408, 504) or any(isinstance(c, (litellm.Timeout, httpx.TimeoutException)) for c in causes):
        return ModelError(f"the model '{model}' did not answer in time; retry", status=504, retry_after=5, retryable=True)
    if status == 429 or isinstance(exc, litellm.RateLimitError):
        return ModelError(f"the model provider '{provider}' is rate-limiting requests; retry shortly", status=503, retry_after=_retry_after(exc, 20), retryable=True)
    # The real cause first: a reply that is not JSON, or a connection cut mid-reply, is not "unreachable".
    if any(isinstance(c, json.JSONDecodeError) for c in causes):
        return ModelError(f"the model provider '{provider}' sent a malformed reply (not valid JSON); retry, and check that INTERVIEWER_API_BASE is an OpenAI-compatible API", status=502, retry_after=5)
    if any(isinstance(c, (httpx.RemoteProtocolError, httpx.ReadError)) for c in causes):
        return ModelError(f"the connection to the model provider '{provider}' was cut before the reply was complete; retry", status=502, retry_after=5)
    if any(isinstance(c, (httpx.ConnectError, litellm.APIConnectionError)) for c in causes):
        return ModelError(f"the model provider '{provider}' cannot be reached; check that it runs and INTERVIEWER_API_BASE", status=503, retry_after=10, retryable=True)
    if status in (401, 403):
        return ModelError(f"the model provider '{provider}' refused the API key; check its key in the environment", status=502, retry_after=60)
    if status == 404:
        return ModelError(f"the model '{model}' was not found by its provider; check INTERVIEWER_MODEL", status=502, retry_after=60)
    if status == 503:
        return ModelError(f"the model provider '{provider}' is unavailable; retry shortly", status=503, retry_after=_retry_after(exc, 10), retryable=True)
    if status == 400:
        return ModelError(f"the model '{model}' refused the request ({_first_line(exc)}); check INTERVIEWER_MODEL and its server", status=502, retry_after=60)
    return ModelError(f"the model '{model}' failed ({status or type(exc).__name__}); retry", status=502, retry_after=5, retryable=status is None or status >= 500)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
