"""Migrations build the schema the models describe, up and down, on SQLite and PostgreSQL (the
`database_url` fixture hands over an empty database already migrated to the head)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from interviewer.api.app import create_app
from interviewer.cli.main import main
from interviewer.ops.settings import Settings, get_settings
from interviewer.storage import migrations
from interviewer.storage import queries
from interviewer.storage.database import make_engine
from interviewer.storage.tables import InterviewSession, Snapshot, Turn

TABLES = set(SQLModel.metadata.tables)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_revisions_form_one_numbered_line() -> None:
    ids = migrations.revisions()
    assert ids == [f"{n:04d}" for n in range(1, len(ids) + 1)], "one head, numbered 0001, 0002, ..."
    assert ids[0] == migrations.BASELINE and ids[-1] == migrations.head()
    files = sorted(p.name for p in migrations.VERSIONS.glob("[0-9]*.py"))
    assert [re.match(r"\d{4}", f).group(0) for f in files] == ids  # type: ignore[union-attr]


def test_autogenerate_finds_no_difference_between_migrations_and_models(engine: Engine) -> None:
    assert migrations.current(engine) == migrations.head()
    assert tables(engine) == TABLES
    assert migrations.differences(engine) == []


def test_every_revision_goes_down_and_up_again(engine: Engine) -> None:
    ids = migrations.revisions()
    for revision in reversed(ids[:-1]):
        migrations.downgrade(engine, revision)
        assert migrations.current(engine) == revision
    migrations.downgrade(engine, "base")
    assert migrations.current(engine) is None and tables(engine) == set()
    for revision in ids:
        migrations.upgrade(engine, revision)
        assert migrations.current(engine) == revision
    assert tables(engine) == TABLES
    assert migrations.differences(engine) == []


def test_rows_written_at_the_baseline_survive_every_upgrade(engine: Engine) -> None:
    migrations.downgrade(engine, "base")
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as connection:
        for session_id in ("s1", "s2"):
            connection.execute(text(
                "INSERT INTO interview_session (id, persona_id, rubric_id, language, status, model, persona_snapshot, "
                f"persona_hash, rubric_snapshot, rubric_hash, plan, created_at) VALUES ('{session_id}', 'technical-ml', "
                "'technical-ml', 'en', 'active', 'offline', '{\"p\": 1}', 'a', '{\"r\": 2}', 'b', '[\"q1\"]', CURRENT_TIMESTAMP)"
            ))
        connection.execute(text(
            "INSERT INTO turn (session_id, seq, role, kind, language, content, created_at) "
            "VALUES ('s1', 1, 'interviewer', 'question', 'en', 'Why?', CURRENT_TIMESTAMP)"
        ))
    migrations.upgrade(engine)
    with Session(engine) as db:
        session = queries.get_session(db=db, session_id="s1")
        assert session is not None and session.plan == ["q1"]
        assert [t.content for t in queries.list_turns(db=db, session_id="s1")] == ["Why?"]
        # Two sessions of the same persona and rubric: each snapshot is stored once.
        assert sorted(db.exec(select(Snapshot.hash, Snapshot.content)).all()) == [("a", '{"p": 1}'), ("b", '{"r": 2}')]


def test_going_back_before_0008_puts_the_snapshots_back_in_each_session_row(engine: Engine) -> None:
    migrations.upgrade(engine)
    with Session(engine) as db:
        queries.ensure_local_user(db=db)
        queries.store_snapshots(db=db, snapshots=[('{"p": 1}', "a"), ('{"r": 2}', "b")])
        db.add(InterviewSession(id="s1", persona_id="p", rubric_id="r", language="en", model="offline", persona_hash="a", rubric_hash="b", plan=[]))
        db.commit()
    migrations.downgrade(engine, "0007")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT persona_snapshot, rubric_snapshot FROM interview_session WHERE id = 's1'")).one()
    assert tuple(row) == ('{"p": 1}', '{"r": 2}')
    migrations.upgrade(engine)


def test_a_database_created_before_migrations_is_adopted(engine: Engine) -> None:
    # What `create_all` made before migrations existed: the baseline's tables, no version row.
    migrations.downgrade(engine, "base")
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    with pytest.raises(migrations.SchemaError, match="created before migrations existed; run `interviewer db upgrade`"):
        migrations.check(engine)
    migrations.upgrade(engine)
    migrations.check(engine)


@pytest.mark.parametrize("auto_migrate", [False, None])
def test_the_app_refuses_a_database_behind_the_code_and_names_the_command(database_url: str, auto_migrate: bool | None) -> None:
    engine = make_engine(database_url)
    migrations.downgrade(engine, "base")
    engine.dispose()
    settings = Settings(database_url=database_url, auto_migrate=auto_migrate)
    if settings.migrates_on_start:
        pytest.skip("SQLite is migrated on start by default: see the next test")
    with pytest.raises(migrations.SchemaError, match=r"has no tables yet; run `interviewer db upgrade`"):
        with TestClient(create_app(settings)):
            pass
    engine = make_engine(database_url)
    migrations.upgrade(engine, migrations.BASELINE)
    engine.dispose()
    if migrations.head() != migrations.BASELINE:
        with pytest.raises(migrations.SchemaError, match=rf"at revision {migrations.BASELINE}, behind the code's revision {migrations.head()}; run `interviewer db upgrade`"):
            with TestClient(create_app(settings)):
                pass


def test_sqlite_is_migrated_on_start_unless_told_not_to(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(migrations.SchemaError):
        with TestClient(create_app(Settings(database_url=url, auto_migrate=False))):
            pass
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.post("/api/sessions", json={"persona_id": "technical-ml"}).status_code == 201
    engine = make_engine(url)
    assert migrations.current(engine) == migrations.head()
    engine.dispose()


def test_two_upgrades_at_once_on_postgres_take_turns(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL serialises upgrades with an advisory lock; SQLite has one local user")
    migrations.downgrade(engine, "base")
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            migrations.upgrade(engine)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert migrations.current(engine) == migrations.head() and migrations.differences(engine) == []


def test_a_database_from_newer_code_is_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrations.SchemaError, match="revision 9999, which this code does not know"):
        migrations.check(engine)


def test_sqlite_table_rebuilds_keep_child_rows(tmp_path: Path) -> None:
    """Batch mode copies a table and drops the original: with foreign keys on, that drop would
    cascade to every turn. Migrations run with them off."""
    engine = make_engine(f"sqlite:///{tmp_path / 'rebuild.db'}")
    migrations.upgrade(engine)
    with Session(engine) as db:
        queries.store_snapshots(db=db, snapshots=[("{}", "a"), ("{}", "b")])
        session = InterviewSession(persona_id="p", rubric_id="r", language="en", model="offline", persona_hash="a", rubric_hash="b", plan=[])
        db.add(session)
        db.commit()
        db.add(Turn(session_id=session.id, seq=1, role="interviewer", kind="question", language="en", content="Hello"))
        db.commit()
        session_id = session.id
    with migrations.migrating(engine) as connection:
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table("interview_session", recreate="always") as batch:
            batch.add_column(Column("extra", Integer, nullable=True))
    with Session(engine) as db:
        assert [t.content for t in queries.list_turns(db=db, session_id=session_id)] == ["Hello"]
        db.add(Turn(session_id="missing", seq=1, role="candidate", kind="answer", language="en", content="x"))
        with pytest.raises(Exception, match="FOREIGN KEY"):
            db.commit()  # foreign keys are enforced again afterwards
    engine.dispose()


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("INTERVIEWER_AUTO_MIGRATE", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_db_commands_downgrade_check_current_and_upgrade(cli: CliRunner, database_url: str) -> None:
    head = migrations.head()
    current = cli.invoke(main, ["db", "current"])
    assert current.exit_code == 0 and f"{head} (head)" in current.output
    down = cli.invoke(main, ["db", "downgrade", "base"])
    assert down.exit_code == 0, down.output
    assert f"{head} -> empty" in down.output
    check = cli.invoke(main, ["db", "check"])
    assert check.exit_code == 1 and "run `interviewer db upgrade`" in check.output
    up = cli.invoke(main, ["db", "upgrade"])
    assert up.exit_code == 0 and f"empty -> {head} (head)" in up.output
    again = cli.invoke(main, ["db", "upgrade"])
    assert again.exit_code == 0 and f"{head} -> {head} (head)" in again.output
    if len(migrations.revisions()) > 1:
        one_back = cli.invoke(main, ["db", "downgrade", "-1"])
        assert one_back.exit_code == 0 and f"{head} -> {migrations.revisions()[-2]}" in one_back.output
        assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert cli.invoke(main, ["db", "check"]).exit_code == 0
    unknown = cli.invoke(main, ["db", "upgrade", "nope"])
    assert unknown.exit_code == 1 and "nope" in unknown.output and "Traceback" not in unknown.output


def test_serve_refuses_a_postgres_database_behind_the_code(cli: CliRunner, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite is migrated on start")
    assert cli.invoke(main, ["db", "downgrade", "base"]).exit_code == 0
    result = cli.invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "has no tables yet; run `interviewer db upgrade`" in result.output


def test_an_unreachable_database_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, ["db", "current"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "cannot use the database postgresql+psycopg://nobody:***@127.0.0.1:1/none" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_make_migration_has_nothing_to_write_when_models_and_migrations_agree() -> None:
    with pytest.raises(migrations.SchemaError, match="already match"):
        migrations.new_revision("nothing")
