"""Shared fixtures: the shipped catalog, and a database of each kind (SQLite always,
PostgreSQL when INTERVIEWER_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from interviewer.api.app import create_app
from interviewer.catalog import Catalog, load_catalog
from interviewer.settings import PROJECT_ROOT, Settings
from interviewer.store import create_tables, make_engine

from tests.fake_models import API_BASE, OPENAI_URL, FakeOpenAI

POSTGRES_URL = os.environ.get("INTERVIEWER_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def no_network() -> Iterator[respx.MockRouter]:
    """Every httpx request must hit a mocked route (the TestClient speaks httpx2, not httpx)."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router
    if "litellm" in sys.modules:
        # Cached async clients belong to the event loop of the test that made them.
        sys.modules["litellm"].in_memory_llm_clients_cache.flush_cache()


@pytest.fixture
def fake_openai(no_network: respx.MockRouter) -> FakeOpenAI:
    fake = FakeOpenAI()
    no_network.post(OPENAI_URL).mock(side_effect=fake)
    return fake


@pytest.fixture
def model_settings(database_url: str) -> Settings:
    """A real model through litellm, served by the fake OpenAI-compatible server."""
    return Settings(
        database_url=database_url, model="openai/gpt-4o-mini", api_base=API_BASE, api_key="sk-test",
        model_retries=0, model_timeout=5,
    )


@pytest.fixture
def model_client(model_settings: Settings, fake_openai: FakeOpenAI) -> Iterator[TestClient]:
    with TestClient(create_app(model_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(PROJECT_ROOT / "personas", PROJECT_ROOT / "rubrics")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'interviewer.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need INTERVIEWER_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    engine = make_engine(POSTGRES_URL)
    with engine.connect() as connection:
        # A connection a failed test left open would block DROP TABLE forever.
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    # Each test starts from empty tables in the shared test database.
    SQLModel.metadata.drop_all(engine)
    engine.dispose()
    yield POSTGRES_URL


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(db_engine: Engine) -> Iterator[Session]:
    with Session(db_engine) as session:
        yield session


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, model="offline")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
