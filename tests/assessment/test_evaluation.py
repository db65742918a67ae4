"""The scorer evaluations: statistics, input checks, the injected quality function, and both
`interviewer eval` commands on the shipped data (community DSI answers, project-graded answers)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from interviewer.assessment import evaluation
from interviewer.cli.main import main

from interviewer.assessment.evaluation import GradedAnswer
from interviewer.assessment.text import words

from tests.support.fake_models import API_BASE, FakeOpenAI

GRADED = Path(str(resources.files("interviewer.data").joinpath("graded_answers.jsonl")))


def final_values(output: str) -> dict[str, float]:
    """The machine-readable last line: key=value pairs."""
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", output.strip().splitlines()[-1])}


def test_correlations_match_hand_computed_values() -> None:
    assert evaluation.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert evaluation.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert evaluation.pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert evaluation.pearson([1, 1, 1], [1, 2, 3]) is None
    # Monotone but not linear: Spearman sees a perfect order.
    assert evaluation.spearman([1, 2, 3, 4], [1, 10, 100, 1000]) == pytest.approx(1.0)
    assert evaluation.average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]


def test_pairwise_agreement_counts_only_same_question_pairs_far_enough_apart() -> None:
    items = [
        GradedAnswer(question="a", answer="x", score=5), GradedAnswer(question="a", answer="y", score=1),
        GradedAnswer(question="a", answer="z", score=4), GradedAnswer(question="b", answer="w", score=0),
    ]
    # Pairs (5,1) and (4,1) qualify at a gap of 2; (5,4) is too close; question b pairs with nothing.
    assert evaluation.pairwise_agreement(items, [0.9, 0.1, 0.2, 0.5], min_gap=2) == (2, 1.0)
    assert evaluation.pairwise_agreement(items, [0.1, 0.9, 0.2, 0.5], min_gap=2) == (2, 0.0)
    # A tie is half right: the scorer did not tell the answers apart.
    assert evaluation.pairwise_agreement(items, [0.5, 0.5, 0.5, 0.5], min_gap=2) == (2, 0.5)


def test_graded_files_are_checked_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "grades.jsonl"
    path.write_text('{"question": "q", "reference_answer": null, "answer": "a", "score": 3}\n{"question": "q"}\n')
    with pytest.raises(evaluation.EvaluationError, match=r"grades.jsonl:2: answer: Field required"):
        evaluation.load_graded(path, scale=(0, 5))
    path.write_text('{"question": "q", "answer": "a", "score": 7}\n')
    with pytest.raises(evaluation.EvaluationError, match=r":1: score 7 is outside the scale 0-5"):
        evaluation.load_graded(path, scale=(0, 5))
    assert evaluation.load_graded(path, scale=(1, 10))[0].score == 7


def test_shipped_graded_answers_are_varied_and_on_the_default_scale() -> None:
    items = evaluation.load_graded(GRADED, scale=(0, 5))
    by_question: dict[str, set[float]] = {}
    for item in items:
        by_question.setdefault(item.question, set()).add(item.score)
    assert len(items) >= 40 and len(by_question) >= 8
    assert all(len(scores) >= 4 for scores in by_question.values()), "each question needs good and bad answers"


def test_weakened_answers_are_what_the_ranking_promises() -> None:
    bank = evaluation.load_question_bank()
    assert len(bank) == 152
    weakened = dict(evaluation.weakened_answers(bank, 0))
    reference = bank[0].reference_answer
    assert reference.startswith(weakened["first_sentence"]) and weakened["first_sentence"] != reference
    assert weakened["padded"].startswith(reference) and len(words(weakened["padded"])) >= 2 * len(words(reference))
    assert weakened["other_answer"] != reference and weakened["dont_know"] == "I don't know."
    # Filler varies: no sentence is repeated to reach the length.
    filler = weakened["padded"][len(reference):]
    assert len(set(filler.split(". "))) == len(filler.split(". "))


def test_adversarial_variants_say_the_contrary_or_only_name_words() -> None:
    from interviewer.assessment.adversarial import negate, negate_sentence

    assert negate_sentence("Regularisation increases the bias.") == "Regularisation decreases the bias."
    assert negate_sentence("The model can overfit.") == "The model cannot overfit."
    assert negate_sentence("Dropout turns off neurons.") == "Dropout does not turn off neurons."
    bank = evaluation.load_question_bank()
    weakened = dict(evaluation.weakened_answers(bank, 3))
    reference = bank[3].reference_answer
    assert weakened["negated"] == negate(reference) != reference
    half = words(weakened["half"])
    assert half == words(reference)[: len(half)] and len(half) < len(words(reference))
    assert set(words(weakened["keywords"])) <= set(words(reference))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_eval_ranking_on_the_dsi_bank_clears_the_bar(runner: CliRunner) -> None:
    result = runner.invoke(main, ["eval", "ranking"])
    assert result.exit_code == 0, result.output
    assert final_values(result.output)["accuracy"] >= 0.95
    per_kind = {m[0]: (int(m[1]), float(m[2])) for m in re.findall(r"^(\w[\w-]*)\s+(\d+)\s+([0-9.]+)", result.output, re.M)}
    assert set(per_kind) == {*evaluation.WEAKENINGS, "all", "length-matched"}
    # Padding never fools the scorer: every padded reference scores below the reference itself.
    assert per_kind["padded"] == (152, 1.0)
    assert all(accuracy >= 0.9 for _, accuracy in per_kind.values())
    assert per_kind["length-matched"][0] >= 100
    assert per_kind["negated"][1] >= 0.95
    # Saying half of it right beats saying all of it wrong, or only naming its words.
    below_half = {m[0]: float(m[1]) for m in re.findall(r"^half > (\w+)\s+\d+\s+([0-9.]+)", result.output, re.M)}
    assert below_half.keys() == {"negated", "keywords"} and all(v >= 0.85 for v in below_half.values())


def test_eval_scorer_on_the_project_graded_answers(runner: CliRunner) -> None:
    result = runner.invoke(main, ["eval", "scorer", str(GRADED)])
    assert result.exit_code == 0, result.output
    assert "answers: 48" in result.output and "spearman:" in result.output
    values = final_values(result.output)
    # Floors just under the measured figures (README): a regression guard, not a claim of quality.
    assert values["pairwise"] >= 0.85 and values["pearson"] >= 0.65
    assert "pairwise at margin 1:" in result.output and "pairwise at margin 2:" in result.output
    calibration = re.findall(r"^\s+(\d+) ->\s+(\d+) answers, mean ([0-9.]+)", result.output, re.M)
    means = [float(m[2]) for m in calibration]
    assert len(calibration) == 6 and means[0] < means[-1]


def test_eval_scorer_by_kind(runner: CliRunner, tmp_path: Path) -> None:
    reference = "Dropout turns off each neuron with probability p during training, so the network cannot rely on a few neurons."
    rows = [
        {"question": "What is dropout?", "reference_answer": reference, "answer": answer, "score": score, "kind": kind}
        for answer, score, kind in [
            (reference, 5, "reference"),
            ("Dropout turns off each neuron with probability p during training.", 3, "half"),
            ("Dropout does not turn off each neuron with probability p during training, so the network can rely on a few neurons.", 0, "negated"),
        ]
    ]
    graded = tmp_path / "kinds.jsonl"
    graded.write_text("\n".join(json.dumps(r) for r in rows))
    result = runner.invoke(main, ["eval", "scorer", str(graded), "--by-kind"])
    assert result.exit_code == 0, result.output
    rows_out = dict(re.findall(r"^(\w+ vs \w+)\s+\d+\s+([0-9.]+)", result.output, re.M))
    assert rows_out["half vs negated"] == "1.000" and rows_out["negated vs reference"] == "1.000"


def test_eval_scorer_reports_a_bad_file_and_a_bad_scale(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    result = runner.invoke(main, ["eval", "scorer", str(bad)])
    assert result.exit_code != 0 and "bad.jsonl:1" in result.output
    result = runner.invoke(main, ["eval", "scorer", str(GRADED), "--scale", "1", "10"])
    assert result.exit_code != 0 and "outside the scale 1-10" in result.output


def test_a_model_judge_is_evaluated_through_the_same_commands(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_openai: FakeOpenAI
) -> None:
    from interviewer.ops.settings import get_settings

    monkeypatch.setenv("INTERVIEWER_API_BASE", API_BASE)
    monkeypatch.setenv("INTERVIEWER_API_KEY", "sk-test")
    monkeypatch.setenv("INTERVIEWER_MODEL_RETRIES", "0")
    get_settings.cache_clear()
    graded = tmp_path / "graded.jsonl"
    rows = [
        {"question": "What is a likelihood?", "reference_answer": "The probability of the data given the parameters.", "answer": text, "score": score}
        for text, score in [("I don't know.", 0), ("It is the probability of the observed data seen as a function of the parameters, "
                            "which we maximise to estimate them; with independent samples it is a product, so we maximise its log.", 5)]
    ]
    graded.write_text("\n".join(json.dumps(r) for r in rows))
    try:
        result = runner.invoke(main, ["eval", "scorer", str(graded), "--model", "openai/gpt-4o-mini"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert len(fake_openai.judge_requests) == 2
    system = fake_openai.judge_requests[0]["messages"][0]["content"]
    assert "The probability of the data given the parameters." in system and "answer_quality" in system
    assert final_values(result.output) == {"pairwise": 1.0, "pearson": 1.0}
