"""The `interviewer` command as a candidate uses it in a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli import main
from interviewer.settings import get_settings


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_help_imports_no_model_library_or_web_stack() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from interviewer.cli import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "heavy = [m for m in ('litellm', 'fastapi', 'sqlmodel', 'uvicorn') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_personas_list_show_and_validate(runner: CliRunner) -> None:
    listed = runner.invoke(main, ["personas", "list"])
    assert listed.exit_code == 0
    assert all(p in listed.output for p in ("recruiter-screen", "technical-ml", "manager-fit", "takehome-review"))
    shown = runner.invoke(main, ["personas", "show", "takehome-review"])
    assert shown.exit_code == 0 and "Rubric takehome-review" in shown.output
    assert runner.invoke(main, ["personas", "show", "nobody"]).exit_code != 0
    validated = runner.invoke(main, ["personas", "validate"])
    assert validated.exit_code == 0 and "OK: 4 personas, 4 rubrics" in validated.output


def test_validate_reports_a_broken_file_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    personas, rubrics = tmp_path / "p", tmp_path / "r"
    personas.mkdir(), rubrics.mkdir()
    (personas / "x.yaml").write_text("id: x\nname: X\n")
    result = runner.invoke(main, ["personas", "validate", str(personas), str(rubrics)])
    assert result.exit_code == 1
    assert "x.yaml" in result.output and "role: Field required" in result.output


def test_chat_runs_a_round_and_prints_the_report(runner: CliRunner) -> None:
    answers = "\n\n".join(
        ["I am a master's student in machine learning, I built a retrieval system that cut latency by 40%."] * 30
    )
    result = runner.invoke(main, ["chat", "--persona", "recruiter-screen"], input=answers + "\n\n")
    assert result.exit_code == 0, result.output
    assert "# Mock interview report" in result.output
    assert "interviewer report " in result.output
    session_id = result.output.split("interviewer report ")[1].split()[0]

    listed = runner.invoke(main, ["sessions", "list"])
    assert session_id in listed.output and "recruiter-screen" in listed.output
    report = runner.invoke(main, ["report", session_id, "--format", "json"])
    assert json.loads(report.output)["session"]["id"] == session_id


def test_chat_end_command_stops_early_and_still_reports(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat", "--persona", "technical-ml", "--lang", "fr"], input="Une réponse courte.\n\n/end\n\n")
    assert result.exit_code == 0, result.output
    assert "Mock interview report" in result.output
    assert "1." in result.output


def test_chat_with_unknown_persona_says_which_exist(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat", "--persona", "astrologer"])
    assert result.exit_code != 0 and "valid ids" in result.output


def test_report_of_unknown_session_fails_cleanly(runner: CliRunner) -> None:
    result = runner.invoke(main, ["report", "missing"])
    assert result.exit_code != 0 and "no session 'missing'" in result.output


def test_chat_streams_from_a_configured_model(runner: CliRunner, fake_openai, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tests.fake_models import API_BASE

    for name, value in {"INTERVIEWER_MODEL": "openai/gpt-4o-mini", "INTERVIEWER_API_BASE": API_BASE,
                        "INTERVIEWER_API_KEY": "sk-test", "INTERVIEWER_MODEL_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = runner.invoke(main, ["chat", "--persona", "recruiter-screen"], input="I am a master's student in ML.\n\n/end\n")
    assert result.exit_code == 0, result.output
    assert len(fake_openai.interviewer_requests) == 2
    assert all(r["stream"] for r in fake_openai.interviewer_requests)
    assert fake_openai.judge_requests, "the answer was judged by the model before the report"
    listed = runner.invoke(main, ["sessions", "list"])
    assert "openai/gpt-4o-mini" in listed.output and "$0.0" in listed.output


def test_chat_keeps_the_answer_when_the_model_fails_and_retries(runner: CliRunner, fake_openai, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from tests.fake_models import API_BASE

    for name, value in {"INTERVIEWER_MODEL": "openai/gpt-4o-mini", "INTERVIEWER_API_BASE": API_BASE,
                        "INTERVIEWER_API_KEY": "sk-test", "INTERVIEWER_MODEL_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    fake_openai.fail_next(None, httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}))
    result = runner.invoke(main, ["chat", "--persona", "technical-ml"], input="My answer about likelihood.\n\ny\n/end\n")
    assert result.exit_code == 0, result.output
    assert "Your answer is saved. Retry the reply?" in result.output
    report = result.output.split("# Mock interview report")[1]
    assert "My answer about likelihood." in report
