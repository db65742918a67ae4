"""litellm, imported once on the first call to a real model (seconds and ~160 MB): no price-map
download, one HTTP transport with a connection pool sized for a class, and the shipped price map
kept to tell known prices from unknown."""

from __future__ import annotations

import os
from typing import Any


_priced_models: frozenset[str] = frozenset()
# Connections kept to an OpenAI-compatible provider: httpx's defaults (100, of which 20 kept alive)
# made 200 concurrent turns queue for a connection and dial most of them anew (a TCP, in production
# a TLS, handshake per call). These are the limits litellm itself uses with its aiohttp transport.
MAX_CONNECTIONS = 1000


def import_litellm() -> Any:
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
        if litellm.aclient_session is None:
            litellm.aclient_session = _shared_client()
    return litellm


def _shared_client() -> Any:
    """The one async HTTP client litellm's OpenAI-compatible providers use, with litellm's own TLS
    settings (SSL_VERIFY, SSL_CERT_FILE) and the environment's proxies."""
    import httpx
    from litellm.llms.custom_httpx.http_handler import get_ssl_configuration

    limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
    return httpx.AsyncClient(limits=limits, verify=get_ssl_configuration(), follow_redirects=True)


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
