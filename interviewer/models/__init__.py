"""The one seam to language models (litellm, imported lazily), the JSON-output negotiation,
model errors as HTTP answers, reply bounds, and the prompt templates' environment.

May import: ops, catalog. Nothing above.
"""
