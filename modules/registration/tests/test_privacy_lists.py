"""The registration module's lists ask web/privacy.py (Listing) who sees a whole ID number: the
warning list and a batch show it to a reader with personal.read at the teacher's school, masked to
a viewer (信息查询员), and the warning list's audit entry says how many were shown unmasked."""

from __future__ import annotations

from sqlalchemy import func, select

from modules.registration.tests.test_batch import due  # noqa: F401
from web.db.models import AuditEntry, Teacher


def _since(ctx) -> int:
    with ctx.sessions() as db:
        return db.scalar(select(func.max(AuditEntry.seq))) or 0


def _warnings_audits(ctx, since: int) -> list[AuditEntry]:
    with ctx.sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == "registration.warnings",
                                                        AuditEntry.seq > since).order_by(AuditEntry.seq)))


def test_the_warning_list_and_a_batch_show_whole_numbers_only_with_personal_read(ctx, world, as_user, due):  # noqa: F811
    bad, ok = due(failing_year=True, name="隐私甲"), due(name="隐私乙")
    with ctx.sessions() as db:
        numbers = dict(db.execute(select(Teacher.id, Teacher.id_number).where(Teacher.id.in_([bad, ok]))).all())

    since = _since(ctx)
    rows = {t["teacher_id"]: t for t in as_user("info_reviewer@360102").get(
        "/api/v1/registration/warnings?unit=3601020001").json()["teachers"]}
    assert rows[bad]["id_number"] == numbers[bad]
    viewer = {t["teacher_id"]: t for t in as_user("info_viewer@360102").get(
        "/api/v1/registration/warnings?unit=3601020001").json()["teachers"]}
    assert viewer[bad]["id_number"] != numbers[bad] and viewer[bad]["id_number"][-4:] == numbers[bad][-4:]
    first, second = _warnings_audits(ctx, since)
    assert first.detail["unmasked"] == first.detail["rows"] >= 1 and second.detail["unmasked"] == 0
    assert numbers[bad] not in str(first.detail)

    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [ok]}).json()["id"]
    full = as_user("info_reviewer@360102").get(f"/api/v1/registration/batches/{bid}").json()["teachers"]
    assert [t["id_number"] for t in full] == [numbers[ok]]
    assert numbers[ok] in as_user("info_reviewer@360102").get(f"/registration/batches/{bid}").text
    masked = as_user("info_viewer@360102").get(f"/api/v1/registration/batches/{bid}").json()["teachers"]
    assert "*" in masked[0]["id_number"]
    assert numbers[ok] not in as_user("info_viewer@360102").get(f"/registration/batches/{bid}").text
