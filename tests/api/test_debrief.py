"""Issue 18's debrief, through the API with no model: a four-round loop with a dossier, the
debrief in JSON, Markdown and HTML, and a practice plan that starts with the round that went worst."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewer.catalog.loading import Catalog
from interviewer.ops.settings import PROJECT_ROOT

from tests.support.fake_models import FakeOpenAI
from tests.support.interviews import Candidate, strong_candidate, weak_candidate

JOB = "ML engineer internship: train and ship gradient boosting and transformer models for churn prediction."
CV = "Built a churn prediction model with gradient boosting at Acme; developed a transformer classifier for support tickets."
TAKEHOME = (PROJECT_ROOT / "examples" / "takehomes" / "rl-agent.md").read_text()
CLAIM_DEFENCE = (
    "I chose it over the simpler baseline because it learns the return distribution, compared both over five seeds, "
    "and it fails when rewards are sparse, which the ablation shows."
)
# The same project told with different figures to the recruiter and to the manager.
STORIES = {
    "recruiter-screen": "Our churn model reduced customer losses by 40% in six months.",
    "manager-fit": "Our churn model reduced customer losses by 15% in six months.",
}
ROUNDS = ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]


def finish(client: TestClient, session: dict[str, Any], candidate: Candidate, max_turns: int = 80) -> dict[str, Any]:
    """Answer a started round until it ends."""
    turn = session["turns"][-1]
    for i in range(max_turns):
        # The take-home presentation ends when the candidate says so.
        if turn["kind"] == "presentation_more":
            content = "That's all, thank you."
        elif (turn["question_id"] or "").startswith("claim-"):
            # A claim of the take-home, defended (claims are questions of the session, not of the persona).
            content = CLAIM_DEFENCE
        else:
            content = candidate(turn)
        response = client.post(f"/api/sessions/{session['id']}/answers", json={"content": content}, headers={"Idempotency-Key": f"a{i}"})
        assert response.status_code == 200, response.text
        turn = response.json()["reply"]
        if response.json()["status"] == "ended":
            return client.get(f"/api/sessions/{session['id']}").json()
    raise AssertionError("the round did not end")


def run_loop(client: TestClient, catalog: Catalog, *, weak_round: str, language: str = "en") -> str:
    created = client.post("/api/loops", json={"job_description": JOB, "cv": CV, "takehome": TAKEHOME, "language": language})
    assert created.status_code == 201, created.text
    loop = created.json()
    assert [r["persona_id"] for r in loop["rounds"]] == ROUNDS
    for persona_id in ROUNDS:
        started = client.post(f"/api/loops/{loop['id']}/next")
        assert started.status_code == 201, started.text
        session = started.json()
        assert session["loop_id"] == loop["id"] and session["persona_id"] == persona_id
        candidate = weak_candidate if persona_id == weak_round else strong_candidate(catalog, persona_id)
        story = STORIES.get(persona_id)
        finish(client, session, (lambda turn, c=candidate, s=story: f"{c(turn)} {s}") if story else candidate)
    return loop["id"]


@pytest.fixture
def loop_id(client: TestClient, catalog: Catalog) -> str:
    return run_loop(client, catalog, weak_round="technical-ml")


def test_debrief_of_a_whole_loop_in_three_formats(client: TestClient, loop_id: str) -> None:
    fifth = client.post(f"/api/loops/{loop_id}/next")
    assert fifth.status_code == 409, fifth.text

    debrief = client.get(f"/api/loops/{loop_id}/debrief").json()
    assert debrief["complete"] and debrief["status"] == "done" and debrief["partial"] is None
    assert "not a hiring decision" in debrief["disclaimer"]
    rounds = debrief["rounds"]
    assert [r["persona_id"] for r in rounds] == ROUNDS
    assert all(r["status"] == "ended" and r["score"] is not None and r["band"] for r in rounds)
    unscored = [(r["persona_id"], q["question_id"]) for r in rounds for q in r["questions"] if q["answered"] and q["score"] is None]
    # Only code quality is asked with no criterion the offline scorer assesses: its question has no score, not a low one.
    assert {persona for persona, _ in unscored} <= {"takehome-review"}
    assert all(q["question_id"] for r in rounds for q in r["questions"])
    technical = rounds[1]
    assert technical["score"] == min(r["score"] for r in rounds)

    plan = debrief["practice_plan"]
    assert plan and plan[0]["persona_id"] == "technical-ml" and plan[0]["kind"] == "question"
    assert plan[0]["why"].startswith("Your weakest round") and plan[0]["strong_answer"]
    # The candidate's own words, quoted: the weak round's answers were "I don't know, not sure."
    assert plan[0]["quote"] == "I don't know, not sure."
    # The story told with different figures is flagged, quoting both rounds.
    differ = [c for c in debrief["consistency"] if c["kind"] == "figures_differ"]
    assert [(d["rounds"], [q["text"] for q in d["quotes"]]) for d in differ] == [
        (["recruiter-screen", "manager-fit"], [STORIES["recruiter-screen"], STORIES["manager-fit"]])
    ]
    # Criteria the rubrics share are merged, each round's score kept.
    shared = {c["key"]: c for c in debrief["competencies"] if c["shared"]}
    assert {"communication", "depth"} <= set(shared)
    assert {r["persona_id"] for r in shared["communication"]["rounds"]} == {"recruiter-screen", "manager-fit"}

    markdown = client.get(f"/api/loops/{loop_id}/debrief", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "## Practice plan" in markdown.text and all(r["name"] in markdown.text for r in rounds)

    page = client.get(f"/api/loops/{loop_id}/debrief", params={"format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count("<svg") == 2 and "not a hiring decision" in page.text
    assert "<script" not in page.text and "<link" not in page.text and "src=" not in page.text


def test_a_partial_debrief_says_so_and_an_unknown_loop_is_a_404(client: TestClient, catalog: Catalog) -> None:
    created = client.post("/api/loops", json={"language": "fr"}).json()
    started = client.post(f"/api/loops/{created['id']}/next").json()
    finish(client, started, strong_candidate(catalog, "recruiter-screen"))

    debrief = client.get(f"/api/loops/{created['id']}/debrief").json()
    assert not debrief["complete"] and debrief["status"] == "in_progress"
    assert debrief["partial"] == "Bilan partiel : tours terminés : 1 sur 4 ; les tours inachevés sont présentés en l'état."
    assert [r["status"] for r in debrief["rounds"]] == ["ended", "not_started", "not_started", "not_started"]
    assert [r["score"] for r in debrief["rounds"]][1:] == [None, None, None]
    assert "Plan d'entraînement" in client.get(f"/api/loops/{created['id']}/debrief?format=md").text

    missing = client.get("/api/loops/nope/debrief")
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    assert client.get(f"/api/loops/{created['id']}/debrief?format=pdf").status_code == 422


def test_a_loop_that_repeats_a_persona_gets_a_debrief_with_both_rounds(client: TestClient, catalog: Catalog) -> None:
    loop = client.post("/api/loops", json={"rounds": ["technical-ml", "technical-ml"]}).json()
    for candidate in (weak_candidate, strong_candidate(catalog, "technical-ml")):
        finish(client, client.post(f"/api/loops/{loop['id']}/next").json(), candidate)

    response = client.get(f"/api/loops/{loop['id']}/debrief")
    assert response.status_code == 200, response.text
    debrief = response.json()
    assert [r["name"].rsplit(", ", 1)[1] for r in debrief["rounds"]] == ["round 1", "round 2"]
    assert debrief["rounds"][0]["score"] < debrief["rounds"][1]["score"]
    assert debrief["practice_plan"][0]["round_index"] == 0
    assert client.get(f"/api/loops/{loop['id']}/debrief", params={"format": "md"}).status_code == 200


def test_the_debrief_on_a_model_judges_what_is_unscored_first(model_client: TestClient, fake_openai: FakeOpenAI, catalog: Catalog) -> None:
    loop = model_client.post("/api/loops", json={"rounds": ["technical-ml"], "cv": CV}).json()
    for persona_id in ("technical-ml",):
        session = model_client.post(f"/api/loops/{loop['id']}/next").json()
        candidate = strong_candidate(catalog, persona_id)
        turn = session["turns"][-1]
        for i in range(2):
            body = model_client.post(f"/api/sessions/{session['id']}/answers", json={"content": candidate(turn)}, headers={"Idempotency-Key": f"a{i}"}).json()
            turn = body["reply"]
        assert model_client.post(f"/api/sessions/{session['id']}/end").status_code == 200

    debrief = model_client.get(f"/api/loops/{loop['id']}/debrief").json()
    assert debrief["complete"] and all(r["score"] is not None for r in debrief["rounds"])
    # Every answer was judged by the model before the debrief was built from the scores.
    for r in debrief["rounds"]:
        report = model_client.get(f"/api/sessions/{r['session_id']}/report").json()
        assert report["scorer"]["kind"] == "judge"
        assert [q["score"] for q in r["questions"] if q["answered"]] == [
            round(sum(s["score"] for s in q["scores"]) / len(q["scores"]), 2) for q in report["questions"] if q["answered"]
        ]
    assert fake_openai.judge_requests
