"""litellm, imported once on the first call to a real model (seconds and ~160 MB): no price-map
download, and the shipped price map kept to tell known prices from unknown.

The HTTP transport is litellm's default, aiohttp: with 200 calls in flight it costs about 0.6
times the CPU of httpx's (bench/transport.py; figures in bench/README.md), whose connection pool
scans every connection for every request. The tests pin httpx (DISABLE_AIOHTTP_TRANSPORT,
in tests/conftest.py) because respx intercepts httpx only."""

from __future__ import annotations

import os
from typing import Any


_priced_models: frozenset[str] = frozenset()
_litellm: Any = None


def import_litellm() -> Any:
    global _priced_models, _litellm
    if _litellm is not None:
        return _litellm  # called several times per model call: the module, at once
    # Before the import: no price-map download (no network here).
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    if not _priced_models:
        # Snapshot the shipped price map, once: a Router registers unknown models in it at price
        # zero (a thread that entered during the first import must not snapshot it again).
        litellm.suppress_debug_info = True
        _priced_models = frozenset(litellm.model_cost)
    _litellm = litellm
    return litellm


def priced_models() -> frozenset[str]:
    """The models litellm's shipped price map knows (empty until litellm is imported)."""
    return _priced_models


def cost_of(response: Any, model: str) -> float | None:
    """The call's price from litellm's shipped price map; None for a model it does not price."""
    litellm = import_litellm()
    answered_by = getattr(response, "model", None) or model
    provider = model.split("/")[0] if "/" in model else ""
    if not {answered_by, f"{provider}/{answered_by}", model} & _priced_models:
        return None
    try:
        return float(litellm.completion_cost(completion_response=response, model=answered_by))
    except Exception:  # litellm raises when a priced model lacks a field it needs
        return None
