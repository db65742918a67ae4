"""`interviewer serve` reads an answer per persona and language before it listens, so the offline
reading's data is loaded once at start-up, not by the first turns of a whole class at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interviewer.api.app import create_app
from interviewer.catalog.loading import Catalog
from interviewer.interview import scorer_process, warmup
from interviewer.ops.settings import Settings


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """A warmed app freezes what start-up built (gc.freeze); the test process gets it back after."""
    yield
    gc.unfreeze()


def test_what_start_up_built_is_left_out_of_later_collections(tmp_path: Path) -> None:
    gc.unfreeze()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'frozen.db'}", model="offline")
    with TestClient(create_app(settings, warm=True)) as client:
        # The catalog, the filled caches and the modules: a full collection no longer walks them.
        assert gc.get_freeze_count() > 10_000
        assert client.get("/healthz").status_code == 200


def test_every_persona_is_read_in_both_languages_before_the_first_request(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[tuple[str, str]] = []
    real_read = warmup.mentions.read_answer

    def recording_read(text: str, *, language: Any, question: str = "", **kwargs: Any) -> Any:
        read.append((question, language))
        return real_read(text, language=language, question=question, **kwargs)

    termed: list[str] = []
    real_terms = warmup.mentions.terms_in

    def recording_terms(text: str, **kwargs: Any) -> Any:
        termed.append(text)
        return real_terms(text, **kwargs)

    monkeypatch.setattr(warmup.mentions, "read_answer", recording_read)
    monkeypatch.setattr(warmup.mentions, "terms_in", recording_terms)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'warm.db'}", model="offline")
    with TestClient(create_app(settings, warm=True)) as client:
        # Read during start-up, before any request was served, with the terms a follow-up may quote.
        expected = {(p.questions[0].text.get(lang), lang) for p in catalog.personas.values() for lang in ("en", "fr")}
        assert set(read) == expected
        assert len(termed) == len(read)
        assert client.get("/healthz").status_code == 200


def test_an_app_made_for_tests_starts_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmup.mentions, "read_answer", lambda *a, **k: pytest.fail("warmed up without being asked"))
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'cold.db'}", model="offline"))) as client:
        assert client.get("/healthz").status_code == 200


def test_the_scoring_process_is_started_with_its_models_before_the_first_request(tmp_path: Path) -> None:
    # Left to the first answer, the child's imports and model loads would land in a class's first turns.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'scorer.db'}", model="offline", scoring_processes=1)
    with TestClient(create_app(settings, warm=True)) as client:
        assert client.app.state.scoring.processes_started  # type: ignore[attr-defined]
        assert client.get("/healthz").status_code == 200


def test_a_server_where_processes_cannot_start_still_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pools(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # a sandbox without shared-memory semaphores

    monkeypatch.setattr(scorer_process, "ProcessPoolExecutor", no_pools)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'sandbox.db'}", model="offline", scoring_processes=1)
    with TestClient(create_app(settings, warm=True)) as client:
        assert not client.app.state.scoring.processes_started  # type: ignore[attr-defined]
        assert client.get("/healthz").status_code == 200
