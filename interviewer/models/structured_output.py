"""How to ask a model for JSON: a JSON-schema `response_format`, a plain JSON-object one, or only the
schema in the prompt. Decided per model by capability detection, and moved down that chain for
the rest of the process when a server answers 400 to the format it was sent.

Local models behind an OpenAI-compatible server (vLLM, llama.cpp, LM Studio) or Ollama are
unknown to litellm's model map, so for them detection says "try json_schema" and the server's
own answer decides.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

Mode = Literal["json_schema", "json_object", "prompt"]
CHAIN: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")

# What a server says when it refuses a structured-output request (OpenAI, vLLM, llama.cpp, LM Studio, Ollama).
_REFUSAL = re.compile(r"response_format|json_schema|json_object|structured output|guided_json|grammar|\bformat\b", re.I)
_LOGPROBS_REFUSAL = re.compile(r"logprobs", re.I)

@dataclass
class Learned:
    """What servers taught this process: one refusal is enough, for the life of the process."""

    modes: dict[str, Mode] = field(default_factory=dict)
    without_logprobs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class OutputSchema:
    """The JSON a call must return: a name (for the provider) and a JSON schema."""

    name: str
    schema: dict[str, Any]

    def response_format(self, mode: Mode) -> dict[str, Any] | None:
        if mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": self.name, "strict": True, "schema": self.schema}}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    def instruction(self, mode: Mode) -> str | None:
        """The schema spelled out in the prompt, for the modes where the server does not enforce it."""
        if mode == "json_schema":
            return None
        return "Reply with one JSON object only, no prose and no code fence, valid against this JSON schema:\n" + json.dumps(self.schema)


def provider_of(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"


def detect(model: str, litellm: Any, known_models: frozenset[str]) -> Mode:
    """The best mode litellm says the provider accepts; unknown models start at json_schema."""
    provider = provider_of(model)
    name = model.split("/", 1)[1] if "/" in model else model
    try:
        params = litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or []
    except Exception:  # a provider litellm cannot describe: the prompt is all we can rely on
        return "prompt"
    if "response_format" not in params:
        return "prompt"
    if model in known_models or name in known_models:
        try:
            if not litellm.supports_response_schema(model=model):
                return "json_object"
        except Exception:  # litellm raises for models it only half knows
            return "json_object"
    return "json_schema"


def mode_for(model: str, *, configured: str, litellm: Any, known_models: frozenset[str], learned: Learned) -> Mode:
    """INTERVIEWER_STRUCTURED_OUTPUT when set, else what was learned for this model, else detection."""
    if configured != "auto":
        return configured  # type: ignore[return-value]
    return learned.modes.get(model) or detect(model, litellm, known_models)


# Bad request, or a validation error from servers built on FastAPI/pydantic.
_REFUSED_STATUSES = {400, 422}


def refused_format(exc: BaseException) -> bool:
    """A 400 (or 422) whose message names the response format."""
    return getattr(exc, "status_code", None) in _REFUSED_STATUSES and bool(_REFUSAL.search(str(exc)))


def refused_logprobs(exc: BaseException) -> bool:
    return getattr(exc, "status_code", None) in _REFUSED_STATUSES and bool(_LOGPROBS_REFUSAL.search(str(exc)))


def move_down(learned: Learned, model: str, mode: Mode) -> Mode | None:
    """Remember that `model` refused `mode`; the next mode to try, or None at the end of the chain."""
    position = CHAIN.index(mode)
    if position + 1 >= len(CHAIN):
        return None
    learned.modes[model] = CHAIN[position + 1]
    return CHAIN[position + 1]


def wants_logprobs(model: str, litellm: Any, learned: Learned) -> bool:
    """Ask for token probabilities where the provider returns them (OpenAI, vLLM, ...)."""
    if model in learned.without_logprobs:
        return False
    provider = provider_of(model)
    name = model.split("/", 1)[1] if "/" in model else model
    try:
        return "logprobs" in (litellm.get_supported_openai_params(model=name, custom_llm_provider=provider) or [])
    except Exception:  # unknown provider: do not risk a refusal
        return False

