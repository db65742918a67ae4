"""The deployment files, read as docker would read them (no Docker engine runs here): the compose
file, the Dockerfile it builds, and the settings both hand to the app."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from interviewer.ops.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def settings_variables() -> set[str]:
    """Every environment variable Settings reads."""
    names = {f"INTERVIEWER_{name.upper()}" for name in Settings.model_fields}
    return names | {"DATABASE_URL"}


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's `${NAME:-default}`, with nothing set in the environment unless given."""
    return VARIABLE.sub(lambda m: (env or {}).get(m.group(1)) or m.group(2) or "", value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def dockerfile() -> dict[str, list[str]]:
    """The final stage's instructions, by keyword, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)
    instructions: dict[str, list[str]] = {"FROM": [line.split("\n")[0] for line in stages[1:]]}
    for line in stages[-1].splitlines()[1:]:
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword.upper(), []).append(rest.strip())
    return instructions


def dockerfile_env(dockerfile: dict[str, list[str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in dockerfile["ENV"]:
        for pair in shlex.split(line):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


def test_dockerfile_is_slim_non_root_with_a_healthcheck_and_local_price_map(dockerfile: dict[str, list[str]]) -> None:
    assert all(base.startswith("python:3.11-slim") for base in dockerfile["FROM"])
    users = dockerfile["USER"]
    assert users and users[-1] not in ("root", "0"), "the app must not run as root"
    assert any(users[-1] in line for line in dockerfile["RUN"]), "the user is created in the image"
    env = dockerfile_env(dockerfile)
    assert env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert env["INTERVIEWER_HOST"] == "0.0.0.0"
    (healthcheck,) = dockerfile["HEALTHCHECK"]
    assert "/healthz" in healthcheck and "INTERVIEWER_PORT" in healthcheck
    assert dockerfile["CMD"] == ['["interviewer", "serve"]']
    # Every variable the image sets for the app is a real setting.
    app_env = {k for k in env if k.startswith("INTERVIEWER_") or k == "DATABASE_URL"}
    assert app_env <= settings_variables(), app_env - settings_variables()
    # The catalog the image points at is copied into it.
    copied = " ".join(dockerfile["COPY"])
    assert f"personas {env['INTERVIEWER_PERSONAS_DIR']}" in copied and f"rubrics {env['INTERVIEWER_RUBRICS_DIR']}" in copied


def test_exposed_port_matches_the_app_port_and_compose(dockerfile: dict[str, list[str]], compose: dict[str, Any]) -> None:
    port = dockerfile_env(dockerfile)["INTERVIEWER_PORT"]
    assert dockerfile["EXPOSE"] == [port]
    app = compose["services"]["app"]
    (mapping,) = app["ports"]
    assert interpolate(mapping).split(":")[-1] == port
    assert interpolate(app["environment"].get("INTERVIEWER_PORT", port)) == port
    assert f"127.0.0.1:{port}/healthz" in " ".join(app["healthcheck"]["test"])


def test_compose_runs_the_app_from_the_dockerfile_after_postgres_is_healthy_and_migrated(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"app", "db", "migrate", "ollama"} <= set(services)
    app, db, migrate = services["app"], services["db"], services["migrate"]
    for service in (app, migrate):
        assert service["build"] in (".", {"context": "."}) and (PROJECT_ROOT / "Dockerfile").is_file()
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["command"] == ["interviewer", "db", "upgrade"]
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["command"][:2] == ["interviewer", "serve"]

    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume, _, target = db["volumes"][0].partition(":")
    assert volume in compose["volumes"] and target == "/var/lib/postgresql/data", "the database lives in a named volume"


def test_compose_database_url_reaches_the_db_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    url = interpolate(services["app"]["environment"]["DATABASE_URL"])
    db_env = {k: interpolate(v) for k, v in services["db"]["environment"].items()}
    assert url == (
        f"postgresql+psycopg://{db_env['POSTGRES_USER']}:{db_env['POSTGRES_PASSWORD']}@db:5432/{db_env['POSTGRES_DB']}"
    )
    # Changing the password in .env changes both sides.
    secret = {"POSTGRES_PASSWORD": "s3cret"}
    assert ":s3cret@" in interpolate(services["app"]["environment"]["DATABASE_URL"], secret)
    assert interpolate(services["db"]["environment"]["POSTGRES_PASSWORD"], secret) == "s3cret"


def test_ollama_is_optional_under_a_profile(compose: dict[str, Any]) -> None:
    ollama = compose["services"]["ollama"]
    assert ollama["profiles"] == ["ollama"]
    assert ollama["image"].startswith("ollama/ollama")
    assert ollama["volumes"][0].split(":")[0] in compose["volumes"]
    assert "ollama" not in compose["services"]["app"].get("depends_on", {}), "the app must start without it"
    for name, service in compose["services"].items():
        if name != "ollama":
            assert "profiles" not in service, f"{name} must start with a plain `docker compose up`"


def test_every_app_variable_compose_sets_is_a_setting_and_unset_ones_keep_the_defaults(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = compose["services"]["app"]["environment"]
    assert compose["services"]["migrate"]["environment"] == environment
    app_vars = {k for k in environment if k.startswith("INTERVIEWER_") or k == "DATABASE_URL"}
    assert app_vars <= settings_variables(), f"not settings: {app_vars - settings_variables()}"
    # With nothing set by the operator, the app sees empty strings, which mean "the default".
    for key in [k for k in os.environ if k.startswith("INTERVIEWER_") or k == "DATABASE_URL"]:
        monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, interpolate(str(value)))
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.workers == 2 and settings.log_format == "json"
    assert settings.model == "offline" and settings.judge == "offline" and settings.api_key is None
    for field in ("model_timeout", "model_retries", "recent_turns", "max_answer_chars", "max_document_chars", "fallback_models"):
        assert getattr(settings, field) == Settings.model_fields[field].get_default(call_default_factory=True), field


def test_readme_documents_every_setting_in_one_table() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = [name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])]
    documented = set(named)
    assert len(named) == len(documented), f"documented twice: {sorted({n for n in named if named.count(n) > 1})}"
    missing = settings_variables() - documented - {"INTERVIEWER_DATABASE_URL"}
    assert not missing, f"settings missing from the README's configuration table: {sorted(missing)}"
    compose_inputs = set(VARIABLE.findall(COMPOSE.read_text()))
    assert {name for name, _ in compose_inputs} <= documented | {"OPENAI_API_KEY", "ANTHROPIC_API_KEY"}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), f"every row needs a default, an example and a meaning: {row}"


def test_docker_context_leaves_out_local_state() -> None:
    ignored = set((PROJECT_ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "*.db", "tests"} <= ignored
    assert Path(PROJECT_ROOT / "interviewer" / "storage" / "migrations" / "script.py.mako").is_file()
