"""The national duplicates queue and formal identifiers, on the tables alone (SQLite in the first
pass, PostgreSQL in the second): groups of both kinds, a second run changes nothing, a decided group
stays decided, a group that disappears is closed, and identifiers go to files in no open group."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.web.conftest import fresh_database
from web.db.base import make_engine, make_sessionmaker, utcnow
from web.tier import dedup
from web.tier.guard import allowed
from web.tier.models import TierDuplicate, TierFile, TierIdentifier


def _file(province: str, key: int, number: str, name: str, birth: date = date(1985, 3, 14), gender: str = "2"):
    return TierFile(province=province, teacher_key=key, id_type="1", id_number=number, name=name, gender=gender,
                    birth_date=birth, unit_code=f"{province}01", temp_identifier=f"{province}L{key:010d}",
                    approved_at=utcnow(), records={}, updated_at=utcnow())


@pytest.fixture()
def db(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        session = make_sessionmaker(engine)()
        yield session
        session.close()
        engine.dispose()


def test_groups_queue_and_identifiers(db):
    db.add_all([_file("36", 1, "A1", "王芳"), _file("62", 7, "A1", "王芳"),            # one number in two provinces
                _file("36", 2, "B1", "李强", gender="1"), _file("44", 3, "B2", "李强", gender="1"),  # namesakes
                _file("36", 4, "C1", "张伟"), _file("36", 5, "C2", "张伟"),           # namesakes in one province: its own business
                _file("50", 6, "D1", "赵敏")])
    db.flush()
    assert dedup.find(db) == {"groups": 2, "opened": 2, "updated": 0, "gone": 0}
    assert dedup.find(db)["opened"] == 0  # nothing new the second time
    issued = dedup.issue(db)
    assert issued == 3  # 张伟 ×2 and 赵敏; the four in open groups wait
    idents = dict(((p, k), i) for p, k, i in db.execute(select(TierIdentifier.province, TierIdentifier.teacher_key,
                                                                 TierIdentifier.formal_identifier)))
    assert set(idents) == {("36", 4), ("36", 5), ("50", 6)} and len(set(idents.values())) == 3
    same = db.scalar(select(TierDuplicate).where(TierDuplicate.kind == "id_number"))
    other = db.scalar(select(TierDuplicate).where(TierDuplicate.kind == "person"))
    assert same.members == [["36", 1], ["62", 7]] and other.members == [["36", 2], ["44", 3]]
    dedup.decide(db, same.id, dedup.SAME, actor_id=None, note=None)
    dedup.decide(db, other.id, dedup.DIFFERENT, actor_id=None, note=None)
    assert dedup.issue(db) == 4
    ids = dict(((p, k), i) for p, k, i in db.execute(select(TierIdentifier.province, TierIdentifier.teacher_key,
                                                              TierIdentifier.formal_identifier)))
    assert ids[("36", 1)] == ids[("62", 7)] and ids[("36", 2)] != ids[("44", 3)]
    assert dedup.find(db)["opened"] == 0  # decided groups with the same members stay decided
    # 甘肃 changes the number: the same name, birth date and gender under two numbers is a new group
    db.get(TierFile, ("62", 7)).id_number = "A9"
    db.flush()
    assert dedup.find(db)["opened"] == 1
    assert db.scalar(select(TierDuplicate.kind).where(TierDuplicate.state == dedup.OPEN)) == "person"


def test_a_group_that_disappears_is_closed(db):
    db.add_all([_file("36", 1, "A1", "王芳"), _file("62", 7, "A1", "王芳")])
    db.flush()
    dedup.find(db)
    db.get(TierFile, ("62", 7)).id_number = "A2"
    db.get(TierFile, ("62", 7)).name = "王芳芳"
    db.flush()
    assert dedup.find(db)["gone"] == 1
    assert db.scalar(select(TierDuplicate.state)) == dedup.GONE


def test_refused_decisions(db):
    from web.errors import Refusal

    with pytest.raises(Refusal) as missing:
        dedup.decide(db, 12345, dedup.SAME, actor_id=None, note=None)
    assert missing.value.code == "W811"
    with pytest.raises(Refusal) as bad:
        dedup.decide(db, 1, "maybe", actor_id=None, note=None)
    assert bad.value.code == "W813" and "maybe" in bad.value.message("en")


def test_what_a_national_account_may_still_send():
    assert allowed("/admin/login") and allowed("/api/v1/national/dedup") and allowed("/national/duplicates/3")
    assert not allowed("/forms/teachers") and not allowed("/admin/login/x") and not allowed("/api/v1/units")


def test_tmis_tier_must_be_known():
    from web.settings import Settings

    assert any("TMIS_TIER" in zh for zh, _ in Settings(tier="nationwide").problems())
    assert not Settings(tier="national", database_url="postgresql+psycopg://postgres@127.0.0.1/tmis").problems()


def test_the_national_tier_refuses_sqlite():
    """Formal identifiers come from a PostgreSQL sequence; on SQLite the app does not start as the national tier."""
    from web.context import AppContext, SettingsError
    from web.settings import Settings

    settings = Settings(tier="national", database_url="sqlite:///national.sqlite3")
    (zh, en), = settings.problems()
    assert zh.startswith("E570") and "PostgreSQL" in zh and "TMIS_DATABASE_URL" in zh
    assert "TMIS_DATABASE_URL" in en and "tmis tier init-national" in en
    with pytest.raises(SettingsError, match="E570"):
        AppContext.build(settings)
    assert not Settings(tier="province", database_url="sqlite:///p.sqlite3").problems()


def test_tier_commands_on_sqlite_say_why(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from web.cli import app

    monkeypatch.setenv("TMIS_TIER", "national")
    monkeypatch.setenv("TMIS_DATABASE_URL", f"sqlite:///{tmp_path / 'n.sqlite3'}")
    for command in (["tier", "stats"], ["tier", "dedup"]):
        out = CliRunner().invoke(app, command)
        assert out.exit_code == 1 and "E570" in out.output and "Traceback" not in out.output


def test_decided_groups_and_new_files_never_share_a_number(db):
    """Two groups decided 同一人 and files of no group, issued in one run: one number per person
    (on SQLite each group used to get max + 1, the same number, and so did the next fresh file)."""
    db.add_all([_file("36", 1, "A1", "王芳"), _file("62", 7, "A1", "王芳"),
                _file("36", 2, "B1", "李强", gender="1"), _file("44", 3, "B1", "李强", gender="1"),
                _file("50", 6, "D1", "赵敏"), _file("51", 8, "E1", "钱进")])
    db.flush()
    dedup.find(db)
    for row in db.scalars(select(TierDuplicate)).all():
        dedup.decide(db, row.id, dedup.SAME, actor_id=None, note=None)
    assert dedup.issue(db) == 6
    ids = dict(((p, k), i) for p, k, i in db.execute(select(TierIdentifier.province, TierIdentifier.teacher_key,
                                                              TierIdentifier.formal_identifier)))
    assert ids[("36", 1)] == ids[("62", 7)] and ids[("36", 2)] == ids[("44", 3)]
    assert len(set(ids.values())) == 4  # four people, four numbers
    db.add(_file("52", 9, "F1", "孙丽"))
    db.flush()
    assert dedup.issue(db) == 1
    assert db.scalar(select(TierIdentifier.formal_identifier).where(TierIdentifier.province == "52")) \
        not in set(ids.values())
