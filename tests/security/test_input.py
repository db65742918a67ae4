"""Bad input gets a clean 4xx that says what is wrong; text in any script comes back intact; a
malformed persona or rubric stops `interviewer serve` before it listens, naming file and field.
(Answer-length 413, upload 413, unknown fields, NUL and lone surrogates: tests/api/.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from interviewer.api.app import create_app
from interviewer.cli.main import main
from interviewer.ops.settings import PROJECT_ROOT, Settings, get_settings

JSON = {"content-type": "application/json"}


def start(client: TestClient) -> str:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(
    "body",
    [b'{"content": "caf\xc3\x28 au lait"}', b'{"content": "\xff\xfe broken"}', b'{"content": "\xed\xa0\x80"}'],
)
def test_invalid_utf8_in_an_answer_is_a_clean_422(client: TestClient, body: bytes) -> None:
    session_id = start(client)
    response = client.post(f"/api/sessions/{session_id}/answers", content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert "UTF-8" in response.text or "JSON" in response.text
    assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1


def test_invalid_utf8_when_starting_a_session_is_a_clean_422(client: TestClient) -> None:
    response = client.post("/api/sessions", content=b'{"persona_id": "tech\xffnical-ml"}', headers=JSON)
    assert response.status_code == 422, response.text
    assert client.get("/api/sessions").json() == []


def test_nul_in_a_document_is_refused(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"persona_id": "technical-ml", "cv": "MSc\x00student"})
    assert response.status_code == 422 and "NUL" in response.json()["detail"]


def test_configurable_answer_limit_is_named_in_the_413(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url, model="offline", max_answer_chars=500))) as client:
        session_id = start(client)
        response = client.post(f"/api/sessions/{session_id}/answers", json={"content": "x" * 501})
        assert response.status_code == 413 and "500" in response.json()["detail"]
        assert client.post(f"/api/sessions/{session_id}/answers", json={"content": "word " * 100}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        "Gradient descent 🚀🔥 converges; 👩🏽‍🔬 says so 🇫🇷.",
        "الاحتمال هو دالة المعلمات \u200fθ\u200f given the data",  # right-to-left, with marks
        "最大似然估计: 似然函数 L(θ) = p(x|θ)。 勾配降下法も。 경사 하강법.",
        "Combining: e\u0301 (decomposed) and é (composed) stay as sent; zero\u200bwidth too.",
    ],
)
def test_any_script_is_stored_and_returned_intact(client: TestClient, text: str) -> None:
    session_id = start(client)
    body = client.post(f"/api/sessions/{session_id}/answers", json={"content": text}).json()
    assert body["answer"]["content"] == text
    stored = client.get(f"/api/sessions/{session_id}").json()["turns"][1]["content"]
    assert stored == text and stored.encode("utf-8") == text.encode("utf-8")
    report = client.get(f"/api/sessions/{session_id}/report?format=md")
    assert report.status_code == 200


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("personas/technical-ml.yaml", lambda d: d["questions"][2]["text"].pop("fr"), "questions.2.text.fr: Field required"),
        ("rubrics/manager-fit.yaml", lambda d: d["criteria"][0].update(weight=0.9), "weights must add up to 1.0"),
    ],
)
def test_a_malformed_catalog_stops_serve_naming_file_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, change, expected: str  # type: ignore[no-untyped-def]
) -> None:
    for folder in ("personas", "rubrics"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    data = yaml.safe_load((tmp_path / file).read_text())
    change(data)
    (tmp_path / file).write_text(yaml.safe_dump(data, allow_unicode=True))
    monkeypatch.setenv("INTERVIEWER_PERSONAS_DIR", str(tmp_path / "personas"))
    monkeypatch.setenv("INTERVIEWER_RUBRICS_DIR", str(tmp_path / "rubrics"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    served: list[object] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: served.append(a))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["serve", "--port", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1 and not served, result.output
    assert str(tmp_path / file) in result.output and expected in result.output
