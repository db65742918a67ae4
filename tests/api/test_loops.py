"""Loops through the API with no model: four rounds with one dossier, each session carrying its loop,
a fifth `next` refused, owners as for sessions, and clear errors (issue 18)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from interviewer.api.app import create_app
from interviewer.interview import loops
from interviewer.models import llm
from interviewer.ops import tokens
from interviewer.ops.locks import KeyedLocks
from interviewer.ops.settings import PROJECT_ROOT, Settings
from interviewer.storage import queries
from interviewer.storage import tables
from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI, is_judge
from tests.support.interviews import settled

TAKEHOME = PROJECT_ROOT / "examples" / "takehomes" / "rl-agent.md"
JOB = "Machine-learning intern: reinforcement learning for control, PyTorch, evaluation over several seeds."
CV = "Master's student. Project: a DQN agent for a warehouse robot, trained in PyTorch; internship on anomaly detection."
WEAK = {"en": "I don't know, not sure.", "fr": "Je ne sais pas trop."}


def answer(client: TestClient, session_id: str, text: str, key: str) -> dict[str, Any]:
    response = client.post(f"/api/sessions/{session_id}/answers", json={"content": text}, headers={"Idempotency-Key": key})
    assert response.status_code == 200, response.text
    return response.json()


def create_with_files(client: TestClient, **fields: str) -> Any:
    files = {"takehome": (TAKEHOME.name, TAKEHOME.read_bytes(), "text/markdown")}
    return client.post("/api/loops", data={"job_description": JOB, "cv": CV, **fields}, files=files)


def play_round(client: TestClient, session: dict[str, Any], answers: list[str]) -> None:
    """A few answers, then the round is ended (the report covers what was answered)."""
    for i, text in enumerate(answers):
        if answer(client, session["id"], text, f"{session['id']}-{i}")["status"] == "ended":
            return
    ended = client.post(f"/api/sessions/{session['id']}/end")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"


def test_a_loop_runs_four_rounds_with_one_dossier_and_a_fifth_next_is_refused(client: TestClient) -> None:
    created = create_with_files(client)
    assert created.status_code == 201, created.text
    loop = created.json()
    assert loop["status"] == "not_started"
    assert [r["persona_id"] for r in loop["rounds"]] == ["recruiter-screen", "technical-ml", "manager-fit", "takehome-review"]
    assert all(r["status"] == "not_started" and r["session_id"] is None for r in loop["rounds"])
    assert loop["dossier"] == {"job_description": True, "cv": True, "takehome": True, "takehome_name": "rl-agent.md"}

    sessions = []
    for index in range(4):
        started = client.post(f"/api/loops/{loop['id']}/next")
        assert started.status_code == 201, started.text
        session = started.json()
        assert session["loop_id"] == loop["id"] and session["loop_round"] == index
        assert session["persona_id"] == loop["rounds"][index]["persona_id"]
        sessions.append(session)
        # The technical round goes badly: its thin evidence is what the next interviewer takes up.
        play_round(client, session, [WEAK["en"]] * 3 if index == 1 else ["I led the project end to end and measured it over five seeds."])

    # A later round took up an earlier round's note, in its persona's voice, and the turn records it.
    manager = client.get(f"/api/sessions/{sessions[2]['id']}").json()
    led = [t for t in manager["turns"] if t["handoff_note_id"] is not None]
    assert led, "the manager's round took up no note"
    assert "Lena Weiss" in led[0]["content"] and "did not come through" in led[0]["content"]
    notes = {n["id"]: n for n in client.get(f"/api/loops/{loop['id']}").json()["notes"]}
    taken_up = notes[led[0]["handoff_note_id"]]
    assert taken_up["session_id"] == sessions[1]["id"] and taken_up["kind"] == "thin_evidence"
    assert taken_up["topic"] in led[0]["content"]

    fifth = client.post(f"/api/loops/{loop['id']}/next")
    assert fifth.status_code == 409
    assert "all 4 rounds" in fifth.json()["detail"] and "no next round" in fifth.json()["detail"]

    done = client.get(f"/api/loops/{loop['id']}").json()
    assert done["status"] == "done"
    assert [r["session_id"] for r in done["rounds"]] == [s["id"] for s in sessions]
    assert all(r["status"] == "ended" for r in done["rounds"])
    listed = client.get("/api/sessions").json()
    assert {s["id"]: s["loop_id"] for s in listed if s["loop_id"]} == {s["id"]: loop["id"] for s in sessions}

    # The dossier was stored once and given to every round, as if passed at creation.
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        rows = [queries.get_session(db=db, session_id=s["id"]) for s in sessions]
        assert all(r is not None and r.job_description == JOB and r.cv == CV and r.takehome == TAKEHOME.read_text().strip() for r in rows)
        assert rows[3] is not None and rows[3].claims, "the take-home round read the take-home's claims"


def test_notes_are_derived_when_a_round_ends_and_again_idempotently_at_the_next(client: TestClient) -> None:
    loop = client.post("/api/loops", json={"rounds": ["technical-ml", "manager-fit"], "language": "fr"}).json()
    first = client.post(f"/api/loops/{loop['id']}/next").json()
    play_round(client, first, [WEAK["fr"]] * 2)
    settled(client)  # the end leaves the notes in the background: the End button is not kept waiting
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        at_end = [(n.id, n.kind, n.criterion_id) for n in queries.list_notes(db=db, loop_id=loop["id"])]
    assert any(kind == "thin_evidence" for _, kind, _ in at_end)
    second = client.post(f"/api/loops/{loop['id']}/next").json()
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        again = [(n.id, n.kind, n.criterion_id) for n in queries.list_notes(db=db, loop_id=loop["id"])]
    assert again == at_end, "deriving the notes again kept the same notes and ids"
    opening = second["turns"][0]
    assert opening["handoff_note_id"] in {note_id for note_id, _, _ in at_end}
    assert "Lena Weiss" in opening["content"] and "les éléments ont manqué lors de cet entretien" in opening["content"]
    # The weak point is named in French, with the rubric's French name, never its English one.
    rubric = client.app.state.catalog.rubrics["technical-ml"]  # type: ignore[attr-defined]
    named = [c for c in rubric.criteria if f"« {c.name_fr} »" in opening["content"]]
    assert named and not any(c.name in opening["content"] for c in rubric.criteria if c.name != c.name_fr)


def test_a_round_that_ends_on_its_last_answer_leaves_its_notes(client: TestClient) -> None:
    loop = client.post("/api/loops", json={"rounds": ["recruiter-screen"]}).json()
    session = client.post(f"/api/loops/{loop['id']}/next").json()
    for i in range(60):
        if answer(client, session["id"], WEAK["en"], f"w{i}")["status"] == "ended":
            break
    else:
        raise AssertionError("the round did not end")
    # Left in the background once the answers are scored: the farewell is not kept waiting.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            notes = queries.list_notes(db=db, loop_id=loop["id"])
        if notes:
            break
        time.sleep(0.1)
    assert any(n.kind == "thin_evidence" and n.session_id == session["id"] for n in notes)


def test_end_does_not_wait_for_a_slow_judge_and_the_notes_follow(database_url: str, no_network: respx.MockRouter) -> None:
    """Ending a round answers at once, though its answers still need a judge call each; the
    handoff notes are left in the background once the judge has spoken."""
    fake, judge_may_answer = FakeOpenAI(), threading.Event()

    async def slow_judge(request: httpx.Request) -> httpx.Response:
        # Awaited by the app's event loop: a judge call stalls, the app does not.
        deadline = time.monotonic() + 10
        while is_judge(json.loads(request.content)) and not judge_may_answer.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return fake(request)

    no_network.post(OPENAI_URL).mock(side_effect=slow_judge)
    settings = Settings(database_url=database_url, model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test", model_retries=0, model_timeout=20)
    with TestClient(create_app(settings)) as client:
        loop = client.post("/api/loops", json={"rounds": ["technical-ml", "manager-fit"]}).json()
        first = client.post(f"/api/loops/{loop['id']}/next").json()
        answer(client, first["id"], WEAK["en"], "a0")
        started = time.monotonic()
        ended = client.post(f"/api/sessions/{first['id']}/end")
        took = time.monotonic() - started
        assert ended.status_code == 200 and ended.json()["status"] == "ended"
        assert took < 5, f"End waited {took:.1f}s for the judge"
        judge_may_answer.set()
        settled(client)
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            assert any(n.session_id == first["id"] for n in queries.list_notes(db=db, loop_id=loop["id"]))


def test_next_waits_for_the_round_in_progress(client: TestClient) -> None:
    loop = client.post("/api/loops", json={"rounds": ["recruiter-screen", "manager-fit"]}).json()
    first = client.post(f"/api/loops/{loop['id']}/next").json()
    again = client.post(f"/api/loops/{loop['id']}/next")
    assert again.status_code == 409
    assert "still in progress" in again.json()["detail"] and first["id"] in again.json()["detail"]
    assert client.get(f"/api/loops/{loop['id']}").json()["status"] == "in_progress"


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"rounds": []}, 422, "the list is empty"),
        ({"rounds": ["technical-ml", "astrologer"]}, 422, "rounds[1]: unknown persona 'astrologer'; valid ids: manager-fit"),
        ({"language": "de"}, 422, "language"),
        ({"rounds": ["technical-ml"] * 9}, 422, "over the limit of 8"),
        ({"cv": "x" * 2000}, 413, "cv: 2000 characters is over the limit of 1000"),
        ({"surprise": 1}, 422, "surprise"),
    ],
)
def test_bad_loops_get_a_clear_4xx(database_url: str, body: dict[str, Any], status: int, says: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url, model="offline", max_document_chars=1000))) as client:
        response = client.post("/api/loops", json=body)
    assert response.status_code == status, response.text
    assert says in response.text


def test_a_form_may_name_its_rounds_with_commas(client: TestClient) -> None:
    created = create_with_files(client, rounds="manager-fit, technical-ml", language="fr")
    assert created.status_code == 201, created.text
    assert [r["persona_id"] for r in created.json()["rounds"]] == ["manager-fit", "technical-ml"]
    assert created.json()["language"] == "fr"
    assert created.json()["dossier"]["takehome_name"] == "rl-agent.md"


def test_an_unknown_loop_is_a_404(client: TestClient) -> None:
    assert client.get("/api/loops/nope").status_code == 404
    response = client.post("/api/loops/nope/next")
    assert response.status_code == 404 and response.json()["detail"] == "no loop 'nope'"


def test_next_on_a_round_whose_persona_was_removed_is_a_404_naming_the_valid_ids(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    loop = create_with_files(client, rounds="technical-ml,takehome-review").json()
    # The persona of the next round leaves the catalog after the loop was created (a redeploy).
    monkeypatch.delitem(client.app.state.catalog.personas, "technical-ml")  # type: ignore[attr-defined]
    response = client.post(f"/api/loops/{loop['id']}/next")
    assert response.status_code == 404, response.text
    assert response.json()["detail"].startswith("unknown persona 'technical-ml'; valid ids: ")
    assert "technical-ml" not in response.json()["valid_ids"] and "takehome-review" in response.json()["valid_ids"]


@pytest.fixture
def exposed(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, model="offline", host="0.0.0.0"))) as client:
        yield client


def test_loops_belong_to_their_owner(exposed: TestClient) -> None:
    with Session(exposed.app.state.engine) as db:  # type: ignore[attr-defined]
        alice = tokens.create_user(db=db, name="alice")[1]
        bob = tokens.create_user(db=db, name="bob")[1]
    as_alice, as_bob = {"Authorization": f"Bearer {alice}"}, {"Authorization": f"Bearer {bob}"}
    assert exposed.post("/api/loops", json={}).status_code == 401
    loop = exposed.post("/api/loops", json={"rounds": ["technical-ml"]}, headers=as_alice).json()
    assert exposed.get(f"/api/loops/{loop['id']}", headers=as_bob).status_code == 404
    assert exposed.post(f"/api/loops/{loop['id']}/next", headers=as_bob).status_code == 404
    assert exposed.get("/api/loops", headers=as_bob).json() == []
    assert [x["id"] for x in exposed.get("/api/loops", headers=as_alice).json()] == [loop["id"]]
    session = exposed.post(f"/api/loops/{loop['id']}/next", headers=as_alice).json()
    # The round's session is Alice's, like any session she starts.
    assert exposed.get(f"/api/sessions/{session['id']}", headers=as_bob).status_code == 404
    assert exposed.get(f"/api/sessions/{session['id']}", headers=as_alice).json()["loop_id"] == loop["id"]


def _note_keys(client: TestClient, loop_id: str) -> list[tuple[Any, ...]]:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return [loops._note_key(n) for n in queries.list_notes(db=db, loop_id=loop_id)]


def test_two_derivations_at_once_leave_one_set_of_notes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """An end and a next (or the background derivation) deriving a round's notes together: each
    waits for the other, so no note is stored twice, on SQLite as on PostgreSQL."""
    loop = client.post("/api/loops", json={"rounds": ["technical-ml", "manager-fit"]}).json()
    first = client.post(f"/api/loops/{loop['id']}/next").json()
    play_round(client, first, [WEAK["en"]] * 3)
    settled(client)
    one_set = _note_keys(client, loop["id"])
    assert len(one_set) >= 2 and len(set(one_set)) == len(one_set)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db:
        # Only the first note is stored: both derivations have the others to add.
        for note in queries.list_notes(db=db, loop_id=loop["id"])[1:]:
            db.delete(note)
        db.commit()

    # Each derivation, once it has read the stored notes, waits (a second at most) for the other to
    # have read them too: without a lock both would then add the missing notes.
    both_read = threading.Barrier(2)
    real_key = loops._note_key

    def key_after_both_read(note: tables.HandoffNote) -> tuple[Any, ...]:
        if note.id is not None:
            try:
                both_read.wait(timeout=1)
            except threading.BrokenBarrierError:
                pass
        return real_key(note)

    monkeypatch.setattr(loops, "_note_key", key_after_both_read)
    models, locks = llm.Models(client.app.state.settings), KeyedLocks(engine, lease_s=30, prefix="scoring")  # type: ignore[attr-defined]

    async def derive_twice() -> None:
        await asyncio.gather(*(loops.leave_notes_when_ended(engine=engine, models=models, locks=locks, session_id=first["id"]) for _ in range(2)))

    asyncio.run(derive_twice())
    monkeypatch.setattr(loops, "_note_key", real_key)
    assert sorted(_note_keys(client, loop["id"]), key=repr) == sorted(one_set, key=repr)


def opening_turn(db: Session, session_id: str) -> tables.Turn:
    return db.exec(select(tables.Turn).where(tables.Turn.session_id == session_id).order_by(tables.Turn.seq)).first()  # type: ignore[arg-type,return-value]


def test_a_duplicate_note_does_not_survive_the_next_derivation(client: TestClient) -> None:
    loop = client.post("/api/loops", json={"rounds": ["technical-ml", "manager-fit", "recruiter-screen"]}).json()
    first = client.post(f"/api/loops/{loop['id']}/next").json()
    play_round(client, first, [WEAK["en"]] * 3)
    settled(client)
    second = client.post(f"/api/loops/{loop['id']}/next").json()
    taken_up = second["turns"][0]["handoff_note_id"]
    assert taken_up is not None
    one_set = _note_keys(client, loop["id"])
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        # A duplicate of the note the manager took up, as a race could have left it, and the opening points at it.
        original = db.get(tables.HandoffNote, taken_up)
        assert original is not None
        copy = tables.HandoffNote(**original.model_dump(exclude={"id"}))
        db.add(copy)
        db.commit()
        opening = opening_turn(db, second["id"])
        opening.handoff_note_id = copy.id
        db.add(opening)
        db.commit()
    assert len(_note_keys(client, loop["id"])) == len(one_set) + 1
    play_round(client, second, [WEAK["en"]])
    settled(client)
    assert client.post(f"/api/loops/{loop['id']}/next").status_code == 201  # derives the notes of the ended rounds again
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        firsts = [loops._note_key(n) for n in queries.list_notes(db=db, loop_id=loop["id"]) if n.session_id == first["id"]]
        assert sorted(firsts, key=repr) == sorted(one_set, key=repr), "the duplicate is gone"
        # The transcript still records which note led to the manager's question.
        assert opening_turn(db, second["id"]).handoff_note_id == taken_up
