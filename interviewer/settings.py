"""The one Settings object: every knob comes from the environment (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_", env_file=".env", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///interviewer.db",
        validation_alias=AliasChoices("DATABASE_URL", "INTERVIEWER_DATABASE_URL"),
    )
    # "offline" (the embedded engine) or any litellm model string: openai/gpt-4o-mini, ollama/llama3.1, ...
    model: str = "offline"
    judge_model: str | None = None
    fallback_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_base: str | None = None
    api_key: SecretStr | None = None
    model_timeout: float = Field(default=60.0, gt=0)
    model_retries: int = Field(default=2, ge=0, le=10)
    # Turns the interviewer prompt keeps verbatim; older ones are summarised, so prompts stay bounded.
    recent_turns: int = Field(default=6, ge=2, le=50)
    personas_dir: Path = PROJECT_ROOT / "personas"
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    host: str = "127.0.0.1"
    port: int = 8000
    max_answer_chars: int = Field(default=20_000, ge=100)
    max_document_chars: int = Field(default=200_000, ge=1_000)


    @field_validator("fallback_models", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def judge(self) -> str:
        return self.judge_model or self.model


@lru_cache
def get_settings() -> Settings:
    return Settings()
