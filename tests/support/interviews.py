"""Play whole interviews through the API with scripted candidates."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from interviewer.assessment.scoring import criteria_for
from interviewer.catalog.fields import Language
from interviewer.catalog.loading import Catalog

Candidate = Callable[[dict[str, Any]], str]


def settled(client: TestClient) -> None:
    """Wait until the background work after a turn or an end (scoring, handoff notes) has finished."""
    state = client.app.state  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while (state.scoring.pending or state.reply_tasks) and time.monotonic() < deadline:
        time.sleep(0.01)


def strong_candidate(catalog: Catalog, persona_id: str) -> Candidate:
    """Answers that say what the rubric's key points ask for, with the cues of every criterion."""
    persona = catalog.persona(persona_id)
    rubric = catalog.rubric_for(persona)

    def answer(turn: dict[str, Any]) -> str:
        language: Language = turn["language"]
        question_id = turn["question_id"]
        if question_id is None:
            return "What does a typical week look like for an intern in your team?"
        key = rubric.questions.get(question_id)
        sentences = []
        if key:
            for i, point in enumerate(key.key_points):
                sentences.append(f"Point {i + 1}: {point.phrases(language)[0]}, and I can give a concrete example from my own work.")
            if key.reference_answer and language == "en":
                sentences.append(key.reference_answer)
        for criterion in criteria_for(persona.question(question_id), rubric):
            if criterion.signals:
                cues = criterion.signals.get(language)
                sentences.append(f"On {criterion.name.lower()}: {cues[0]}; also {cues[min(1, len(cues) - 1)]} with 3 figures to back it.")
        return " ".join(sentences)

    return answer


def weak_candidate(turn: dict[str, Any]) -> str:
    if turn["language"] == "fr":
        return "Je ne sais pas trop."
    return "I don't know, not sure."


def play(client: TestClient, persona_id: str, candidate: Candidate, *, language: str = "en", max_turns: int = 80) -> dict[str, Any]:
    created = client.post("/api/sessions", json={"persona_id": persona_id, "language": language})
    assert created.status_code == 201, created.text
    session = created.json()
    turn = session["turns"][-1]
    for i in range(max_turns):
        response = client.post(
            f"/api/sessions/{session['id']}/answers",
            json={"content": candidate(turn)},
            headers={"Idempotency-Key": f"answer-{i}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        turn = body["reply"]
        if body["status"] == "ended":
            break
    else:
        raise AssertionError("the interview did not end")
    return client.get(f"/api/sessions/{session['id']}").json()
