"""Shared fixtures: the shipped catalog, and a database of each kind (SQLite always,
PostgreSQL when INTERVIEWER_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

# respx intercepts httpx only: litellm's calls go through httpx here, through aiohttp in production
# (tests/models/test_connections.py runs that one against a real server on 127.0.0.1).
os.environ["DISABLE_AIOHTTP_TRANSPORT"] = "True"  # set outright: an exported False would bypass the mocks
# Scoring runs in this process's threads: a spawned scoring process per test app would cost each
# test seconds (tests/interview/test_scorer_process.py runs that path).
os.environ["INTERVIEWER_SCORING_PROCESSES"] = "0"

from interviewer.api.app import create_app  # noqa: E402
from interviewer.catalog.loading import Catalog, load_catalog
from interviewer.ops.settings import PROJECT_ROOT, Settings, get_settings
from interviewer.storage import migrations
from interviewer.storage.database import make_engine

from tests.support.fake_models import API_BASE, OPENAI_URL, FakeOpenAI

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
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The `interviewer` command, on a database of its own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


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
    """An empty database at the code's schema, built by the migrations as a real one is."""
    if request.param == "sqlite":
        yield _migrated(f"sqlite:///{tmp_path / 'interviewer.db'}")
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need INTERVIEWER_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    url = _run_schema_url(POSTGRES_URL)
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        # A connection a failed test of this run left open would block DROP forever.
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name AND pid <> pg_backend_pid()"),
            {"name": RUN_NAME},
        )
        # Each test starts from an empty schema of its own run, so parallel runs never meet.
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{RUN_NAME}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{RUN_NAME}"'))
    engine.dispose()
    yield _migrated(url)


RUN_NAME = f"interviewer_test_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def drop_run_schema() -> Iterator[None]:
    """This run's PostgreSQL schema is dropped when the run ends, so schemas never pile up."""
    yield
    if POSTGRES_URL:
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{RUN_NAME}" CASCADE'))
        engine.dispose()


def _run_schema_url(url: str) -> str:
    """The test database URL with this run's schema first on the search path, and tagged."""
    from sqlalchemy.engine import make_url

    return make_url(url).update_query_dict({"options": f"-csearch_path={RUN_NAME}", "application_name": RUN_NAME}).render_as_string(hide_password=False)


def _migrated(url: str) -> str:
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
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
