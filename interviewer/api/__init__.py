"""The HTTP API (FastAPI) and the browser pages it serves: routes, request and response bodies,
authentication of callers, the middleware that ids, logs, guards and measures every request.

May import: anything below it (interview, assessment, feedback, models, storage, catalog, ops).
"""
