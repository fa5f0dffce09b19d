"""A status-change sheet is read, checked and applied in set-wise statements: the number of SQL
statements an import makes does not grow with its rows (counted with a SQLAlchemy event listener
on the engine), with the listeners of status.changed at work (the live statistics summary built,
the province publishing its files to the national tier) — and every teacher's change reaches them
and the audit log.

Runs on a database of its own (tests/web/conftest.py ``fresh_database``): hundreds of retired
teachers would change the counts other tests read from the shared one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import event, func, insert, select

from modules.status_change import batch
from tests.web.conftest import fresh_database, new_id_number
from web.db.base import make_engine, make_sessionmaker
from web import audit
from web.db.models import Account, AuditEntry, Grant, Record, Teacher
from web.people import clock
from web.services import units as unit_service
from web.services.auth import principal_of

TREE = [("36", "江西省", "province", None, None), ("3601", "南昌市", "city", "36", None),
        ("360102", "东湖区", "county", "3601", None),
        ("3601020001", "东湖区第一小学", "school", "360102", "primary")]


@pytest.fixture()
def own_db(tmp_path, ctx, cats):
    """A fresh database with the tree, a county 信息管理员, the live statistics summary built and
    the province publishing (so both listeners of status.changed do their work)."""
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with sessions() as db:
            units = {}
            for code, name, level, parent, st in TREE:
                units[code] = unit_service.create_unit_raw(db, code=code, name=name, level=level, school_type=st,
                                                           parent=unit_service.by_code(db, parent) if parent else None).id
            acc = Account(username="county-manager", real_name="县管理员", unit_id=units["360102"], kind="staff",
                          password_hash="x", must_change_password=False, failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=units["360102"], role_key="info_manager"))
            db.commit()
            principal = principal_of(db.get(Account, acc.id), ctx)
        yield sessions, engine, units, principal, cats["36"]
        engine.dispose()


def _teachers(sessions, cat, school_id: int, n: int, tag: str) -> list[tuple[int, str, str]]:
    """``n`` approved teachers written into the tables (set-up), each with a teacher account."""
    with sessions() as db:
        people = []
        for i in range(n):
            idn = new_id_number("360102", male=i % 2 == 0)
            people.append((f"{tag}教师{i:03d}", idn, dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))))
        ids = list(db.scalars(insert(Teacher).returning(Teacher.id, sort_by_parameter_order=True), [
            {"id_type": "1", "id_number": idn, "name": name, "gender": "1", "birth_date": birth,
             "unit_id": school_id, "state": "approved"} for name, idn, birth in people]))
        db.execute(insert(Record), [
            {"teacher_id": tid, "set_key": "basic", "position": 0, "catalogue_version": cat.version,
             "state": "approved", "version": 1,
             "document": {"name": name, "gender": "1", "birth_date": birth.isoformat(), "id_type": "1",
                          "id_number": idn, "person_status": "100", "entry_month": "2010-09"}}
            for tid, (name, idn, birth) in zip(ids, people)])
        db.execute(insert(Account), [
            {"username": idn, "real_name": name, "unit_id": school_id, "kind": "teacher", "teacher_id": tid,
             "password_hash": "x", "must_change_password": False, "failed_attempts": 0, "enabled": True}
            for tid, (name, idn, _b) in zip(ids, people)])
        db.commit()
        return [(tid, idn, name) for tid, (name, idn, _b) in zip(ids, people)]


def _sheet(cat, path: Path, people: list[tuple[int, str, str]]) -> Path:
    path.write_bytes(batch.template_bytes(cat))
    wb = openpyxl.load_workbook(path)
    ws = wb[batch.SHEET]
    for _tid, idn, name in people:
        ws.append([idn, name, "退休", None, clock.today(), "到龄退休"])
    wb.save(path)
    return path


def _counted(engine, run) -> tuple[int, object]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        out = run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), out


def test_a_200_row_sheet_makes_as_many_statements_as_a_20_row_one(own_db, tmp_path, monkeypatch):
    from modules.statistics import refresh
    from modules.statistics.models import LIVE, StatFact
    from web.tier import province
    from web.tier.models import TierFile, TierMovement

    sessions, engine, units, principal, cat = own_db
    warm = _teachers(sessions, cat, units["3601020001"], 3, "丙")
    small = _teachers(sessions, cat, units["3601020001"], 20, "甲")
    large = _teachers(sessions, cat, units["3601020001"], 200, "乙")
    copied = _teachers(sessions, cat, units["3601020001"], 150, "丁")
    with sessions() as db:
        refresh.rebuild(db, cat=cat)
        province.publish(db, "36")
        db.commit()
        db.commit()

    counts = {}
    # PostgreSQL takes a bulk action's audit entries by COPY, which no statement event sees: while
    # counting, every import inserts them with its one executemany
    monkeypatch.setattr(audit, "COPY_FROM", 10**9)
    # a first import, not counted: the pool's first connection asks the server its settings
    for tag, people in (("warm", warm), ("small", small), ("large", large)):
        path = _sheet(cat, tmp_path / f"{tag}.xlsx", people)
        counts[tag], out = _counted(engine, lambda: batch.import_sheet(sessions, cat, principal, path))
        assert (out.applied, out.errors) == (len(people), 0), [p.message_en for p in out.problems[:3]]
    assert counts["large"] == counts["small"], counts
    monkeypatch.undo()  # and a sheet with the entries by COPY (PostgreSQL): the same chain
    out = batch.import_sheet(sessions, cat, principal, _sheet(cat, tmp_path / "copied.xlsx", copied))
    assert (out.applied, out.errors) == (150, 0)

    # and every change reached the listeners: a status movement per teacher, nobody counted as active
    ids = [p[0] for p in warm + small + large + copied]
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(TierMovement).where(TierMovement.kind == "status")) == 373
        left = db.scalars(select(TierFile.left_on).where(TierFile.teacher_key.in_(ids))).all()
        assert len(left) == 373 and set(left) == {clock.today()}
        assert db.scalar(select(func.count()).select_from(StatFact).where(
            StatFact.snapshot_id == LIVE, StatFact.teacher_id.in_(ids))) == 0
        # one audit entry per teacher (PostgreSQL: the 200 taken by COPY), the chain intact
        entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "teacher.status")).all()
        assert sorted(int(e.target_id) for e in entries) == sorted(ids)
        assert all(e.detail["status"] == {"before": "100", "after": "301"} for e in entries)
        assert audit.verify(db).ok
