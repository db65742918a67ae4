"""The FastAPI application: routes, error mapping, and start-up checks."""

from __future__ import annotations

import asyncio
import gc
from urllib.parse import quote
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from interviewer.api import auth
from interviewer.api import docs, openapi
from interviewer.api.middleware import RequestContext, RequestGuard, SecurityHeaders, body_too_large
from interviewer.api.routes import debrief as debrief_routes
from interviewer.api.routes import drills as drill_routes
from interviewer.api.routes import loops as loop_routes
from interviewer.api.routes import pages, personas, sessions, shares, signin
from interviewer.catalog.loading import load_catalog
from interviewer.interview import drill_schedule, service
from interviewer.interview import errors as errors_module
from interviewer.interview.loops import LoopFinished, LoopNotFound, RoundActive
from interviewer.interview.scoring_queue import ScoringQueue
from interviewer.interview.warmup import warm_up
from interviewer.models import calls
from interviewer.models.llm import ModelError, Models
from interviewer.ops import metrics
from interviewer.ops import tokens
from interviewer.ops.locks import KeyedLocks, TurnLocks
from interviewer.ops.ratelimit import RateLimiter
from interviewer.ops.settings import Settings, get_settings
from interviewer.storage import migrations
from interviewer.storage.database import DatabaseBusy, is_busy, is_unreachable, make_engine

# Each domain error answers with the status a client can act on.
STATUS = {
    errors_module.PersonaNotFound: 404,
    errors_module.SessionNotFound: 404,
    errors_module.SessionEnded: 409,
    errors_module.ReplyMissing: 409,
    errors_module.KeyReused: 422,
    errors_module.Busy: 409,
    errors_module.InvalidInput: 422,
    drill_schedule.NothingToDrill: 409,
    errors_module.InputTooLarge: 413,
    LoopNotFound: 404,
    LoopFinished: 409,
    RoundActive: 409,
}


def serving_app() -> FastAPI:
    """The app `interviewer serve` runs in each worker: its caches are filled before it listens."""
    return create_app(warm=True)


def create_app(settings: Settings | None = None, *, warm: bool = False) -> FastAPI:
    settings = settings or get_settings()
    # Loaded before serving: a malformed persona or rubric stops start-up with its file and field.
    catalog = load_catalog(settings.personas_dir, settings.rubrics_dir)
    engine = make_engine(
        settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_pool_overflow, pool_timeout=settings.db_pool_timeout,
        sqlite_synchronous=settings.sqlite_synchronous,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Store steps run in a few threads (INTERVIEWER_THREADS), not FastAPI's default forty.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # A database behind the code's schema stops start-up with the command that fixes it.
        await anyio.to_thread.run_sync(lambda: migrations.prepare(engine, upgrade_first=settings.migrates_on_start))
        if not (calls.is_offline(settings.model) and calls.is_offline(settings.judge)):
            # litellm takes seconds to import: pay it now, not inside a first request that holds a session's turn.
            await anyio.to_thread.run_sync(app.state.models.router)
        if warm:
            # The offline reading's data loads once, here, not in the first two hundred turns at once.
            await anyio.to_thread.run_sync(lambda: warm_up(catalog))
            # And the scoring processes with their models, before the first answer waits on them.
            await app.state.scoring.start()
            # What start-up built (modules, litellm's price map, the catalog, the filled caches) lives
            # as long as the worker, so it leaves the collector's sight: a full collection walking it
            # took 254-294 ms, with every request of the worker stalled meanwhile.
            gc.collect()
            gc.freeze()
        yield
        # Queued background scoring is abandoned, not waited for: the next report scores what is left.
        await app.state.scoring.close()
        # Let replies still streaming finish and be stored before the process goes away.
        if app.state.reply_tasks:
            await asyncio.wait(app.state.reply_tasks, timeout=settings.shutdown_grace_s)
        engine.dispose()

    app = FastAPI(
        title="Mock interviewer",
        version="0.1.0",
        description="Rehearse ML interviews with rubric-based feedback and quoted evidence.",
        lifespan=lifespan,
        # /docs is served from the app's own assets (interviewer/api/docs.py), never from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.engine = engine
    app.state.models = Models(settings)
    # Replies being streamed; held so a client disconnect never cancels the storing of a reply.
    app.state.reply_tasks = set()
    # One answer at a time per session, across the whole turn (and across workers on PostgreSQL).
    # A claim outlives the longest turn (every retry timing out), so it expires only when its worker died.
    lease_s = settings.model_timeout * (settings.model_retries + 1) + 30
    app.state.turn_locks = TurnLocks(engine, lease_s=lease_s)
    # One scorer or report build at a time per session, so each answer is judged once.
    app.state.scoring_locks = KeyedLocks(engine, lease_s=lease_s, prefix="scoring")
    app.state.scoring = ScoringQueue(
        engine=engine, models=app.state.models, locks=app.state.scoring_locks, concurrency=settings.scoring_concurrency,
        processes=settings.scoring_processes,
    )
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    # Share links are read anonymously: counted per client address instead of per token.
    app.state.share_limiter = RateLimiter(settings.rate_limit_per_minute)
    # Outermost last: every answer (even a refusal) gets its request id, access log line and headers.
    # Starlette's body limit, innermost: a body streamed without Content-Length is cut off with a 413
    # as soon as it passes the limit (RequestGuard has refused a declared oversize before this).
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_body_bytes)
    app.add_middleware(RequestGuard)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext)
    app.openapi = lambda: app.openapi_schema or _cache_schema(app, settings)  # type: ignore[method-assign]

    @app.exception_handler(errors_module.ServiceError)
    async def service_error(_request: Request, exc: errors_module.ServiceError) -> JSONResponse:
        body: dict[str, object] = {"detail": str(exc)}
        if isinstance(exc, errors_module.PersonaNotFound):
            body["valid_ids"] = exc.valid
        return JSONResponse(body, status_code=STATUS.get(type(exc), 400))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Bytes that are not UTF-8 are echoed back readable, never as a 500 from the encoder.
        errors = jsonable_encoder(exc.errors(), custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 413 and exc.detail == "Content Too Large":
            return JSONResponse(
                {"detail": body_too_large(settings.max_body_bytes)},
                status_code=413,
            )
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            return JSONResponse({"detail": "the request body is not valid UTF-8; send JSON encoded as UTF-8"}, status_code=422)
        if exc.status_code == 401 and not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", ""):
            # A browser asking for a page is sent to sign in, then back.
            return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
        return await http_exception_handler(request, exc)

    @app.exception_handler(DatabaseBusy)
    @app.exception_handler(DBAPIError)
    async def database_busy(_request: Request, exc: Exception) -> JSONResponse:
        # Every pooled connection stayed busy for db_pool_timeout (or SQLite stayed locked): come back soon.
        if isinstance(exc, DBAPIError) and is_unreachable(exc):
            # The database server closed the connection or is restarting; the pool renews itself.
            service.log.warning("database unreachable: %s", exc)
            return JSONResponse(
                {"detail": "the connection to the database was lost; retry in a moment (resending an answer with its "
                           "Idempotency-Key never stores it twice)", "retry_after": 1},
                status_code=503, headers={"Retry-After": "1"},
            )
        if isinstance(exc, DBAPIError) and not (isinstance(exc, OperationalError) and is_busy(exc)):
            raise exc
        service.log.warning("database busy: %s", exc)
        return JSONResponse(
            {"detail": "the server is busy; retry in a few seconds (your answer, if any, was not stored)", "retry_after": 2},
            status_code=503, headers={"Retry-After": "2"},
        )

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

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> Response:
        """Prometheus metrics: requests, latency, model calls, tokens, cost and errors."""
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    # API tokens when exposed (see interviewer/api/auth.py); a session of another user is a 404.
    owned = [Depends(auth.session_owner)]
    app.include_router(personas.router, dependencies=[Depends(auth.current_caller)])
    app.include_router(sessions.router, dependencies=owned)
    app.include_router(shares.router, dependencies=owned)
    app.include_router(shares.shared_router)
    # Loops check their owner themselves: another user's loop is a 404, like a session.
    app.include_router(loop_routes.router, dependencies=[Depends(auth.current_caller)])
    app.include_router(debrief_routes.router, dependencies=[Depends(auth.current_caller)])
    app.include_router(drill_routes.router, dependencies=[Depends(auth.current_caller)])
    # The browser pages (home, interview, report, history) and their assets, served by the app.
    # Pages check the caller themselves, so a missing or foreign session gets the HTML 404 page.
    app.include_router(pages.router, dependencies=[Depends(auth.current_caller)])
    app.include_router(signin.router)
    app.include_router(docs.router)
    app.mount("/static", pages.static_files(), name="static")
    app.mount(docs.ASSETS_PATH, docs.assets(), name="docs-assets")
    return app


def _cache_schema(app: FastAPI, settings: Settings) -> dict[str, object]:
    app.openapi_schema = openapi.describe(
        app, token_mode=tokens.token_required(settings), max_body_bytes=settings.max_body_bytes,
        persona_ids=sorted(app.state.catalog.personas), answer_chars=settings.max_answer_chars, document_chars=settings.max_document_chars,
    )
    return app.openapi_schema
