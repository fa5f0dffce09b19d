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


def test_teacher_numbers_are_unique_where_given_and_any_number_of_teachers_have_none(db_url: str) -> None:
    """Numbers come with approval: many teachers have none at once (e005 keeps them out of the
    index); two with the same number are still refused."""
    import datetime as dt

    import pytest
    from sqlalchemy import delete, insert
    from sqlalchemy.exc import IntegrityError

    from web.db.models import Teacher, Unit

    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            unit = conn.execute(insert(Unit).values(code="9909990001", name="编号测试学校", level="school")
                                .returning(Unit.id)).scalar_one()
        rows = [dict(id_type="1", id_number=f"99099919800101{i:04d}", name="甲", gender="1",
                     birth_date=dt.date(1980, 1, 1), unit_id=unit, state="unsubmitted",
                     created_at=dt.datetime.now(dt.timezone.utc), updated_at=dt.datetime.now(dt.timezone.utc))
                for i in range(3)]
        try:
            with engine.begin() as conn:
                conn.execute(insert(Teacher), [rows[0], rows[1]])  # no numbers: no clash
                conn.execute(insert(Teacher), [{**rows[2], "teacher_number": "N1"}])
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(insert(Teacher), [{**rows[0], "id_number": "990999198001019999", "teacher_number": "N1"}])
        finally:
            with engine.begin() as conn:
                conn.execute(delete(Teacher).where(Teacher.unit_id == unit))
                conn.execute(delete(Unit).where(Unit.id == unit))
    finally:
        engine.dispose()
