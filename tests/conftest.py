"""Shared fixtures: the shipped catalog, and a database of each kind (SQLite always,
PostgreSQL when INTERVIEWER_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from interviewer.api.app import create_app
from interviewer.catalog import Catalog, load_catalog
from interviewer.settings import PROJECT_ROOT, Settings
from interviewer.store import create_tables, make_engine

POSTGRES_URL = os.environ.get("INTERVIEWER_TEST_DATABASE_URL")


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
