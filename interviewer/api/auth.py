"""Who is asking, and what they may see.

Local single-user mode (the default when the server is bound to a loopback address): no token,
every request acts as the implicit local user. Token mode (bound to any other address, or
INTERVIEWER_AUTH=token): every API request needs `Authorization: Bearer TOKEN`, a token made by
`interviewer users add NAME` and stored only as its SHA-256; a missing, unknown or revoked token
answers 401. Either way every session belongs to a user, and another user's session answers 404,
exactly like a session that does not exist.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer.api.deps import EngineDep
from interviewer.interview import errors
from interviewer.ops.settings import Settings
from interviewer.ops.tokens import hash_token, token_required
from interviewer.storage import queries
from interviewer.storage import tables as store

bearer = HTTPBearer(
    auto_error=False,
    description="Needed when the server is exposed (token mode): a token from `interviewer users add NAME`.",
)


TOKEN_COOKIE = "interviewer_token"
MISSING_TOKEN = "this server needs an API token: send `Authorization: Bearer TOKEN` (tokens come from `interviewer users add NAME`)"
UNKNOWN_TOKEN = "unknown or revoked API token"


@dataclass(frozen=True)
class Caller:
    user_id: str


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


# Where RequestGuard leaves the user id of the token it checked, so the route does not look it up again.
CHECKED_USER = "checked_user_id"


async def current_caller(
    request: Request, engine: EngineDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    """The user a request acts for; 401 without a valid token in token mode, 429 over the rate limit.
    Async, and it reads the database only when the request guard has not already: no worker thread
    is taken for a caller that is known."""
    settings: Settings = request.app.state.settings
    if not token_required(settings):
        return Caller(store.LOCAL_USER)
    # A browser signed in at /signin sends the token as a cookie instead of a header.
    token = credentials.credentials if credentials and credentials.credentials else request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise _unauthorized(MISSING_TOKEN)
    token_hash = hash_token(token)
    user_id = request.scope.get("state", {}).get(CHECKED_USER)
    if user_id is None:
        user_id = await anyio.to_thread.run_sync(lambda: token_user(engine, token))
    if user_id is None:
        raise _unauthorized(UNKNOWN_TOKEN)
    wait = request.app.state.rate_limiter.hit(token_hash)
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"over the limit of {settings.rate_limit_per_minute} requests a minute for this token; retry after {wait} s",
            headers={"Retry-After": str(wait)},
        )
    return Caller(user_id)


CallerDep = Annotated[Caller, Depends(current_caller)]


def presented_token(authorization: str | None, cookie: str | None) -> str | None:
    """The token a request carries: a Bearer header, else the sign-in cookie."""
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return cookie or None


def token_user(engine: Engine, token: str) -> str | None:
    """The id of the user a token authenticates, or None for an unknown or revoked token."""
    with Session(engine) as db:
        user = queries.user_for_token(db=db, token_hash=hash_token(token))
    return user.id if user is not None else None


def _owner(engine: Engine, session_id: str) -> str | None:
    with Session(engine) as db:
        # The owner's id alone: the session's row holds snapshots far too large to read on every request.
        return queries.session_owner(db=db, session_id=session_id)


# A session's owner never changes: read once per worker, then known (read and written on the event
# loop only). A session deleted since is still refused by its route, with the same 404.
_owners: OrderedDict[str, str] = OrderedDict()
_OWNERS_KEPT = 20_000


async def session_owner(request: Request, caller: CallerDep, engine: EngineDep) -> None:
    """A route under /{session_id} answers 404 for a session of another user, as for a missing one."""
    session_id = request.path_params.get("session_id")
    if session_id is None:
        return
    owner = _owners.get(session_id)
    if owner is None:
        owner = await anyio.to_thread.run_sync(lambda: _owner(engine, session_id))
        if owner is not None:
            _owners[session_id] = owner
            if len(_owners) > _OWNERS_KEPT:
                _owners.popitem(last=False)
    if owner is None or owner != caller.user_id:
        raise errors.SessionNotFound(session_id)
