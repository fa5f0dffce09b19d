"""GET /api/v1/teachers/{tid}/registration: the cycle, eligibility and unmet conditions as of a
date; 404 outside the caller's scope, the teacher's own answer for a teacher account and no one
else's; a sanction named only to readers with personal.read; every read of another's file audited;
a bad date a W570 (no server error)."""

from __future__ import annotations

from sqlalchemy import select

from web.db.models import AuditEntry, Record

RECORDS = {
    "qualification": [{"kind": "2", "issue_date": "2026-09-01"}],
    "assessment": [{"year": y, "result": "4" if y == 2028 else "2"} for y in range(2026, 2031)],
    "ethics": [{"assess_month": "2028-12", "assess_result": "2", "punishment": "15", "punishment_reason": "1",
                "punishment_date": "2028-10-09"}],
}


def _teacher(ctx, world, cats) -> int:
    tid = world.teachers["3601020001"][0]
    with ctx.sessions() as db:
        if not db.scalar(select(Record.id).where(Record.teacher_id == tid, Record.set_key == "qualification")):
            for set_key, docs in RECORDS.items():
                for i, doc in enumerate(docs):
                    db.add(Record(teacher_id=tid, set_key=set_key, position=i, document=doc,
                                  catalogue_version=cats["36"].version))
            db.commit()
    return tid


def test_the_school_reads_the_cycle_and_every_unmet_condition(ctx, world, cats, as_user):
    tid = _teacher(ctx, world, cats)
    r = as_user("info_manager@3601020001").get(f"/api/v1/teachers/{tid}/registration?as_of=2031-06-30")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["cycle_start"], body["cycle_end"], body["eligible"]) == ("2026-09-01", "2031-08-31", False)
    messages = [u["message"] for u in body["unmet"]]
    assert "2028 年度考核 为 不合格" in messages and "2028-10-09 受到处分：开除" in messages
    assert body["qualification"]["kind_label"] == "小学教师资格"


def test_a_viewer_sees_that_an_ethics_record_bars_but_not_which(ctx, world, cats, as_user):
    tid = _teacher(ctx, world, cats)
    r = as_user("info_viewer@360102").get(f"/api/v1/teachers/{tid}/registration?as_of=2031-06-30")
    assert r.status_code == 200, r.text
    text = r.text
    assert "开除" not in text and "2028-10-09" not in text
    masked = [u for u in r.json()["unmet"] if u["masked"]]
    assert masked and masked[0]["message"].startswith("存在不符合注册条件的师德记录")
    with ctx.sessions() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "teacher.read", AuditEntry.target_id == str(tid))
                          .order_by(AuditEntry.seq.desc()).limit(1))
        assert entry.detail["via"] == "registration" and entry.detail["unmasked"] is False


def test_outside_the_scope_it_is_not_found_and_a_teacher_reads_only_its_own(ctx, world, cats, as_user):
    tid = _teacher(ctx, world, cats)
    for who in ("info_manager@3601020002", "info_manager@360103", "info_manager@62"):
        assert as_user(who).get(f"/api/v1/teachers/{tid}/registration").status_code == 404, who
    own = as_user(world.teacher_usernames[tid]).get(f"/api/v1/teachers/{tid}/registration?as_of=2031-06-30")
    assert own.status_code == 200 and "2028-10-09 受到处分：开除" in own.text
    other = world.teachers["3601020001"][1]
    assert as_user(world.teacher_usernames[other]).get(f"/api/v1/teachers/{tid}/registration").status_code in (403, 404)


def test_a_bad_date_is_w570_not_a_server_error(ctx, world, cats, as_user):
    tid = _teacher(ctx, world, cats)
    r = as_user("info_manager@3601020001").get(f"/api/v1/teachers/{tid}/registration?as_of=2031-02-30")
    assert r.status_code == 422 and r.json()["code"] == "W570"
