"""Claims shared by workers (PostgreSQL): one holder at a time, taken and released in short
transactions, and a claim whose worker died is taken over once its lease has expired."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine

from interviewer.ops import locks


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
