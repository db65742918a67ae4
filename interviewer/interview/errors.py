"""The conversation's domain errors: what went wrong in the candidate's terms. The API maps each
to an HTTP status; the CLI prints it."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a caller can act on; the message says what to fix."""


class PersonaNotFound(ServiceError):
    def __init__(self, persona_id: str, valid: list[str]) -> None:
        super().__init__(f"unknown persona '{persona_id}'; valid ids: {', '.join(valid)}")
        self.valid = valid


class SessionNotFound(ServiceError):
    def __init__(self, session_id: str, detail: str | None = None) -> None:
        super().__init__(detail or f"no session '{session_id}'")


def deleted_mid_turn(session_id: str) -> SessionNotFound:
    """The session was deleted while its turn was in flight: nothing of the turn is kept."""
    return SessionNotFound(
        session_id, f"session '{session_id}' was deleted while this answer was being replied to; the answer was deleted with it"
    )


class SessionEnded(ServiceError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"session '{session_id}' has ended; start a new session to practise again")


class InvalidInput(ServiceError):
    pass


class InputTooLarge(ServiceError):
    pass


class KeyReused(ServiceError):
    """An Idempotency-Key sent again with a different answer."""


class ReplyMissing(ServiceError):
    """The last answer has no reply yet (a model call failed); it must be resent first."""


class Busy(ServiceError):
    """Another answer to the same session is being stored at this moment."""
