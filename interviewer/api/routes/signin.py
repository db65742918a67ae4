"""Sign-in for browsers when the server needs API tokens: the token goes into an HttpOnly cookie,
which the auth dependency accepts like a Bearer header (SameSite=Lax keeps other sites from using it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from interviewer.api import auth
from interviewer.api.deps import EngineDep
from interviewer.api.routes.pages import render
from interviewer.ops import tokens
from interviewer.storage import queries

router = APIRouter(include_in_schema=False)
COOKIE_DAYS = 30


def _safe_next(target: str) -> str:
    # Only paths on this site: never redirect a signed-in browser elsewhere.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin", response_class=HTMLResponse)
def signin_page(next: str = "/") -> HTMLResponse:
    return render("signin.html.j2", title="Sign in", next=_safe_next(next), error=None)


@router.post("/signin")
def signin(request: Request, engine: EngineDep, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    with Session(engine) as db:
        user = queries.user_for_token(db=db, token_hash=tokens.hash_token(token.strip()))
    if user is None:
        return render("signin.html.j2", status_code=401, title="Sign in", next=_safe_next(next), error="Unknown or revoked token.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        auth.TOKEN_COOKIE, token.strip(), max_age=COOKIE_DAYS * 86_400, httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
