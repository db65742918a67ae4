"""The FastAPI application: routes, error mapping, and start-up checks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from interviewer import service
from interviewer.api.routes import personas, sessions
from interviewer.catalog import load_catalog
from interviewer.llm import ModelError, Models
from interviewer.settings import Settings, get_settings
from interviewer.store import create_tables, make_engine

# Each domain error answers with the status a client can act on.
STATUS = {
    service.PersonaNotFound: 404,
    service.SessionNotFound: 404,
    service.SessionEnded: 409,
    service.ReplyMissing: 409,
    service.KeyReused: 422,
    service.Busy: 409,
    service.InvalidInput: 422,
    service.InputTooLarge: 413,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Loaded before serving: a malformed persona or rubric stops start-up with its file and field.
    catalog = load_catalog(settings.personas_dir, settings.rubrics_dir)
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        create_tables(engine)
        yield
        # Let replies still streaming finish and be stored before the process goes away.
        if app.state.reply_tasks:
            await asyncio.wait(app.state.reply_tasks, timeout=settings.model_timeout)
        engine.dispose()

    app = FastAPI(
        title="Mock interviewer",
        version="0.1.0",
        description="Rehearse ML interviews with rubric-based feedback and quoted evidence.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.engine = engine
    app.state.models = Models(settings)
    # Replies being streamed; held so a client disconnect never cancels the storing of a reply.
    app.state.reply_tasks = set()

    @app.exception_handler(service.ServiceError)
    async def service_error(_request: Request, exc: service.ServiceError) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, service.PersonaNotFound):
            body["valid_ids"] = exc.valid
        return JSONResponse(body, status_code=STATUS.get(type(exc), 400))

    @app.exception_handler(ModelError)
    async def model_error(_request: Request, exc: ModelError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc), "retry_after": exc.retry_after},
            status_code=exc.status,
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the app is up and its catalog loaded."""
        return {"status": "ok", "model": settings.model}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        # Until the browser UI lands, the interactive API docs are the front page.
        return RedirectResponse("/docs")

    app.include_router(personas.router)
    app.include_router(sessions.router)
    return app
