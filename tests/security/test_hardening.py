"""Hostile input and browser misuse, in process on both databases: bodies too large, ids with NUL,
cross-site writes, what a share link reveals, raw HTML in the Markdown report, /docs offline,
the OpenAPI schema's promises, hostile PDFs. (A real `interviewer serve`: test_running_server.py.)"""

from __future__ import annotations

import io
import json
import re
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlmodel import Session, delete

from interviewer.api.app import create_app
from interviewer.ops import tokens
from interviewer.ops.settings import Settings
from interviewer.storage import queries
from interviewer.storage.tables import AnswerScore
from tests.support.fake_models import OPENAI_URL, FakeOpenAI, is_judge, judge_reply, openai_completion, openai_sse, request_json

HOSTILE = (
    "I would use cross-validation. <script>alert('x')</script> <img src=x onerror=alert(1)> "
    "[click me](javascript:alert(document.cookie)) ![pixel](https://tracker.example/p.png) "
    "<a href=\"javascript:alert(2)\">here</a> and ONLOAD = steal()."
)


def start(client: TestClient, persona_id: str = "technical-ml", **headers: str) -> str:
    response = client.post("/api/sessions", json={"persona_id": persona_id}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
def exposed(database_url: str) -> Iterator[TestClient]:
    """The app as served on 0.0.0.0: tokens required."""
    with TestClient(create_app(Settings(database_url=database_url, model="offline", host="0.0.0.0"))) as client:
        yield client


def token_for(client: TestClient, name: str) -> str:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return tokens.create_user(db=db, name=name)[1]


# Finding 1: memory before authentication.

def test_a_body_over_the_limit_is_refused_by_its_content_length(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", max_body_bytes=50_000)
    with TestClient(create_app(settings)) as client:
        session_id = start(client)
        big = json.dumps({"content": "word " * 20_000}).encode()
        response = client.post(f"/api/sessions/{session_id}/answers", content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413 and "INTERVIEWER_MAX_BODY_BYTES" in response.json()["detail"]
        assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1


def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", max_body_bytes=50_000)
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        yield b'{"persona_id": "technical-ml", "cv": "'
        for _ in range(100):
            sent.append(1)
            yield b"x" * 10_000
        yield b'"}'

    with TestClient(create_app(settings)) as client:
        response = client.post("/api/sessions", content=chunks(), headers={"content-type": "application/json"})
        assert response.status_code == 413 and "50000 bytes" in response.json()["detail"]
        assert client.get("/api/sessions").json() == []


def test_authentication_is_checked_before_the_body_is_read(exposed: TestClient) -> None:
    owner = token_for(exposed, "owner")
    session_id = start(exposed, Authorization=f"Bearer {owner}")
    # A body the route could not even parse: refused for the missing token, never for its content.
    broken = exposed.post(f"/api/sessions/{session_id}/answers", content=b'{"content": "unterminated', headers={"content-type": "application/json"})
    assert broken.status_code == 401 and broken.headers["www-authenticate"] == "Bearer"
    wrong = exposed.post(
        f"/api/sessions/{session_id}/answers", content=b"{not json", headers={"content-type": "application/json", "Authorization": "Bearer iv_wrong"}
    )
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["detail"]
    good = exposed.post(f"/api/sessions/{session_id}/answers", json={"content": "Cross-validation estimates error."}, headers={"Authorization": f"Bearer {owner}"})
    assert good.status_code == 200, good.text


# Finding 3: NUL and bad characters in ids.

@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions/%00"),
        ("GET", "/api/sessions/abc%00def/report"),
        ("POST", "/api/sessions/%00/end"),
        ("DELETE", "/api/sessions/%00"),
        ("POST", "/api/sessions/%00/share"),
        ("GET", "/sessions/%00"),
        ("GET", "/api/sessions/%0A%1B"),
        ("GET", "/api/sessions/%ED%A0%80"),
        ("GET", "/api/sessions?persona_id=%00"),
        ("GET", "/api/shared/%00/report"),
    ],
)
def test_nul_and_control_characters_in_ids_are_a_4xx(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code in (404, 422), response.text
    assert "detail" in response.json()


def test_nul_in_a_model_reply_is_stripped_before_it_is_stored(model_client: TestClient, fake_openai: FakeOpenAI) -> None:
    session_id = start(model_client)
    fake_openai.fail_next(httpx.Response(200, text=openai_sse(["Tell me\x00 more", " about\x00 that."]), headers={"content-type": "text/event-stream"}))
    response = model_client.post(
        f"/api/sessions/{session_id}/answers", json={"content": "I would use cross-validation."}, headers={"Accept": "text/event-stream"}
    )
    assert response.status_code == 200 and "event: done" in response.text, response.text
    stored = model_client.get(f"/api/sessions/{session_id}").json()["turns"][-1]["content"]
    assert stored == "Tell me more about that."


def test_nul_in_a_judge_rationale_never_costs_the_report(model_client: TestClient, no_network: respx.MockRouter, fake_openai: FakeOpenAI) -> None:
    def judge_with_nul(request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        if not is_judge(body):
            return fake_openai(request)
        verdict = json.loads(judge_reply(body))
        for criterion in verdict["criteria"]:
            criterion["reasoning"] = "Names\x00 the method."
        return httpx.Response(200, json=openai_completion(json.dumps(verdict), model=body["model"]))

    no_network.post(OPENAI_URL).mock(side_effect=judge_with_nul)
    session_id = start(model_client)
    assert model_client.post(f"/api/sessions/{session_id}/answers", json={"content": "I would use cross-validation."}).status_code == 200
    report = model_client.get(f"/api/sessions/{session_id}/report")
    assert report.status_code == 200, report.text
    assert "\x00" not in report.text and "\\u0000" not in report.text


# Finding 5: CSRF, login CSRF, and the browser's protections.

def test_a_cross_site_sign_in_is_refused_and_sets_no_cookie(exposed: TestClient) -> None:
    token = token_for(exposed, "attacker")
    forged = exposed.post("/signin", data={"token": token}, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert forged.status_code == 403 and "set-cookie" not in forged.headers
    by_referer = exposed.post("/signin", data={"token": token}, headers={"Referer": "https://evil.example/page"}, follow_redirects=False)
    assert by_referer.status_code == 403
    own = exposed.post("/signin", data={"token": token}, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert own.status_code == 303 and "set-cookie" in own.headers


def test_cookie_writes_from_another_site_are_refused(exposed: TestClient) -> None:
    token = token_for(exposed, "victim")
    assert exposed.post("/signin", data={"token": token}, follow_redirects=False).status_code == 303
    session_id = start(exposed)  # the cookie from /signin
    evil = {"Origin": "https://evil.example"}
    attempts = [
        exposed.post("/api/sessions", content=b'{"persona_id": "technical-ml"}', headers={**evil, "content-type": "text/plain"}),
        exposed.post("/api/sessions", files={"persona_id": (None, "technical-ml")}, headers=evil),
        exposed.post(f"/api/sessions/{session_id}/end", headers=evil),
        exposed.post(f"/api/sessions/{session_id}/share", headers=evil),
        exposed.delete(f"/api/sessions/{session_id}", headers={"Origin": "null"}),
        exposed.post(f"/api/sessions/{session_id}/end", headers={"Sec-Fetch-Site": "cross-site"}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert len(exposed.get("/api/sessions").json()) == 1
    assert exposed.get(f"/api/sessions/{session_id}").json()["status"] == "active"
    # The site's own pages, and API clients with their token in a header, are unaffected.
    assert exposed.post(f"/api/sessions/{session_id}/share", headers={"Origin": "http://testserver"}).status_code == 201
    assert exposed.post("/api/sessions", json={"persona_id": "technical-ml"}, headers={**evil, "Authorization": f"Bearer {token}"}).status_code == 201


def test_pages_send_csp_frame_protection_nosniff_and_referrer_policy(client: TestClient) -> None:
    session_id = start(client)
    for path in ("/", "/history", f"/sessions/{session_id}", f"/sessions/{session_id}/report", "/api/personas"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0], path
        assert "frame-ancestors 'none'" in policy and headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer", path
    # The report page frames the HTML report: it may be framed by this site only, and runs no script.
    report = client.get(f"/api/sessions/{session_id}/report?format=html").headers
    assert "frame-ancestors 'self'" in report["content-security-policy"] and report["x-frame-options"] == "SAMEORIGIN"
    assert "script-src" not in report["content-security-policy"] and "default-src 'none'" in report["content-security-policy"]


# Finding 6: share links.

def test_a_share_link_shows_that_one_report_and_nothing_of_the_owner_s_history(client: TestClient) -> None:
    older = start(client)
    client.post(f"/api/sessions/{older}/answers", json={"content": "Bias is error from wrong assumptions; variance from sensitivity."})
    assert client.get(f"/api/sessions/{older}/report").status_code == 200
    shared = start(client)
    client.post(f"/api/sessions/{shared}/answers", json={"content": "I would use cross-validation to estimate generalisation."})
    owner_view = client.get(f"/api/sessions/{shared}/report").json()
    assert older in [h["session_id"] for h in owner_view["history"]], "the owner sees their progress"
    link = client.post(f"/api/sessions/{shared}/share").json()["path"]
    for fmt in ("json", "md", "html"):
        text = client.get(f"{link}?format={fmt}").text
        assert older not in text and older[:8] not in text, fmt
    as_json = client.get(link).json()
    assert [h["session_id"] for h in as_json["history"]] == [shared]
    browser = client.get(link, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and "<html" in browser.text


def test_reading_a_share_link_never_calls_the_judge(model_client: TestClient, fake_openai: FakeOpenAI) -> None:
    session_id = start(model_client)
    assert model_client.post(f"/api/sessions/{session_id}/answers", json={"content": "I would use cross-validation."}).status_code == 200
    engine = model_client.app.state.engine  # type: ignore[attr-defined]
    settled = time.monotonic() + 30
    while time.monotonic() < settled:  # background judging of the answer has finished
        seen = len(fake_openai.requests)
        time.sleep(0.5)
        with Session(engine) as db:
            if queries.list_scores(db=db, session_id=session_id) and len(fake_openai.requests) == seen:
                break
    with Session(engine) as db:  # the answer is unscored again, as when judging has not run yet
        db.execute(delete(AnswerScore).where(AnswerScore.session_id == session_id))  # type: ignore[arg-type]
        db.commit()
    link = model_client.post(f"/api/sessions/{session_id}/share").json()["path"]
    calls = len(fake_openai.requests)
    for _ in range(3):
        assert model_client.get(link).status_code == 200
    assert len(fake_openai.requests) == calls, "an anonymous reader made the server call the judge"
    with Session(engine) as db:
        assert queries.list_scores(db=db, session_id=session_id) == [], "nor did it store scores"


def test_share_link_reads_are_rate_limited(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url, model="offline", rate_limit_per_minute=3))) as client:
        session_id = start(client)
        link = client.post(f"/api/sessions/{session_id}/share").json()["path"]
        statuses = [client.get(link).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        limited = client.get(link)
        assert int(limited.headers["retry-after"]) > 0 and "retry after" in limited.json()["detail"]


# Finding 7: the Markdown report.

def test_the_markdown_report_carries_no_raw_html_links_or_images_from_candidate_text(client: TestClient) -> None:
    session_id = start(client)
    client.post(f"/api/sessions/{session_id}/answers", json={"content": HOSTILE})
    link = client.post(f"/api/sessions/{session_id}/share").json()["path"]
    for markdown in (client.get(f"/api/sessions/{session_id}/report?format=md").text, client.get(f"{link}?format=md").text):
        assert "alert" in markdown, "the answer is still shown"
        lowered = markdown.lower()
        for raw in ("<script", "<img", "<a ", "onerror=", "onload =", "javascript:"):
            assert raw not in lowered, raw
        assert not re.search(r"(?<!\\)\]\(", markdown), "a link or an image survived"
        assert "&lt;script&gt;" in markdown


# Finding 8: /docs offline.

def test_docs_load_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assert "http://" not in page.text and "https://" not in page.text and "//cdn" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/static/docs.js"):
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in page.text, "no inline script: the page works under its own CSP"


# Finding 9: the OpenAPI schema.

def test_the_schema_documents_401_413_429_and_asks_for_a_token_only_in_token_mode(client: TestClient, exposed: TestClient) -> None:
    local, served = client.get("/openapi.json").json(), exposed.get("/openapi.json").json()
    answers = "/api/sessions/{session_id}/answers"
    assert "security" not in json.dumps(local["paths"]) and "securitySchemes" not in local["components"]
    assert "401" not in local["paths"][answers]["post"]["responses"]
    assert "413" in local["paths"][answers]["post"]["responses"] and "413" in local["paths"]["/api/sessions"]["post"]["responses"]
    for method in ("post",):
        responses = served["paths"][answers][method]["responses"]
        assert {"401", "413", "429"} <= set(responses)
    assert served["paths"][answers]["post"]["security"] == [{"HTTPBearer": []}]
    shared = served["paths"]["/api/shared/{token}/report"]["get"]
    assert "security" not in shared and "429" in shared["responses"] and "401" not in shared["responses"]


# Finding 3: hostile PDFs.

def _pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table; object 1 is the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def bomb_pdf(inflated_bytes: int = 200_000_000) -> bytes:
    """One page whose content stream is a few hundred KB of Flate that inflates to `inflated_bytes`."""
    compressor = zlib.compressobj(9)
    block = b"0" * 1_000_000
    stream = b"".join(compressor.compress(block) for _ in range(inflated_bytes // len(block))) + compressor.flush()
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def many_pages_pdf(pages: int, text: str = "Our model beats the baseline by three points.") -> bytes:
    """`pages` pages sharing one content stream: a small file that is a lot of work to read."""
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode()
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *([page] * pages),
    ])


def upload(client: TestClient, pdf: bytes) -> httpx.Response:
    return client.post(
        "/api/sessions", data={"persona_id": "takehome-review"}, files={"takehome": ("report.pdf", pdf, "application/pdf")}
    )


def test_a_decompression_bomb_pdf_is_a_4xx(client: TestClient) -> None:
    pdf = bomb_pdf()
    assert len(pdf) < 1_000_000
    response = upload(client, pdf)
    assert response.status_code in (413, 422), response.text
    assert "takehome" in response.json()["detail"] and "PDF" in response.json()["detail"]


def test_a_pdf_over_the_page_limit_is_a_413_naming_the_limit(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", max_pdf_pages=40)
    with TestClient(create_app(settings)) as client:
        response = upload(client, many_pages_pdf(41))
        assert response.status_code == 413 and "41 pages" in response.json()["detail"] and "40" in response.json()["detail"]
        assert upload(client, many_pages_pdf(3)).status_code == 201


def test_a_pdf_whose_text_is_over_the_document_limit_is_a_413(database_url: str) -> None:
    settings = Settings(database_url=database_url, model="offline", max_document_chars=2_000)
    with TestClient(create_app(settings)) as client:
        response = upload(client, many_pages_pdf(100))
        assert response.status_code == 413 and "2000 characters" in response.json()["detail"]
