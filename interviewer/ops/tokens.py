"""API tokens: when a server needs them, how they are made and stored (only their hash), and users."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from sqlmodel import Session

from interviewer.ops.settings import Settings
from interviewer.storage import queries
from interviewer.storage import tables as store


TOKEN_PREFIX = "iv_"


def token_required(settings: Settings) -> bool:
    """Token mode unless explicitly local-only: bound to a loopback address and not forced."""
    if settings.auth == "token":
        return True
    host = settings.host.strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name may resolve to anything: treat it as exposed


def new_token() -> str:
    """256 random bits, URL-safe: unguessable, and shown only once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # Tokens are random, so a plain SHA-256 is enough: there is no dictionary to try against it.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(*, db: Session, name: str) -> tuple[store.User, str]:
    """A new user and their first token (the only time the token exists in clear)."""
    user = queries.add_user(db=db, name=name)
    token = new_token()
    queries.add_token(db=db, user_id=user.id, token_hash=hash_token(token))
    return user, token


def new_share_token() -> str:
    return secrets.token_urlsafe(32)
