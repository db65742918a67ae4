"""Every shipped round, played end to end through the API with the offline model: strong answers
earn higher criterion scores than weak ones, weak answers draw follow-ups, and everything is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from interviewer.assessment.scoring import criteria_for
from interviewer.catalog.loading import Catalog

from tests.support.interviews import play, strong_candidate, weak_candidate

ROUNDS = ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]


def _check_transcript(session: dict) -> None:
    turns = session["turns"]
    assert [t["seq"] for t in turns] == list(range(1, len(turns) + 1))
    roles = [t["role"] for t in turns]
    assert roles[::2] == ["interviewer"] * len(roles[::2]) and roles[1::2] == ["candidate"] * len(roles[1::2])
    kinds = [t["kind"] for t in turns]
    assert kinds[-3:] == ["closing", "candidate_question", "farewell"]
    assert session["status"] == "ended"


@pytest.mark.parametrize("persona_id", ROUNDS)
def test_strong_and_weak_candidates_through_a_whole_round(client: TestClient, catalog: Catalog, persona_id: str) -> None:
    strong = play(client, persona_id, strong_candidate(catalog, persona_id))
    weak = play(client, persona_id, weak_candidate)
    for session in (strong, weak):
        _check_transcript(session)

    persona = catalog.persona(persona_id)
    weak_follow_ups = [t for t in weak["turns"] if t["kind"] == "follow_up"]
    strong_follow_ups = [t for t in strong["turns"] if t["kind"] == "follow_up"]
    assert weak_follow_ups, "weak answers must draw follow-ups"
    assert len(strong_follow_ups) < len(weak_follow_ups)
    lead_ins = {lead.en.split("{")[0] for lead in [*persona.lead_ins.hedge, *persona.lead_ins.too_short]}
    assert any(any(t["content"].startswith(lead) for lead in lead_ins) for t in weak_follow_ups)
    probes = [t["content"] for t in weak_follow_ups]
    assert len(probes) == len(set(probes)), "never the same follow-up twice"
    per_question: dict[str, int] = {}
    for t in weak_follow_ups:
        per_question[t["question_id"]] = per_question.get(t["question_id"], 0) + 1
    assert max(per_question.values()) <= persona.max_follow_ups_per_question

    strong_report = client.get(f"/api/sessions/{strong['id']}/report").json()
    weak_report = client.get(f"/api/sessions/{weak['id']}/report").json()
    strong_scores = {c["id"]: c["score"] for c in strong_report["criteria"]}
    weak_scores = {c["id"]: c["score"] for c in weak_report["criteria"]}
    # Criteria the offline scorer cannot judge are reported as not assessed, not scored.
    assert set(strong_scores) == {c.id for c in catalog.rubric_for(persona).criteria if c.offline != "not_assessed"}
    for criterion_id, score in weak_scores.items():
        assert score < strong_scores[criterion_id], criterion_id
    assert strong_report["overall"]["score"] >= 3.5 > 2.0 >= weak_report["overall"]["score"]
    assert strong_report["strengths"] and weak_report["improvements"]
    rubric = catalog.rubric_for(persona)
    for q in strong_report["questions"]:
        # A question whose criteria are all judged only by a model (code quality) has no offline score.
        assessable = [c for c in criteria_for(persona.question(q["question_id"]), rubric) if c.offline != "not_assessed"]
        assert q["answered"] and (bool(q["scores"]) == bool(assessable))
        said = "\n".join(t["content"] for t in strong["turns"] if t["role"] == "candidate" and t["question_id"] == q["question_id"])
        for s in q["scores"]:
            assert s["evidence"] and all(quote in said for quote in s["evidence"])


def test_manager_fit_in_french_asks_one_question_in_english(client: TestClient, catalog: Catalog) -> None:
    session = play(client, "manager-fit", strong_candidate(catalog, "manager-fit"), language="fr")
    switched = [t for t in session["turns"] if t["kind"] == "language_switch"]
    assert len(switched) == 1 and switched[0]["language"] == "en"
    announce = catalog.persona("manager-fit").language_switch.announce.fr  # type: ignore[union-attr]
    assert announce in switched[0]["content"]
    others = [t for t in session["turns"] if t["role"] == "interviewer" and t["question_id"] not in (None, switched[0]["question_id"])]
    assert all(t["language"] == "fr" for t in others)
    answer = next(t for t in session["turns"] if t["seq"] == switched[0]["seq"] + 1)
    assert answer["language"] == "en"
