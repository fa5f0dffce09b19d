"""Business modules' own migrations (web/db/migrate.py, docs/modules.md): every
``modules/<name>/migrations`` folder joins the core's history as a branch of its own; ``tmis db
upgrade`` creates a module's tables, ``tmis db downgrade <name>@base`` drops them and nothing else,
and a module folder deleted afterwards leaves the core's upgrade working. SQLite, and PostgreSQL
with TMIS_TEST_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from tests.web.conftest import _pg_url, fresh_pg_database
from web.cli import app as cli
from web.db.migrate import module_migration_dirs, revisions, upgrade
from web.errors import Refusal

FIRST = '''"""notes: its first table"""
from alembic import op
import sqlalchemy as sa

revision = "notes01"
down_revision = None
branch_labels = ("notes",)
depends_on = "pg01"


def upgrade() -> None:
    op.create_table("notes_items", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("teacher_id", sa.Integer(), sa.ForeignKey("teachers.id"), nullable=False))


def downgrade() -> None:
    op.drop_table("notes_items")
'''

SECOND = '''"""notes: a second table, chained inside the module"""
from alembic import op
import sqlalchemy as sa

revision = "notes02"
down_revision = "notes01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("notes_tags", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("notes_tags")
'''


def make_modules(tmp: Path, *, first: str = FIRST) -> Path:
    """A modules folder with the module ``notes`` (two migrations) and one without migrations."""
    root = tmp / "repo"
    (root / "modules" / "notes" / "migrations").mkdir(parents=True)
    (root / "modules" / "notes" / "migrations" / "notes01_items.py").write_text(first, encoding="utf-8")
    (root / "modules" / "notes" / "migrations" / "notes02_tags.py").write_text(SECOND, encoding="utf-8")
    (root / "modules" / "plain").mkdir()
    return root


@pytest.fixture()
def url(tmp_path) -> Iterator[str]:
    """An empty database of its own (PostgreSQL in the PostgreSQL pass)."""
    pg = _pg_url() if os.environ.get("TMIS_TEST_DATABASE_URL") else None
    if pg:
        fresh, drop = fresh_pg_database(pg)
        yield fresh
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def core_head() -> str:
    from alembic.script import ScriptDirectory

    from web.db.migrate import CORE_VERSIONS, alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://", modules=Path("/nonexistent")))
    (head,) = script.get_heads()
    assert Path(script.get_revision(head).path).parent == CORE_VERSIONS
    return head


def test_a_module_gets_its_tables_and_loses_only_them(tmp_path, url, monkeypatch) -> None:
    root = make_modules(tmp_path)
    monkeypatch.setenv("TMIS_REPO_ROOT", str(root))
    assert set(module_migration_dirs()) == {"notes"}  # a module without migrations adds nothing
    run = CliRunner().invoke
    done = run(cli, ["db", "upgrade", "--database-url", url])
    assert done.exit_code == 0, done.output
    assert {"notes_items", "notes_tags", "teachers", "mobility_cases"} <= tables(url)
    assert revisions(url) == {"core": core_head(), "notes": "notes02"}
    assert f"core {core_head()}, notes notes02" in done.output  # every branch, by name

    gone = run(cli, ["db", "downgrade", "notes@base", "--database-url", url])
    assert gone.exit_code == 0, gone.output
    left = tables(url)
    assert not {"notes_items", "notes_tags"} & left and {"teachers", "mobility_cases"} <= left
    assert revisions(url) == {"core": core_head()}

    # the folder deleted afterwards: the core's upgrade still works, the module's tables stay gone
    (root / "modules" / "notes" / "migrations" / "notes01_items.py").unlink()
    (root / "modules" / "notes" / "migrations" / "notes02_tags.py").unlink()
    (root / "modules" / "notes" / "migrations").rmdir()
    again = run(cli, ["db", "upgrade", "--database-url", url])
    assert again.exit_code == 0, again.output
    assert revisions(url) == {"core": core_head()} and "notes_items" not in tables(url)


def test_a_module_added_later_upgrades_an_existing_database(tmp_path, url) -> None:
    root = make_modules(tmp_path)
    upgrade(url, modules=tmp_path / "nowhere")  # the core alone
    assert "notes_items" not in tables(url)
    upgrade(url, modules=root / "modules")
    assert {"notes_items", "notes_tags"} <= tables(url)


def test_a_module_deleted_without_its_downgrade_is_named(tmp_path, url, monkeypatch) -> None:
    root = make_modules(tmp_path)
    upgrade(url, modules=root / "modules")
    monkeypatch.setenv("TMIS_REPO_ROOT", str(tmp_path / "without"))
    refused = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert refused.exit_code == 1
    assert "W470" in refused.output and "notes02" in refused.output and "downgrade <模块名>@base" in refused.output


def test_a_module_first_migration_needs_its_branch_label(tmp_path, url) -> None:
    root = make_modules(tmp_path, first=FIRST.replace('branch_labels = ("notes",)', "branch_labels = None"))
    with pytest.raises(Refusal) as refused:
        upgrade(url, modules=root / "modules")
    assert refused.value.code == "W471"
    assert "modules/notes/migrations/notes01_items.py" in refused.value.message("en")
    assert tables(url) <= {"alembic_version"}  # refused before anything ran


def test_a_module_may_not_chain_onto_the_core(tmp_path, url) -> None:
    root = make_modules(tmp_path, first=FIRST.replace("down_revision = None", 'down_revision = "pg01"')
                        .replace('branch_labels = ("notes",)', "branch_labels = None"))
    with pytest.raises(Refusal) as refused:
        upgrade(url, modules=root / "modules")
    assert refused.value.code == "W471" and "depends_on" in refused.value.message("en")


def test_an_unknown_module_or_revision_is_a_clear_refusal(tmp_path, url, monkeypatch) -> None:
    monkeypatch.setenv("TMIS_REPO_ROOT", str(make_modules(tmp_path)))
    run = CliRunner().invoke
    assert run(cli, ["db", "upgrade", "--database-url", url]).exit_code == 0
    refused = run(cli, ["db", "downgrade", "note@base", "--database-url", url])
    assert refused.exit_code == 1 and "W472" in refused.output and "notes" in refused.output  # which there are
    refused = run(cli, ["db", "upgrade", "zz99", "--database-url", url])
    assert refused.exit_code == 1 and "W472" in refused.output and "zz99" in refused.output
    assert "notes_items" in tables(url)  # nothing changed
