"""Who may see what: local single-user mode on a loopback address, API tokens otherwise; every
session belongs to a user and another user's session is a 404; share links; the rate limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from interviewer.api.app import create_app
from interviewer.cli.main import main
from interviewer.ops import tokens
from interviewer.ops.ratelimit import RateLimiter
from interviewer.ops.settings import Settings, get_settings


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def exposed(database_url: str) -> Iterator[TestClient]:
    """The app as served on 0.0.0.0: tokens required without any other setting."""
    with TestClient(create_app(Settings(database_url=database_url, model="offline", host="0.0.0.0"))) as client:
        yield client


def add_user(client: TestClient, name: str) -> str:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return tokens.create_user(db=db, name=name)[1]


def start(client: TestClient, token: str) -> str:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml"}, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(
    ("host", "forced", "required"),
    [("127.0.0.1", "auto", False), ("localhost", "auto", False), ("::1", "auto", False), ("127.0.0.2", "auto", False),
     ("0.0.0.0", "auto", True), ("::", "auto", True), ("192.168.1.20", "auto", True), ("interviews.example.org", "auto", True),
     ("127.0.0.1", "token", True)],
)
def test_tokens_are_required_unless_bound_to_loopback(host: str, forced: str, required: bool) -> None:
    assert tokens.token_required(Settings(host=host, auth=forced)) is required  # type: ignore[arg-type]


def test_local_mode_needs_no_token(client: TestClient) -> None:
    session = client.post("/api/sessions", json={"persona_id": "technical-ml"})
    assert session.status_code == 201
    assert client.get("/api/sessions").json()[0]["id"] == session.json()["id"]
    assert client.get(f"/sessions/{session.json()['id']}").status_code == 200  # the browser page too


def test_exposed_server_answers_401_without_a_valid_token(exposed: TestClient) -> None:
    token = add_user(exposed, "alice")
    for headers in [{}, bearer("iv_not-a-token"), {"Authorization": f"Basic {token}"}, {"Authorization": "Bearer "}]:
        for method, path in [("get", "/api/sessions"), ("post", "/api/sessions"), ("get", "/api/personas"), ("get", "/history")]:
            response = getattr(exposed, method)(path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
    assert exposed.get("/api/sessions", headers=bearer(token)).status_code == 200
    assert exposed.get("/healthz").status_code == 200


def test_forced_token_mode_on_loopback(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url, model="offline", auth="token"))) as client:
        assert client.get("/api/sessions").status_code == 401
        assert client.get("/api/sessions", headers=bearer(add_user(client, "alice"))).status_code == 200


def test_another_users_session_is_a_404_everywhere(exposed: TestClient) -> None:
    alice, bob = add_user(exposed, "alice"), add_user(exposed, "bob")
    session_id = start(exposed, alice)
    exposed.post(f"/api/sessions/{session_id}/answers", json={"content": "Alice's private answer."}, headers=bearer(alice))
    for method, path, body in [
        ("get", "", None), ("post", "/answers", {"content": "hijack"}), ("post", "/end", None), ("get", "/report", None),
        ("delete", "", None), ("post", "/share", None), ("delete", "/share", None),
    ]:
        kwargs: dict[str, Any] = {"headers": bearer(bob)} | ({"json": body} if body else {})
        response = exposed.request(method.upper(), f"/api/sessions/{session_id}{path}", **kwargs)
        assert response.status_code == 404, (method, path, response.text)
        assert "Alice" not in response.text
    for page in (f"/sessions/{session_id}", f"/sessions/{session_id}/report"):
        assert exposed.get(page, headers=bearer(bob)).status_code == 404
    assert exposed.get("/api/sessions", headers=bearer(bob)).json() == []
    assert "Alice" not in exposed.get("/history", headers=bearer(bob)).text
    # Nothing of bob's attempts changed alice's session.
    mine = exposed.get(f"/api/sessions/{session_id}", headers=bearer(alice)).json()
    assert mine["status"] == "active" and [t["content"] for t in mine["turns"] if t["role"] == "candidate"] == ["Alice's private answer."]
    assert [s["id"] for s in exposed.get("/api/sessions", headers=bearer(alice)).json()] == [session_id]


def test_progress_in_a_report_counts_only_the_users_own_sessions(exposed: TestClient) -> None:
    alice, bob = add_user(exposed, "alice"), add_user(exposed, "bob")
    for token in (alice, alice, bob):
        session_id = start(exposed, token)
        exposed.post(f"/api/sessions/{session_id}/answers", json={"content": "Some answer about likelihood."}, headers=bearer(token))
        report = exposed.get(f"/api/sessions/{session_id}/report", headers=bearer(token)).json()
    assert [p["session_id"] for p in report["history"]] == [session_id]  # bob's first session: alice's two are not his


def test_users_add_prints_the_token_once_on_its_own_line_and_stores_only_its_hash(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["users", "add", "alice"])
        assert result.exit_code == 0, result.output
        [token] = result.stdout.splitlines()  # the token alone on stdout; the explanation is on stderr
        assert token.startswith("iv_") and len(token) >= 40 and token not in result.stderr
        assert CliRunner().invoke(main, ["users", "add", "alice"]).exit_code != 0
        settings = Settings(database_url=database_url, model="offline", host="0.0.0.0")
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/sessions", headers=bearer(token)).status_code == 200
            with client.app.state.engine.connect() as connection:  # type: ignore[attr-defined]
                stored = [row[0] for row in connection.execute(text("SELECT token_hash FROM api_token"))]
            assert stored == [hashlib.sha256(token.encode()).hexdigest()]
            renewed = CliRunner().invoke(main, ["users", "token", "alice"]).stdout.strip()
            assert client.get("/api/sessions", headers=bearer(token)).status_code == 401  # revoked
            assert client.get("/api/sessions", headers=bearer(renewed)).status_code == 200
            assert CliRunner().invoke(main, ["users", "revoke", "alice"]).exit_code == 0
            assert client.get("/api/sessions", headers=bearer(renewed)).status_code == 401
    finally:
        get_settings.cache_clear()


def test_share_link_opens_the_report_only_and_can_be_revoked(exposed: TestClient) -> None:
    alice = add_user(exposed, "alice")
    session_id = start(exposed, alice)
    exposed.post(f"/api/sessions/{session_id}/answers", json={"content": "The likelihood is p(x | θ)."}, headers=bearer(alice))
    assert exposed.post(f"/api/sessions/{session_id}/share").status_code == 401
    links = [exposed.post(f"/api/sessions/{session_id}/share", headers=bearer(alice)).json() for _ in range(2)]
    first, second = links
    assert first["token"] != second["token"] and len(first["token"]) >= 43  # 256 random bits
    report = exposed.get(first["path"])  # no Authorization: the link is the credential
    assert report.status_code == 200 and report.json()["session"]["id"] == session_id
    assert exposed.get(f"{first['path']}?format=md").text.startswith("# Mock interview report")
    # The link opens the report and nothing else.
    assert exposed.get(f"/api/sessions/{session_id}", headers=bearer(first["token"])).status_code == 401
    assert exposed.get(f"/api/shared/{first['token']}").status_code == 404
    with exposed.app.state.engine.connect() as connection:  # type: ignore[attr-defined]
        hashes = {row[0] for row in connection.execute(text("SELECT token_hash FROM report_share"))}
    assert first["token"] not in hashes and hashlib.sha256(first["token"].encode()).hexdigest() in hashes
    assert exposed.delete(f"/api/sessions/{session_id}/share", headers=bearer(alice)).status_code == 204
    for link in links:
        assert exposed.get(link["path"]).status_code == 404
    assert exposed.get("/api/shared/guess/report").status_code == 404


def test_rate_limit_is_per_token_with_retry_after(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", host="0.0.0.0", rate_limit_per_minute=3)
    with TestClient(create_app(settings)) as client:
        now = [1000.0]
        client.app.state.rate_limiter = RateLimiter(3, clock=lambda: now[0])  # type: ignore[attr-defined]
        alice, bob = add_user(client, "alice"), add_user(client, "bob")
        assert [client.get("/api/sessions", headers=bearer(alice)).status_code for _ in range(3)] == [200] * 3
        limited = client.get("/api/sessions", headers=bearer(alice))
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert "3 requests a minute" in limited.json()["detail"]
        assert client.get("/api/sessions", headers=bearer(bob)).status_code == 200  # per token
        now[0] += 45
        assert client.get("/api/sessions", headers=bearer(alice)).headers["retry-after"] == "15"
        now[0] += 15
        assert client.get("/api/sessions", headers=bearer(alice)).status_code == 200


def test_a_deleted_user_takes_their_sessions_and_tokens_along(exposed: TestClient) -> None:
    alice = add_user(exposed, "alice")
    session_id = start(exposed, alice)
    from interviewer.storage.queries import get_user_by_name
    from interviewer.storage.tables import InterviewSession

    with Session(exposed.app.state.engine) as db:  # type: ignore[attr-defined]
        db.delete(get_user_by_name(db=db, name="alice"))
        db.commit()
        assert db.get(InterviewSession, session_id) is None
    assert exposed.get("/api/sessions", headers=bearer(alice)).status_code == 401


def test_the_openapi_schema_declares_bearer_auth_only_in_token_mode(exposed: TestClient, client: TestClient) -> None:
    schema = exposed.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "401" in schema["paths"]["/api/sessions"]["post"]["responses"]
    local = client.get("/openapi.json").json()
    assert "securitySchemes" not in local["components"], "a local server asks for no token, so its schema declares none"
    assert "401" not in local["paths"]["/api/sessions"]["post"]["responses"]


def test_a_browser_signs_in_once_and_uses_the_pages_and_api_with_a_cookie(exposed: TestClient) -> None:
    token = add_user(exposed, "carol")
    html = {"Accept": "text/html"}
    page = exposed.get("/history", headers=html, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/signin?next=/history"
    assert exposed.get("/api/sessions", headers=html).status_code == 401, "the API itself never redirects"
    wrong = exposed.post("/signin", data={"token": "nope", "next": "/history"})
    assert wrong.status_code == 401 and "Unknown or revoked token" in wrong.text
    signed = exposed.post("/signin", data={"token": token, "next": "/history"}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/history"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and token not in signed.text
    assert exposed.get("/history", headers=html).status_code == 200
    session = exposed.post("/api/sessions", json={"persona_id": "recruiter-screen"})
    assert session.status_code == 201, "pages' fetch calls carry the cookie"
    off_site = exposed.post("/signin", data={"token": token, "next": "//evil.example/x"}, follow_redirects=False)
    assert off_site.headers["location"] == "/"


def test_an_api_request_looks_its_token_up_once(exposed: TestClient) -> None:
    from sqlalchemy import event

    token = add_user(exposed, "ada")
    session_id = start(exposed, token)
    lookups: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_token" in statement.lower():
            lookups.append(statement)

    engine = exposed.app.state.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert exposed.get(f"/api/sessions/{session_id}", headers=bearer(token)).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Checked by the guard before the body is read; the route's caller reuses that answer.
    assert len(lookups) == 1


def test_a_session_owner_is_read_once_and_a_deleted_session_is_still_a_404(exposed: TestClient) -> None:
    from sqlalchemy import event

    token, other = add_user(exposed, "ada"), add_user(exposed, "bob")
    session_id = start(exposed, token)
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lower().lstrip().startswith("select interview_session.user_id"):
            reads.append(statement)

    engine = exposed.app.state.engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert exposed.get(f"/api/sessions/{session_id}", headers=bearer(token)).status_code == 200
        assert exposed.get(f"/api/sessions/{session_id}", headers=bearer(other)).status_code == 404
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(reads) == 1
    assert exposed.delete(f"/api/sessions/{session_id}", headers=bearer(token)).status_code == 204
    assert exposed.get(f"/api/sessions/{session_id}", headers=bearer(token)).status_code == 404
