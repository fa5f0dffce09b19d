"""The migrations build the schema the models declare (on the database of this run: SQLite, or
PostgreSQL when TMIS_TEST_DATABASE_URL is set). A model changed without a migration, or the
reverse, fails here rather than in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from web.db.models import Base


def test_migrations_match_the_models(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_a_teacher_is_found_by_number_through_the_unique_index(db_url: str) -> None:
    """Imports look people up by ID number alone (any ID type); the unique index leads with it."""
    engine = create_engine(db_url)
    try:
        uniques = inspect(engine).get_unique_constraints("teachers")
    finally:
        engine.dispose()
    identity = next(u for u in uniques if u["name"] == "uq_teachers_identity")
    assert identity["column_names"] == ["id_number", "id_type"]
