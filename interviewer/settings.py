"""The one Settings object: every knob comes from the environment (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///interviewer.db",
        validation_alias=AliasChoices("DATABASE_URL", "INTERVIEWER_DATABASE_URL"),
    )
    model: str = "offline"
    personas_dir: Path = PROJECT_ROOT / "personas"
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    host: str = "127.0.0.1"
    port: int = 8000
    max_answer_chars: int = Field(default=20_000, ge=100)
    max_document_chars: int = Field(default=200_000, ge=1_000)


@lru_cache
def get_settings() -> Settings:
    return Settings()
