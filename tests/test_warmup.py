"""`interviewer serve` loads the offline reading's data before it listens, not in its first turns."""

from __future__ import annotations

from fastapi.testclient import TestClient

from interviewer import takehome
from interviewer.api.app import create_app
from interviewer.catalog import Catalog
from interviewer.settings import Settings
from interviewer.warmup import warm_up


def test_every_persona_is_read_in_both_languages_before_the_first_request(catalog: Catalog, tmp_path) -> None:
    takehome.glossary.cache_clear()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'warm.db'}", model="offline")
    with TestClient(create_app(settings, warm=True)) as client:
        # Loaded during start-up: the first turn finds it ready.
        assert takehome.glossary.cache_info().currsize == 1
        assert client.get("/healthz").status_code == 200
    # A second pass reads the glossary from the cache instead of parsing it again.
    misses = takehome.glossary.cache_info().misses
    warm_up(catalog)
    assert takehome.glossary.cache_info().misses == misses
