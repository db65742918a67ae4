"""Claims shared by workers (PostgreSQL): one holder at a time, taken and released in short
transactions (a turn's on its own store steps' connections), and a claim whose worker died is
taken over once its lease has expired."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from interviewer.api.app import create_app
from interviewer.ops import locks
from interviewer.ops.settings import Settings

from tests.support.postgres import claim_owners
from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI


@pytest.fixture
def postgres(db_engine: Engine) -> Engine:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("claims serve several workers, which need PostgreSQL")
    return db_engine


def test_a_claim_has_one_holder_until_it_is_released(postgres: Engine) -> None:
    assert locks.try_claim(postgres, "turn:s1", "worker-a", 60)
    assert not locks.try_claim(postgres, "turn:s1", "worker-b", 60)
    locks.release_claim(postgres, "turn:s1", "worker-b")  # not the holder: nothing happens
    assert not locks.try_claim(postgres, "turn:s1", "worker-b", 60)
    locks.release_claim(postgres, "turn:s1", "worker-a")
    assert locks.try_claim(postgres, "turn:s1", "worker-b", 60)


def test_the_claim_of_a_dead_worker_is_taken_over_when_its_lease_expires(postgres: Engine) -> None:
    assert locks.try_claim(postgres, "turn:s2", "dead-worker", -1)  # a lease already over
    assert locks.try_claim(postgres, "turn:s2", "live-worker", 60)


def test_a_waiter_in_another_worker_gets_the_turn_once_the_holder_releases(postgres: Engine) -> None:
    first, second = locks.TurnLocks(postgres, lease_s=60), locks.TurnLocks(postgres, lease_s=60)
    order: list[str] = []

    async def run() -> None:
        held = await first.acquire("s3")

        async def wait_in_second() -> None:
            async with second.hold("s3"):
                order.append("second")

        waiter = asyncio.create_task(wait_in_second())
        await asyncio.sleep(0.2)
        order.append("first")
        await held.release()
        await asyncio.wait_for(waiter, 10)

    asyncio.run(run())
    assert order == ["first", "second"]
    # No connection is held by either worker once they are done.
    assert postgres.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_store_step_takes_and_releases_the_claim_on_its_own_connection(postgres: Engine) -> None:
    here, there = locks.TurnLocks(postgres, lease_s=60), locks.TurnLocks(postgres, lease_s=60)

    async def run() -> None:
        held = await here.acquire("s4", claim=False)
        assert claim_owners(postgres, "turn:s4") == []  # only this worker's queue so far
        with Session(postgres) as db:
            assert held.take_in(db)
            assert db.connection().execute(text("SELECT 1")).scalar_one() == 1  # the step goes on, same session
        assert claim_owners(postgres, "turn:s4") == [here.owner]
        other = await there.acquire("s5", claim=False)
        assert not locks.try_claim(postgres, "turn:s4", there.owner, 60)  # another worker must wait
        with Session(postgres) as db:
            held.release_in(db)
        assert claim_owners(postgres, "turn:s4") == []
        await held.release()  # lets this worker's next waiter in; the claim is gone already
        await other.release()

    asyncio.run(run())
    assert postgres.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_step_that_finds_the_claim_held_elsewhere_is_run_again_once_it_is_released(postgres: Engine) -> None:
    here = locks.TurnLocks(postgres, lease_s=60)
    assert locks.try_claim(postgres, "turn:s6", "other-worker", 60)
    attempts: list[bool] = []

    def step(held: locks.Held) -> str | locks.NotClaimed:
        with Session(postgres) as db:
            attempts.append(held.take_in(db))
            return "stored" if attempts[-1] else locks.NOT_CLAIMED

    async def run() -> str:
        held = await here.acquire("s6", claim=False)
        releaser = asyncio.get_running_loop().call_later(0.1, locks.release_claim, postgres, "turn:s6", "other-worker")
        try:
            return await held.until_claimed(lambda: asyncio.to_thread(step, held))
        finally:
            releaser.cancel()
            await held.release()

    assert asyncio.run(run()) == "stored"
    assert attempts[0] is False and attempts[-1] is True
    assert claim_owners(postgres, "turn:s6") == []  # released by `release`, since no step did


def test_a_model_turn_holds_its_claim_while_the_model_replies_and_stores_the_reply_with_its_release(
    database_url: str, no_network: respx.MockRouter
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("claims serve several workers, which need PostgreSQL")
    fake = FakeOpenAI()
    seen_during_the_call: list[list[str]] = []
    settings = Settings(database_url=database_url, model="openai/gpt-4o-mini", judge_model="offline", api_base=API_BASE,
                        api_key="sk-test", model_retries=0, model_timeout=5)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        session_id = ""

        def replying(request: httpx.Request) -> httpx.Response:
            if session_id:
                seen_during_the_call.append(claim_owners(engine, f"turn:{session_id}"))
            return fake(request)

        no_network.post(OPENAI_URL).mock(side_effect=replying)
        session_id = client.post("/api/sessions", json={"persona_id": "recruiter-screen"}).json()["id"]
        answer = client.post(f"/api/sessions/{session_id}/answers", json={"content": "I built a churn model for a telecom."})
        assert answer.status_code == 200
        owner = client.app.state.turn_locks.owner  # type: ignore[attr-defined]
        assert seen_during_the_call == [[owner]]
        assert claim_owners(engine, f"turn:{session_id}") == []
