"""`interviewer eval interviewer`: whole rounds with simulated candidates, and the figures it prints."""

from __future__ import annotations

import json
import re

import httpx
import respx
from click.testing import CliRunner

from interviewer.assessment import candidates
from interviewer.catalog.loading import Catalog
from interviewer.cli import simulation
from interviewer.cli.main import main

from tests.support.fake_models import API_BASE, OPENAI_URL, openai_completion, request_json


def test_eval_interviewer_ranks_the_profiles_and_prints_the_line_ci_reads(runner: CliRunner) -> None:
    # CI runs it on a small N: one run of the five profiles on one round.
    result = runner.invoke(main, ["eval", "interviewer", "--persona", "recruiter-screen", "--runs", "1"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    persona_line = next(line for line in lines if line.startswith("recruiter-screen:"))
    spearman = float(re.search(r"spearman=([-\d.]+)", persona_line).group(1))  # type: ignore[union-attr]
    assert spearman >= 0.8, persona_line
    assert "questions/round=" in persona_line and "contradictions=0.00" in persona_line
    assert re.fullmatch(r"spearman=[-\d.]+ relevance=[\d.]+ repetition=([\d.]+|n/a)", lines[-1]), lines[-1]


def test_unknown_persona_is_refused_with_the_valid_ids(runner: CliRunner) -> None:
    result = runner.invoke(main, ["eval", "interviewer", "--persona", "astrologer"])
    assert result.exit_code == 2 and "technical-ml" in result.output


def test_profiles_are_built_from_the_rubric_and_differ_in_content(catalog: Catalog) -> None:
    persona = catalog.persona("technical-ml")
    rubric = catalog.rubric_for(persona)
    turn = candidates.Turn("question", "tml-bias-variance", "en", "What is the bias-variance trade-off?")
    expert = candidates.answer(persona, rubric, "expert", turn, run=0, turn_number=1)
    partial = candidates.answer(persona, rubric, "partial", turn, run=0, turn_number=1)
    hedging = candidates.answer(persona, rubric, "hedging", turn, run=0, turn_number=1)
    off_topic = candidates.answer(persona, rubric, "off_topic", turn, run=0, turn_number=1)
    assert rubric.questions["tml-bias-variance"].reference_answer.split(".")[0] in expert  # type: ignore[union-attr]
    assert len(expert) > len(partial) > len(hedging)
    assert off_topic not in expert and "bias" not in off_topic.lower()[:40]
    assert candidates.answer(persona, rubric, "expert", turn, run=0, turn_number=1) == expert, "reproducible"


def test_transcript_figures_count_take_ups_openings_and_contradictions() -> None:
    turns = [
        {"role": "interviewer", "kind": "question", "question_id": "q", "language": "en", "content": "Tell me about a project."},
        {"role": "candidate", "kind": "answer", "question_id": "q", "language": "en", "content": "I built a churn model with XGBoost; AUC went up by 12%."},
        {"role": "interviewer", "kind": "follow_up", "question_id": "q", "language": "en", "content": "What was the measurable outcome?"},
        {"role": "candidate", "kind": "answer", "question_id": "q", "language": "en", "content": "Retention improved for the telecom operator."},
        {"role": "interviewer", "kind": "follow_up", "question_id": "q", "language": "en", "content": "Why XGBoost for the telecom data?"},
    ]
    figures = simulation.round_figures(turns)
    assert (figures.follow_ups, figures.taken_up, figures.contradictions, figures.questions) == (2, 1, 1, 1)
    assert figures.repetition is None, "two follow-ups are too few to speak of a quarter"


def _candidate_server(router: respx.MockRouter) -> list[dict]:
    """A model that plays the candidate in the OpenAI wire format, answering by the level on its card."""
    seen: list[dict] = []

    def reply(request: httpx.Request) -> httpx.Response:
        body = request_json(request)
        seen.append(body)
        card = body["messages"][0]["content"]
        assert card.startswith("You are a candidate in a mock interview")
        strong = "in depth" in card or "most topics well" in card
        message = (
            "I built a churn prediction model with gradient boosting over logistic regression; it reached 0.91 AUC, "
            "and I am currently a master student looking for an internship in machine learning."
            if strong else "I don't know."
        )
        return httpx.Response(200, json=openai_completion(json.dumps({"message": message})))

    router.post(OPENAI_URL).mock(side_effect=reply)
    return seen


def test_a_model_can_play_the_candidate_from_a_profile_card(no_network: respx.MockRouter, catalog: Catalog) -> None:
    seen = _candidate_server(no_network)
    results = simulation.evaluate(
        persona_ids=["recruiter-screen"], runs=1, candidate_model="openai/gpt-4o-mini",
        settings_update={"api_base": API_BASE, "api_key": "sk-test", "model_retries": 0},
    )
    figures = results[0]
    assert len(figures.rounds) == 5 and seen
    # The interviewer's words reach the candidate model as the other side of the conversation.
    assert any(m["role"] == "user" for m in seen[-1]["messages"][1:])
    by_level = dict(zip(figures.levels, figures.scores, strict=False))
    assert by_level[5] > by_level[1]
