"""`interviewer loop start|next|list` (issue 18): a whole loop in the terminal, offline."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from interviewer.cli.main import main
from interviewer.ops.settings import PROJECT_ROOT

TAKEHOME = PROJECT_ROOT / "examples" / "takehomes" / "rl-agent.md"


def loop_id_of(output: str) -> str:
    return output.split("Loop ", 1)[1].split()[0]


def test_a_loop_in_the_terminal_round_after_round(runner: CliRunner, tmp_path: Path) -> None:
    cv = tmp_path / "cv.md"
    cv.write_text("Master's student; a DQN agent for a warehouse robot, trained in PyTorch.")
    started = runner.invoke(
        main, ["loop", "start", "--rounds", "technical-ml,manager-fit", "--lang", "fr", "--cv", str(cv), "--takehome", str(TAKEHOME)],
        input="Je ne sais pas trop.\n/send\nJe ne sais pas.\n/send\n/end\n",
    )
    assert started.exit_code == 0, started.output
    loop_id = loop_id_of(started.output)
    assert "Round 1 of 2: Dr. Lena Weiss" in started.output
    assert "Round 1 ended; it left" in started.output and "Peu d'éléments sur" in started.output
    assert f"Next round: interviewer loop next {loop_id}" in started.output

    second = runner.invoke(main, ["loop", "next", loop_id], input="/end\n")
    assert second.exit_code == 0, second.output
    assert "Round 2 of 2: Julien Mercier" in second.output
    # The manager takes up the technical round's note before the first question, in French.
    assert "Dr. Lena Weiss m'a laissé une note" in second.output
    assert f"The debrief: interviewer loop debrief {loop_id}" in second.output

    again = runner.invoke(main, ["loop", "next", loop_id])
    assert again.exit_code == 1 and "all 2 rounds" in again.output and "no next round" in again.output

    listed = runner.invoke(main, ["loop", "list"])
    assert listed.exit_code == 0 and loop_id in listed.output and "done" in listed.output
    assert listed.output.count("ended") == 2


def test_loop_start_refuses_an_unknown_round(runner: CliRunner) -> None:
    result = runner.invoke(main, ["loop", "start", "--rounds", "technical-ml,astrologer"])
    assert result.exit_code == 1
    assert "rounds[1]: unknown persona 'astrologer'; valid ids:" in result.output


def test_loop_list_says_how_to_start(runner: CliRunner) -> None:
    result = runner.invoke(main, ["loop", "list"])
    assert result.exit_code == 0 and "interviewer loop start" in result.output


def test_loop_debrief_in_the_terminal(runner: CliRunner, tmp_path: Path) -> None:
    started = runner.invoke(main, ["loop", "start", "--rounds", "recruiter-screen,technical-ml", "--lang", "fr"],
                            input="Je ne sais pas trop.\n/send\n/end\n")
    assert started.exit_code == 0, started.output
    loop_id = loop_id_of(started.output)

    partial = runner.invoke(main, ["loop", "debrief", loop_id])
    assert partial.exit_code == 0, partial.output
    assert partial.output.startswith("# Bilan de la boucle") and "Bilan partiel : tours terminés : 1 sur 2" in partial.output
    assert "| pas commencé |" in partial.output

    page = tmp_path / "debrief.html"
    saved = runner.invoke(main, ["loop", "debrief", loop_id, "--format", "html", "-o", str(page)])
    assert saved.exit_code == 0 and "<svg" in page.read_text() and 'lang="fr"' in page.read_text()
    as_json = runner.invoke(main, ["loop", "debrief", loop_id, "--format", "json"])
    assert '"persona_id": "technical-ml"' in as_json.output and '"complete": false' in as_json.output

    missing = runner.invoke(main, ["loop", "debrief", "nope"])
    assert missing.exit_code == 1 and "no loop 'nope'" in missing.output
