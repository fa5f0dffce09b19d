"""The mobility modules' counts on a unit's home page (web/hooks.py ``home_todos``, issue 15 §5:
"a school sees its to-do counts (待报送, 退回, transfers waiting for it)"): the count a unit sees
is the length of its queue (``?queue=mine``), with a link to the list; no count where nothing waits."""

from __future__ import annotations

import re

from web.db.models import Teacher


def _shown(client) -> int | None:
    """The count of 待办理的教师调动 on the account's home page (None: not shown)."""
    m = re.search(r'id="todo-transfer-waiting"><a href="/cases/transfers"><span class="count">(\d+)</span>',
                  client.get("/admin/").text)
    return int(m.group(1)) if m else None


def test_a_transfer_waiting_for_a_unit_is_counted_on_its_home_page(ctx, as_user, approved_teacher):
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        card = {"id_number": t.id_number, "name": t.name, "to_unit": "3601030001"}
    r = as_user("info_manager@3601030001").post("/api/v1/transfers", json=card)
    assert r.status_code == 201, r.text
    county = as_user("info_reviewer@360103")
    waiting = len(county.get("/api/v1/transfers?queue=mine").json())
    assert waiting >= 1 and _shown(county) == waiting
    # a unit the case does not wait for (the sending county, not asked yet) counts only its own queue
    other = as_user("info_reviewer@360102")
    queue = [c["id"] for c in other.get("/api/v1/transfers?queue=mine").json()]
    assert r.json()["id"] not in queue
    assert _shown(other) == (len(queue) or None)
