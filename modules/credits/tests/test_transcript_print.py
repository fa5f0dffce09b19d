"""The printable 学分证明 (the walk's finding 16): on paper only the certificate (the header, which
names the signed-in account — a teacher's username is the ID number — the menu and the footer are
hidden by print CSS); the certificate names the teacher's unit and the ID number as the reader may
see it (web/privacy.Policy: the teacher's own in full, masked for a reader without personal.read),
the read audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from web.db.models import AuditEntry, Teacher, Unit


def _print_css(text: str) -> str:
    return re.search(r"@media print \{(.*?)\n\}", text, re.S).group(1)


def test_the_transcript_prints_alone_with_unit_and_masked_id(ctx, as_user, world):
    tid = world.teachers["3601020001"][0]
    with ctx.sessions() as db:
        teacher = db.get(Teacher, tid)
        full, unit = teacher.id_number, db.get(Unit, teacher.unit_id).name
    own = as_user(world.teacher_usernames[tid], entry="teacher").get(f"/credits/teachers/{tid}/transcript")
    assert own.status_code == 200
    hidden = _print_css(own.text)
    assert all(sel in hidden for sel in (".topbar", ".shellnav", ".footer", ".noprint")) and "display: none" in hidden
    # the header (which names the account: the teacher's ID number) is the part print hides
    assert f"（{full}）" in own.text.split('<header class="topbar">')[1].split("</header>")[0]
    assert "<button type=\"button\" data-print>" in own.text and "onclick" not in own.text  # no inline script (CSP)
    cert = own.text.split('id="transcript"')[1].split("</article>")[0]
    assert f'id="transcript-id">{full}<' in cert and f'id="transcript-unit">{unit}<' in cert   # one's own: in full

    viewer = as_user("info_viewer@360102")                       # reads teachers, no personal.read
    r = viewer.get(f"/credits/teachers/{tid}/transcript")
    assert r.status_code == 200 and full not in r.text
    cert = r.text.split('id="transcript"')[1].split("</article>")[0]
    masked = re.search(r'id="transcript-id">([^<]+)<', cert).group(1)
    assert "*" in masked and masked[:4] == full[:4] and masked[-4:] == full[-4:], masked
    assert f'id="transcript-unit">{unit}<' in cert
    en = viewer.get(f"/credits/teachers/{tid}/transcript?lang=en").text
    assert "ID number: " in en and "Unit: " in en and "（" not in en.split('id="transcript"')[1].split("<table")[0]
    viewer.get("/credits/?lang=zh")
    with ctx.sessions() as db:
        reads = [a.detail for a in db.scalars(select(AuditEntry).where(
            AuditEntry.action == "teacher.read", AuditEntry.target_id == str(tid)))]
        assert any((d or {}).get("via") == "credits.transcript" and (d or {}).get("unmasked") is False for d in reads)
