"""The browser pages as HTML: what each page holds, that candidate text is escaped, that assets are local."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from interviewer.catalog.loading import Catalog

from tests.support.fake_models import FakeOpenAI
from tests.support.interviews import play, strong_candidate


def start(client: TestClient, persona_id: str = "recruiter-screen") -> dict[str, Any]:
    response = client.post("/api/sessions", json={"persona_id": persona_id})
    assert response.status_code == 201, response.text
    return response.json()


def assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_home_offers_every_round_with_labelled_fields(client: TestClient, catalog: Catalog) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    for persona in catalog.personas.values():
        assert f'value="{persona.id}"' in html and persona.name in html and f"about {persona.duration_minutes} min" in html
    for field in ("language", "job_description", "cv", "takehome"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    chosen = client.get("/?persona=technical-ml").text
    assert re.search(r'id="persona-technical-ml" value="technical-ml" checked', chosen)


def test_every_asset_is_served_by_the_app(client: TestClient) -> None:
    session = start(client)
    pages = ["/", f"/sessions/{session['id']}", f"/sessions/{session['id']}/report", "/history"]
    for page in pages:
        html = client.get(page).text
        for url in assets(html):
            assert not re.match(r"(https?:)?//", url), f"{page} links outside the app: {url}"
            if url.startswith("/static/"):
                asset = client.get(url)
                assert asset.status_code == 200, url
    assert client.get("/static/interview.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))


def test_interview_page_shows_the_transcript_escaped_and_the_progress(client: TestClient) -> None:
    session = start(client)
    answer = "I built a <script>alert('x')</script> parser & measured it: 3x faster on 10k files, as I said in my pitch."
    assert client.post(f"/api/sessions/{session['id']}/answers", json={"content": answer}, headers={"Idempotency-Key": "a1"}).status_code == 200
    html = client.get(f"/sessions/{session['id']}").text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert re.search(r'Question <span id="question-number">\d+</span> of <span id="question-count">\d+</span>', html)
    assert 'id="end"' in html and 'role="log"' in html and '<label for="answer">Your answer</label>' in html
    # The page's data for its script is JSON that cannot close the script element.
    data = re.search(r'<script type="application/json" id="interview-data">(.*?)</script>', html, re.S)
    assert data and '"status": "active"' in data.group(1)


def test_an_ended_interview_offers_its_report_instead_of_the_box(client: TestClient, catalog: Catalog) -> None:
    session = play(client, "recruiter-screen", strong_candidate(catalog, "recruiter-screen"))
    html = client.get(f"/sessions/{session['id']}").text
    assert re.search(r'<div class="ended" id="ended">', html)
    assert re.search(r'<form class="composer" id="composer" hidden>', html)


def test_an_answer_left_without_reply_goes_back_in_the_box(model_client: TestClient, fake_openai: FakeOpenAI) -> None:
    session = start(model_client, "technical-ml")
    fake_openai.fail_next(httpx.Response(500, json={"error": {"message": "overloaded", "type": "server_error"}}))
    answer = "Likelihood is p(data | theta) as a function of theta."
    failed = model_client.post(f"/api/sessions/{session['id']}/answers", json={"content": answer}, headers={"Idempotency-Key": "k1"})
    assert failed.status_code >= 500
    html = model_client.get(f"/sessions/{session['id']}").text
    transcript = html.split('id="transcript"', 1)[1].split("</ol>", 1)[0]
    assert answer not in transcript, "the unanswered answer is not shown as sent"
    assert re.search(r'<textarea id="answer"[^>]*readonly>' + re.escape(answer) + "</textarea>", html)
    assert "Your last answer is saved but has no reply yet" in html


def test_report_page_frames_the_html_report(client: TestClient) -> None:
    session = start(client)
    html = client.get(f"/sessions/{session['id']}/report").text
    assert f'src="/api/sessions/{session["id"]}/report?format=html"' in html and 'title="Feedback report"' in html
    assert "still open" in html, "an active session's report says it covers the answers so far"
    assert f'href="/?persona={session["persona_id"]}"' in html


def test_unknown_sessions_are_a_404_page(client: TestClient) -> None:
    for url in ("/sessions/nope", "/sessions/nope/report"):
        response = client.get(url)
        assert response.status_code == 404 and "does not exist" in response.text and response.headers["content-type"].startswith("text/html")


def test_history_lists_sessions_with_their_score_and_a_progress_chart(client: TestClient, catalog: Catalog) -> None:
    assert "No interview yet" in client.get("/history").text
    first = play(client, "recruiter-screen", strong_candidate(catalog, "recruiter-screen"))
    second = play(client, "recruiter-screen", strong_candidate(catalog, "recruiter-screen"))
    active = start(client, "manager-fit")
    for session in (first, second):
        client.get(f"/api/sessions/{session['id']}/report")
    html = client.get("/history").text
    rows = re.findall(r'<tr data-session-id="(\w+)">(.*?)</tr>', html, re.S)
    assert [session_id for session_id, _ in rows] == [active["id"], second["id"], first["id"]]
    assert "not finished" in rows[0][1] and "Continue" in rows[0][1]
    for _, row in rows[1:]:
        assert re.search(r"<strong>\d\.\d</strong> / 5", row)
    chart = html.split('id="progress-title"', 1)[1]
    assert chart.count("<svg") == 1 and chart.count("<circle") == 2 and "<polyline" in chart
