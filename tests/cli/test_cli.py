"""The `interviewer` command as a candidate uses it in a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.cli.main import main
from interviewer.ops.settings import get_settings


def test_help_imports_no_model_library_or_web_stack() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from interviewer.cli.main import main; "
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
    # Phrases read as less than they say are warnings, not errors: the rounds still load.
    assert "phrase warnings" in validated.output and "not read (one-letter words and digits are skipped)" in validated.output


def test_validate_reports_a_broken_file_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    personas, rubrics = tmp_path / "p", tmp_path / "r"
    personas.mkdir(), rubrics.mkdir()
    (personas / "x.yaml").write_text("id: x\nname: X\n")
    result = runner.invoke(main, ["personas", "validate", str(personas), str(rubrics)])
    assert result.exit_code == 1
    assert "x.yaml" in result.output and "role: Field required" in result.output


PARAGRAPHS = (
    "I am a master's student in machine learning, I built a retrieval system that cut latency by 40%.\n"
    "\n"
    "Before that, my internship was about ranking models for recommendation."
)


def test_chat_sends_pasted_paragraphs_whole_and_renders_the_report_for_a_terminal(runner: CliRunner) -> None:
    # A blank line inside an answer no longer sends it: /send does.
    answers = "\n/send\n".join([PARAGRAPHS] * 30)
    result = runner.invoke(main, ["chat", "--persona", "recruiter-screen"], input=answers + "\n/send\n")
    assert result.exit_code == 0, result.output
    assert "/send" in result.output.split("\n")[1], "the first screen says how to send an answer"
    assert "Mock interview report" in result.output
    assert "|---|" not in result.output and "# Mock" not in result.output, "rich renders tables and headings, not raw Markdown"
    session_id = result.output.split("interviewer report ")[1].split()[0]

    listed = runner.invoke(main, ["sessions", "list"])
    assert session_id in listed.output and "recruiter-screen" in listed.output
    report = json.loads(runner.invoke(main, ["report", session_id, "--format", "json"]).output)
    assert report["session"]["id"] == session_id
    assert _answers(session_id)[0] == PARAGRAPHS, "the second paragraph was stored with the first"


def test_chat_end_command_stops_early_and_reports_an_unfinished_round(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat", "--persona", "technical-ml", "--lang", "fr"], input="Une réponse courte.\n/send\n/end\n")
    assert result.exit_code == 0, result.output
    assert "Mock interview report" in result.output
    assert "unfinished: 1 of" in result.output


def _answers(session_id: str) -> list[str]:
    from interviewer.cli.common import open_db, load_settings
    from interviewer.storage import queries

    with open_db(load_settings()) as db:
        return [t.content for t in queries.list_turns(db=db, session_id=session_id) if t.role == "candidate"]


def _typing(monkeypatch: pytest.MonkeyPatch, keys: list[str | type[BaseException]]) -> list[str]:
    """Lines the candidate types; an exception class is that key (KeyboardInterrupt: Ctrl-C).
    Returns the prompts shown, as the candidate saw them."""
    pending = list(keys)
    prompts: list[str] = []

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        if not pending:
            raise EOFError
        key = pending.pop(0)
        if isinstance(key, str):
            return key
        raise key()

    monkeypatch.setattr("builtins.input", fake_input)
    return prompts


def test_ctrl_c_asks_to_end_or_resume_and_loses_nothing(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    prompts = _typing(monkeypatch, [
        "My first answer about maximum likelihood estimation.", KeyboardInterrupt, "r",
        "and its link with cross-entropy.", "/send",
        KeyboardInterrupt, "e",
    ])
    result = runner.invoke(main, ["chat", "--persona", "technical-ml"])
    assert result.exit_code == 0, result.output
    assert "Aborted" not in result.output
    assert sum("End the round now and see the report (e), or resume (r)?" in p for p in prompts) == 2
    assert "Mock interview report" in result.output
    session_id = result.output.split("interviewer report ")[1].split()[0]
    report = json.loads(runner.invoke(main, ["report", session_id, "--format", "json"]).output)
    assert report["session"]["status"] == "ended"
    assert _answers(session_id) == ["My first answer about maximum likelihood estimation.\nand its link with cross-entropy."], (
        "the draft survived the pause"
    )


def test_a_second_ctrl_c_leaves_the_round_open_and_resume_continues_it(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    _typing(monkeypatch, ["A first answer on likelihood and its logarithm.", "/send", KeyboardInterrupt, KeyboardInterrupt])
    paused = runner.invoke(main, ["chat", "--persona", "technical-ml"])
    assert paused.exit_code == 130, paused.output
    assert "interviewer chat --resume" in paused.output
    session_id = paused.output.split("interviewer chat --resume ")[1].split()[0]
    last_reply = paused.output.split("Lena Weiss: ")[-1].split("\n")[0]

    _typing(monkeypatch, ["/end"])
    resumed = runner.invoke(main, ["chat", "--resume", session_id])
    assert resumed.exit_code == 0, resumed.output
    assert "(resumed)" in resumed.output and last_reply[:40] in resumed.output
    assert "Mock interview report" in resumed.output
    again = runner.invoke(main, ["chat", "--resume", session_id])
    assert again.exit_code != 0 and "has ended" in again.output


def test_chat_needs_a_persona_or_a_session_to_resume(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat"])
    assert result.exit_code == 2 and "--persona" in result.output and "--resume" in result.output


def test_chat_with_unknown_persona_says_which_exist(runner: CliRunner) -> None:
    result = runner.invoke(main, ["chat", "--persona", "astrologer"])
    assert result.exit_code != 0 and "valid ids" in result.output


def test_report_of_unknown_session_fails_cleanly(runner: CliRunner) -> None:
    result = runner.invoke(main, ["report", "missing"])
    assert result.exit_code != 0 and "no session 'missing'" in result.output


def test_chat_streams_from_a_configured_model(runner: CliRunner, fake_openai, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from tests.support.fake_models import API_BASE

    for name, value in {"INTERVIEWER_MODEL": "openai/gpt-4o-mini", "INTERVIEWER_API_BASE": API_BASE,
                        "INTERVIEWER_API_KEY": "sk-test", "INTERVIEWER_MODEL_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    result = runner.invoke(main, ["chat", "--persona", "recruiter-screen"], input="I am a master's student in ML.\n/send\n/end\n")
    assert result.exit_code == 0, result.output
    assert len(fake_openai.interviewer_requests) == 2
    assert all(r["stream"] for r in fake_openai.interviewer_requests)
    assert fake_openai.judge_requests, "the answer was judged by the model before the report"
    listed = runner.invoke(main, ["sessions", "list"])
    assert "openai/gpt-4o-mini" in listed.output and "$0.0" in listed.output


def test_chat_keeps_the_answer_when_the_model_fails_and_retries(runner: CliRunner, fake_openai, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from tests.support.fake_models import API_BASE

    for name, value in {"INTERVIEWER_MODEL": "openai/gpt-4o-mini", "INTERVIEWER_API_BASE": API_BASE,
                        "INTERVIEWER_API_KEY": "sk-test", "INTERVIEWER_MODEL_RETRIES": "0"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    fake_openai.fail_next(None, httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}}))
    result = runner.invoke(main, ["chat", "--persona", "technical-ml"], input="My answer about likelihood.\n/send\ny\n/end\n")
    assert result.exit_code == 0, result.output
    assert "Your answer is saved. Retry the reply?" in result.output
    report = result.output.split("Mock interview report")[1]
    assert "My answer about likelihood." in report
