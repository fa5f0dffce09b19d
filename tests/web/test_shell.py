"""The app shell (issue 15 §5): the navigation menu of each role shows exactly the pages the role
may open (every entry of the menu hook, core and modules: shown ⇔ the page answers 200), and each
kind of account lands on its own home page (names, never internal ids)."""

from __future__ import annotations

import re

import pytest

from web.modules import current

ROLES = ["info_manager@3601020001", "info_entry@3601020001", "info_reviewer@3601020001",
         "info_viewer@3601020001", "system_admin@3601020001", "info_manager@360102", "info_reviewer@360102",
         "system_admin@360102", "info_viewer@3601", "info_reviewer@36", "system_admin@36"]
# pages that answer where they have nothing to do, so the menu leaves them out there: 单位管理 at a
# school (no units below it), 教师信息报送 at an authority (报送 is the school's act), the mobility
# cases' lists to a system administrator (it reads no files, web/cases lists nothing to it). The credits
# module's project list (/credits/projects/) refuses (W683) a role that neither submits nor confirms results,
# and its two entries lead to their own part of it (#submit, #confirm): no exemption.
USELESS = {("units", "school"), ("review_submit", "authority"),
           *((k, "system_admin") for k in ("transfers", "rotations", "status_changes"))}
NAV = re.compile(r'<a id="nav-([\w.]+)" href="([^"]+)"')


def shown(html: str) -> dict[str, str]:
    menu = html.split('id="shell-menu"')[1].split("</nav>")[0] if 'id="shell-menu"' in html else ""
    return dict(NAV.findall(menu))


@pytest.mark.parametrize("username", ROLES)
def test_the_menu_shows_exactly_what_the_role_may_open(as_user, username):
    client = as_user(username)
    home = client.get("/admin/")
    assert home.status_code == 200
    menu = shown(home.text)
    level = {"3601020001": "school"}.get(username.split("@")[1], "authority")
    wrong = []
    for entry in current().menu():
        role = username.split("@")[0]
        if "staff" not in entry.kinds or (entry.key, level) in USELESS or (entry.key, role) in USELESS:
            continue
        path, _, part = entry.href.partition("#")
        page = client.get(path)
        opens = page.status_code == 200 and (not part or f'id="{part}"' in page.text)  # a part of a page: its control
        if (entry.key in menu) != opens:
            wrong.append((entry.key, entry.key in menu, page.status_code))
    assert wrong == [], wrong


def test_the_header_title_leads_a_signed_in_user_home(as_user, anon, world):
    """The header's 教师管理信息系统 leads a signed-in teacher to the teacher's home and staff to theirs,
    never to the sign-in choice as if signed out; "/" typed in sends them on the same way."""
    tid = world.teachers["3601020001"][0]
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    staff = as_user("info_manager@3601020001")
    brand = re.compile(r'<a class="brand" id="brand" href="([^"]+)"')
    for client, home in ((teacher, "/teacher/"), (staff, "/admin/")):
        page = client.get(home)
        assert page.status_code == 200 and brand.search(page.text).group(1) == home
        r = client.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == home
    r = anon.get("/", follow_redirects=False)
    assert r.status_code == 200 and brand.search(r.text).group(1) == "/" and "/teacher/login" in r.text
