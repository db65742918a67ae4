"""schemathesis against the app's own OpenAPI schema, in process: no 5xx, and every response
(status, content type, headers, body) matches what the schema declares. Bounded, so CI stays fast.

The app runs as exposed (token mode), with a valid token on every generated request, so the
checks of authentication hold too; operations on a session are fuzzed both with generated ids
and with the id of a real session. Driven through hypothesis directly (not schemathesis' pytest
plugin) so that it runs on both databases of the `database_url` fixture. Every check runs,
positive data acceptance included: the schema says what the server accepts (the catalog's persona
ids, answers with words, no NUL, the configured lengths), so a schema-valid request is never refused."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session

from interviewer.api.app import create_app
from interviewer.ops import tokens
from interviewer.ops.settings import Settings

EXAMPLES = 20


def fuzz(operation: Any, headers: dict[str, str], session_id: str | None) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case: schemathesis.Case) -> None:
        if session_id is not None:
            case.path_parameters = {**(case.path_parameters or {}), "session_id": session_id}
        case.call_and_validate(headers=headers)

    run()


def test_api_matches_its_schema(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, model="offline", auth="token", rate_limit_per_minute=0))
    with TestClient(app) as client:
        with Session(app.state.engine) as db:
            token = tokens.create_user(db=db, name="fuzzer")[1]
        headers = {"Authorization": f"Bearer {token}"}

        def new_session() -> str:
            response = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}, headers=headers)
            assert response.status_code == 201, response.text
            return response.json()["id"]

        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 10
        failures: list[str] = []
        for operation in operations:
            ids = [None, new_session()] if "{session_id}" in operation.path else [None]
            for session_id in ids:
                try:
                    fuzz(operation, headers, session_id)
                except (Exception, BaseExceptionGroup) as exc:  # report every operation's failures together
                    failures.append(f"{operation.method.upper()} {operation.path} (session {session_id}): {exc}")
    if failures:
        pytest.fail("\n\n".join(failures))
