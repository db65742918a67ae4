"""The one Settings object: every knob comes from the environment (or a .env file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="INTERVIEWER_", env_file=".env", extra="ignore", populate_by_name=True,
        # An empty variable (docker compose's `${VAR:-}`) means "not set", not an empty value.
        env_ignore_empty=True,
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
    # A turn's whole budget for its model call, retries and waits included (seconds).
    turn_deadline: float = Field(default=45.0, gt=0)
    # auto: detect per model and move down json_schema -> json_object -> prompt when a server refuses.
    structured_output: Literal["auto", "json_schema", "json_object", "prompt"] = "auto"
    # Judge calls per answer; above 1, scores are averaged and their spread reported (self-consistency).
    judge_samples: int = Field(default=1, ge=1, le=10)
    # Bounds on what a model may write, per purpose: an unbounded reply is stored and re-sent forever.
    max_tokens_interviewer: int = Field(default=400, ge=16)
    max_tokens_judge: int = Field(default=1_500, ge=64)
    max_tokens_claims: int = Field(default=2_000, ge=64)
    # An interviewer reply longer than this is cut at a sentence boundary before it is stored.
    max_reply_chars: int = Field(default=3_000, ge=200)
    # Turns the interviewer prompt keeps verbatim; older ones are summarised, so prompts stay bounded.
    recent_turns: int = Field(default=6, ge=2, le=50)
    personas_dir: Path = PROJECT_ROOT / "personas"
    rubrics_dir: Path = PROJECT_ROOT / "rubrics"
    host: str = "127.0.0.1"
    port: int = 8000
    # auto: no token when bound to a loopback address, API tokens otherwise; token: always tokens.
    auth: Literal["auto", "token"] = "auto"
    # Requests a minute per API token, in each worker (0: no limit).
    rate_limit_per_minute: int = Field(default=120, ge=0)
    # Worker processes of `interviewer serve`; they share nothing but the database.
    workers: int = Field(default=1, ge=1, le=64)
    # Database connections of a worker: a request holds one only for a store step, never across a
    # model call, so a pool much smaller than the number of interviews serves them; an exhausted
    # pool answers 503 with Retry-After after `db_pool_timeout` seconds.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_pool_overflow: int = Field(default=20, ge=0, le=400)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    # Threads a worker runs its store steps in (sync database work, the engine's reading). Short and
    # CPU-bound under one GIL: more threads only contend (8 against 40, the default of FastAPI's
    # thread pool: 45-49 -> 49-54 answers/s for 200 interviews, bench/load.py). Keep it at most
    # db_pool_size, so a thread never waits for a connection.
    threads: int = Field(default=8, ge=1, le=200)
    # SQLite only. normal: the WAL is synced at checkpoints, so a stored answer survives the server
    # crashing but not the machine losing power just after; full: every commit waits for an fsync
    # (0.4 ms at p50 in the server here, 4 ms in a bare loop; a model turn commits twice).
    # PostgreSQL keeps its own setting.
    sqlite_synchronous: Literal["normal", "full"] = "normal"
    # On SIGTERM, in-flight requests and streamed replies get this long to finish; a turn cut short
    # keeps its stored answer, and resending it resumes.
    shutdown_grace_s: float = Field(default=10.0, ge=0)
    # Answers scored at once in the background by a worker; the others queue, so turns come first.
    scoring_concurrency: int = Field(default=2, ge=1, le=32)
    # Child processes that make those answers' full assessments (interview/scorer_process.py), so
    # that scoring never holds this worker's GIL while a turn runs; 0: in this worker's threads.
    scoring_processes: int = Field(default=1, ge=0, le=32)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # json: one object per line with the request id; text: for people; auto: text on a terminal, json otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    # Apply pending migrations at start-up. Unset: yes on SQLite (one local user), no elsewhere:
    # a shared PostgreSQL is migrated by an operator with `interviewer db upgrade`.
    auto_migrate: bool | None = None
    max_answer_chars: int = Field(default=20_000, ge=100)
    max_document_chars: int = Field(default=200_000, ge=1_000)
    # Uploaded files (a take-home PDF or notebook, a CV) may be larger than their text.
    max_upload_bytes: int = Field(default=5_000_000, ge=10_000)
    # Whole request body, checked on Content-Length and while it streams in: 413 before it is buffered.
    max_body_bytes: int = Field(default=20_000_000, ge=10_000)
    # Proxies whose X-Forwarded-For/-Proto are believed (uvicorn's --forwarded-allow-ips); "*" trusts any.
    forwarded_allow_ips: str = "127.0.0.1"
    # PDF reading bounds: a decompression bomb or a huge page count gets a 4xx, never a stalled worker.
    max_pdf_pages: int = Field(default=300, ge=1)
    pdf_read_seconds: float = Field(default=20.0, gt=0)


    @field_validator("fallback_models", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def judge(self) -> str:
        return self.judge_model or self.model

    @field_validator("log_level", "log_format", "sqlite_synchronous", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if info.field_name == "log_level" else value.lower()

    @property
    def migrates_on_start(self) -> bool:
        return self.database_url.startswith("sqlite") if self.auto_migrate is None else self.auto_migrate


@lru_cache
def get_settings() -> Settings:
    return Settings()
