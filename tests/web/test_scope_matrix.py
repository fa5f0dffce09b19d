"""The scope matrix: every role × own unit / child / sibling / parent / other province,
for reading and writing, on every endpoint of the API and of the 管理端 pages.

Only combinations that exist are collected (a unit-creating endpoint on a school, a
school-only endpoint on a county are not cases), so every collected case can fail.

Expected outcomes are computed from the rules (roles.yaml + the granting rule), not listed by
hand: a permission reaches the unit of the grant and everything below it; ``grant.<role>`` works
at the granter's own unit (system administrators: one level down); a unit is maintained from
above (not by itself). Allowed → 2xx. Refused → 403 or 404, and nothing of the target leaks.
"""

from __future__ import annotations

import itertools

import pytest

from tests.web.conftest import PASSWORD, TREE, Client, csrf_of, four_items

ROLES = ("system_admin", "info_manager", "info_entry", "info_reviewer", "info_viewer", "teacher")
HOMES = {
    "school": {"own": "3601020001", "sibling": "3601020002", "parent": "360102", "other": "6201020001"},
    "county": {"own": "360102", "child": "3601020001", "sibling": "360103", "parent": "3601", "other": "620102"},
}
# where a teacher "at" a relation lives (teachers belong to schools)
TEACHER_SCHOOL = {
    "school": {"own": "3601020001", "sibling": "3601020002", "other": "6201020001"},
    "county": {"child": "3601020001", "sibling": "3601030001", "other": "6201020001"},
}
LEVEL = {"3601020001": "school", "3601020002": "school", "6201020001": "school", "360102": "county",
         "360103": "county", "620102": "county", "3601": "city"}
BELOW = {"county": "school", "city": "county"}
PERMS = {
    "system_admin": {"unit.read", "unit.manage", "account.read", "account.manage",
                     "teacher.create", "grant.info_viewer", "grant.teacher"},
    "info_manager": {"unit.read", "teacher.read", "teacher.create", "personal.read", "stats.read"},
    "info_entry": {"unit.read", "teacher.read", "teacher.create", "personal.read"},
    "info_reviewer": {"unit.read", "teacher.read", "personal.read", "stats.read"},
    "info_viewer": {"unit.read", "teacher.read", "stats.read"},
    "teacher": set(),
}
IN_SUBTREE = ("own", "child")
_codes = itertools.count(1)


def _endpoint_cases():
    for role, (home, rels) in itertools.product(ROLES, HOMES.items()):
        if role == "teacher" and home != "school":
            continue
        for relation, target in rels.items():
            for endpoint in ENDPOINTS:
                if expected(endpoint, role, relation, target) is None:
                    continue  # the endpoint does not exist for this unit level
                yield pytest.param(role, home, relation, endpoint, id=f"{role}-{home}-{relation}-{endpoint}")


def expected(endpoint: str, role: str, relation: str, target: str) -> bool | None:
    """True: allowed, False: refused, None: not applicable."""
    p = PERMS[role]
    inside = relation in IN_SUBTREE
    level = LEVEL[target]
    if endpoint in PAGE_RULES:
        return PAGE_RULES[endpoint](p, relation, level)
    if endpoint == "unit.get":
        return "unit.read" in p and inside
    if endpoint == "teachers.list":
        return "teacher.read" in p and inside
    if endpoint == "statistics.table":
        return "stats.read" in p and inside
    if endpoint == "accounts.list":
        return "account.read" in p and inside
    if endpoint == "unit.create_below":
        if level not in BELOW:
            return None
        return "unit.manage" in p and inside
    if endpoint == "unit.patch":
        return "unit.manage" in p and relation == "child"
    if endpoint == "teacher.create":
        if level != "school":
            return None
        return "teacher.create" in p and "teacher.read" in p and inside
    if endpoint == "account.create":
        return "grant.info_viewer" in p and relation == "own"
    if endpoint in ("teacher_account.create", "teacher_login.switch", "teacher_accounts.export"):
        if level != "school":
            return None
        return "grant.teacher" in p and relation == "own"
    raise AssertionError(endpoint)


def _school_only(rule):
    return lambda p, relation, level: rule(p, relation) if level == "school" else None


def _below_only(rule):
    return lambda p, relation, level: rule(p, relation) if level in BELOW else None


# 管理端 pages: the accounts and teacher-account pages manage the unit where the role is held
# (not the units below); the unit pages reach the whole subtree, editing from above.
PAGE_RULES = {
    "page.accounts": lambda p, r, level: "account.manage" in p and r == "own",
    "page.account.create": lambda p, r, level: "grant.info_viewer" in p and r == "own",
    "page.teacher_accounts": _school_only(lambda p, r: "grant.teacher" in p and r == "own"),
    "page.teacher_accounts.export": _school_only(lambda p, r: "grant.teacher" in p and r == "own"),
    "page.teacher_account.create": _school_only(lambda p, r: "grant.teacher" in p and r == "own"),
    "page.teacher_accounts.import": _school_only(lambda p, r: "grant.teacher" in p and r == "own"),
    "page.teacher_login.switch": _school_only(lambda p, r: "grant.teacher" in p and r == "own"),
    "page.units": lambda p, r, level: "unit.manage" in p and r in IN_SUBTREE,
    "page.unit.children": lambda p, r, level: "unit.manage" in p and r in IN_SUBTREE,
    "page.unit.create_below": _below_only(lambda p, r: "unit.manage" in p and r in IN_SUBTREE),
    "page.units.import": _below_only(lambda p, r: "unit.manage" in p and r in IN_SUBTREE),
    "page.unit.edit": lambda p, r, level: "unit.manage" in p and r == "child",
    "page.unit.move": lambda p, r, level: "unit.manage" in p and r == "child",
    # the statistics dashboards (modules/statistics/pages.py): stats.read reaches the subtree
    "page.statistics": lambda p, r, level: "stats.read" in p and r in IN_SUBTREE,
    "page.statistics.export": lambda p, r, level: "stats.read" in p and r in IN_SUBTREE,
}
PARENT = {code: parent for code, _name, _level, parent, _st in TREE}
NAME = {code: name for code, name, _level, _parent, _st in TREE}


def _xlsx(headers: list[str], row: list[str]) -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(headers)
    wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _form(c: Client, action: str, data: dict, files: dict | None = None):
    """A page form post as a browser sends it: the CSRF cookie and hidden field from a page."""
    token = csrf_of(c.get("/").text)
    return c.post(action, data={"_csrf_token": token, **data}, files=files, follow_redirects=False)


def _call_page(c: Client, endpoint: str, target: str):
    if endpoint == "page.accounts":
        return c.get(f"/admin/accounts?unit={target}")
    if endpoint == "page.account.create":
        return _form(c, "/admin/accounts/new", {"unit": target, "home": target, "username": f"matrix-p{next(_codes)}",
                                                "real_name": "矩阵", "roles": ["info_viewer"]})
    if endpoint == "page.teacher_accounts":
        return c.get(f"/admin/teacher-accounts?unit={target}")
    if endpoint == "page.teacher_accounts.export":
        return c.get(f"/admin/teacher-accounts/export?unit={target}")
    if endpoint == "page.teacher_account.create":
        return _form(c, "/admin/teacher-accounts/new", {"unit": target, **four_items(target[:6])})
    if endpoint == "page.teacher_accounts.import":
        items = four_items(target[:6])
        content = _xlsx(["姓名", "性别", "出生日期", "身份证件号"],
                        [items["name"], items["gender"], items["birth_date"], items["id_number"]])
        return _form(c, "/admin/teacher-accounts/import", {"unit": target},
                     files={"file": ("t.xlsx", content, "application/octet-stream")})
    if endpoint == "page.teacher_login.switch":
        return _form(c, "/admin/teacher-accounts/login-switch", {"unit": target, "enabled": "1"})
    if endpoint == "page.units":
        return c.get(f"/admin/units?root={target}")
    if endpoint == "page.unit.children":
        return c.get(f"/admin/units/{target}/children")
    if endpoint == "page.unit.create_below":
        level = BELOW[LEVEL[target]]
        return _form(c, "/admin/units/new", {"parent": target, "code": f"{target}P{next(_codes):05d}", "name": "矩阵页面单位",
                                             "level": level, "school_type": "primary" if level == "school" else ""})
    if endpoint == "page.units.import":
        level = {"school": "学校", "county": "县"}[BELOW[LEVEL[target]]]
        content = _xlsx(["单位代码", "单位名称", "层级", "上级单位代码", "办学类型"],
                        [f"{target}I{next(_codes):05d}", "矩阵导入单位", level, target, "小学" if level == "学校" else ""])
        return _form(c, "/admin/units/import", {}, files={"file": ("u.xlsx", content, "application/octet-stream")})
    if endpoint == "page.unit.edit":
        return _form(c, f"/admin/units/{target}/edit", {"name": NAME[target], "urban_rural": "1"})
    if endpoint == "page.statistics":
        return c.get(f"/statistics/units/{target}")
    if endpoint == "page.statistics.export":
        return c.get(f"/statistics/units/{target}/export.xlsx?table=gender")
    if endpoint == "page.unit.move":
        # to where it already is: every check runs, nothing changes for the other tests
        return _form(c, f"/admin/units/{target}/move", {"parent": PARENT[target]})
    raise AssertionError(endpoint)


def _call(c: Client, endpoint: str, target: str):
    if endpoint.startswith("page."):
        return _call_page(c, endpoint, target)
    if endpoint == "unit.get":
        return c.get(f"/api/v1/units/{target}")
    if endpoint == "teachers.list":
        return c.get(f"/api/v1/teachers?unit={target}")
    if endpoint == "statistics.table":
        return c.get(f"/api/v1/statistics/gender?unit={target}")
    if endpoint == "accounts.list":
        return c.get(f"/api/v1/accounts?unit={target}")
    if endpoint == "unit.create_below":
        level = BELOW[LEVEL[target]]
        return c.post("/api/v1/units", json={"code": f"{target}M{next(_codes):05d}", "name": "矩阵测试单位",
                                             "level": level, "parent_code": target,
                                             "school_type": "primary" if level == "school" else None})
    if endpoint == "unit.patch":
        return c.patch(f"/api/v1/units/{target}", json={"urban_rural": "1"})
    if endpoint == "teacher.create":
        return c.post("/api/v1/teachers", json={"unit_code": target, **four_items(target[:6])})
    if endpoint == "account.create":
        return c.post("/api/v1/accounts", json={"username": f"matrix-{next(_codes)}", "real_name": "矩阵",
                                                "unit_code": target, "roles": ["info_viewer"]})
    if endpoint == "teacher_account.create":
        return c.post("/api/v1/teacher-accounts", json={"unit_code": target, **four_items(target[:6])})
    if endpoint == "teacher_login.switch":
        return c.post(f"/api/v1/units/{target}/teacher-login", json={"enabled": True})
    if endpoint == "teacher_accounts.export":
        return c.get(f"/api/v1/teacher-accounts/export?unit={target}")
    raise AssertionError(endpoint)


ENDPOINTS = ("unit.get", "teachers.list", "statistics.table", "accounts.list", "unit.create_below", "unit.patch",
             "teacher.create", "account.create", "teacher_account.create", "teacher_login.switch",
             "teacher_accounts.export", *PAGE_RULES)
# a refused upload reports the row outside scope (422) instead of refusing the request
REFUSED = {"page.units.import": (403, 422)}

_clients: dict[tuple[str, str], Client] = {}


def _client(app, world, role: str, home: str) -> Client:
    key = (role, home)
    if key not in _clients:
        unit = HOMES[home]["own"]
        username = world.teacher_usernames[world.teachers[unit][0]] if role == "teacher" else f"{role}@{unit}"
        _clients[key] = Client(app, username, PASSWORD)
    return _clients[key]


@pytest.mark.parametrize("role,home,relation,endpoint", list(_endpoint_cases()))
def test_scope_matrix(app, world, role, home, relation, endpoint):
    target = HOMES[home][relation]
    want = expected(endpoint, role, relation, target)
    assert want is not None  # only existing combinations are collected
    c = _client(app, world, role, home)
    r = _call(c, endpoint, target)
    if role == "teacher" and endpoint == "teachers.list":
        # a teacher's list is always just the own file, whatever unit is asked for
        assert r.status_code == 200
        assert [t["id"] for t in r.json()["items"]] == [world.teachers[HOMES["school"]["own"]][0]]
        return
    if endpoint.startswith("page."):
        _check_page(endpoint, r, want, target, relation, HOMES[home]["own"])
    elif want:
        assert 200 <= r.status_code < 300, (r.status_code, r.text[:300])
    else:
        assert r.status_code in (403, 404), (r.status_code, r.text[:300])
        assert target not in r.text or r.json().get("code") in ("W201", "W202")


def _check_page(endpoint: str, r, want: bool, target: str, relation: str, own: str) -> None:
    if want:
        assert 200 <= r.status_code < 300 or (r.status_code == 303 and "/login" not in r.headers["location"]), \
            (r.status_code, r.text[:300])
        if endpoint == "page.units.import":
            assert "新增 1 个" in r.text
        if endpoint == "page.teacher_accounts.import":
            assert "成功 1 行，问题 0 行" in r.text
    else:
        assert r.status_code in REFUSED.get(endpoint, (403, 404)), (r.status_code, r.text[:300])
        if relation not in IN_SUBTREE:
            # nothing about a unit outside the subtree leaks (codes may be part of the signed-in
            # username, and the own unit's name may contain the parent's: both are left out)
            assert NAME[target] not in r.text.replace(NAME[own], "")


def _teacher_cases():
    for role, home in itertools.product(ROLES, HOMES):
        if role == "teacher" and home != "school":
            continue
        for relation, school in TEACHER_SCHOOL[home].items():
            yield pytest.param(role, home, relation, school, id=f"{role}-{home}-{relation}")


@pytest.mark.parametrize("role,home,relation,school", list(_teacher_cases()))
def test_scope_matrix_teacher_file(app, world, role, home, relation, school):
    """Reading one teacher's file (GET /api/v1/teachers/{id})."""
    c = _client(app, world, role, home)
    own_teacher = world.teachers[HOMES["school"]["own"]][0]
    # the teacher role: its own file is the first teacher of its school; others are refused
    tid = world.teachers[school][0] if role != "teacher" or relation != "own" else own_teacher
    if role == "teacher" and relation == "own":
        assert c.get(f"/api/v1/teachers/{tid}").status_code == 200
        other_same_school = world.teachers[school][1]
        assert c.get(f"/api/v1/teachers/{other_same_school}").status_code == 404
        return
    r = c.get(f"/api/v1/teachers/{tid}")
    allowed = "teacher.read" in PERMS[role] and relation in IN_SUBTREE
    if allowed:
        assert r.status_code == 200 and r.json()["id"] == tid
        assert r.json()["masked"] is ("personal.read" not in PERMS[role])
    else:
        assert r.status_code in (403, 404) and "sets" not in r.text


# ------------------------------------------------------------------ every route of the route table
#
# The matrix above spells out who may do what on the endpoints it names. Every other route of the
# app is reached here from the app's own route table, so a new endpoint is covered the day it is
# added: a route whose path names a target (a teacher, record, review case, copy, unit or account)
# is called by every role of the school and of the county with a target in another province, and
# must be refused (403/404, or a 4xx for a write whose body it refuses first) without showing the
# target. A route without such a parameter is listed in ROUTES_WITHOUT_TARGET with the reason
# (what limits it). A route in neither fails test_every_route_is_in_the_matrix by name.

TARGET_PARAMS = ("tid", "teacher_id", "rid", "case_id", "copy_id", "code", "account_id", "mobility_case_id",
                 "check_id")
ROUTES_WITHOUT_TARGET = {
    # sign-in and the caller's own session or account
    ("GET", "/"): "home page: links only", ("GET", "/admin"): "home page: the caller's own menu",
    ("GET", "/teacher"): "home page of the caller's own file",
    ("GET", "/admin/login"): "sign-in", ("POST", "/admin/login"): "sign-in",
    ("GET", "/teacher/login"): "sign-in", ("POST", "/teacher/login"): "sign-in", ("POST", "/logout"): "sign-out",
    ("POST", "/api/v1/auth/login"): "sign-in", ("POST", "/api/v1/auth/logout"): "sign-out",
    ("GET", "/api/v1/auth/me"): "the caller's own account", ("POST", "/api/v1/auth/password"): "own password",
    ("GET", "/account/password"): "own password", ("POST", "/account/password"): "own password",
    ("GET", "/forms/me"): "a redirect to the caller's own file",
    # lists and writes naming their unit in the query or body: the matrix's ENDPOINTS above
    ("GET", "/api/v1/units"): "scope-filtered list (web.scope.units)",
    ("POST", "/api/v1/units"): "ENDPOINTS unit.create_below",
    ("GET", "/api/v1/accounts"): "ENDPOINTS accounts.list", ("POST", "/api/v1/accounts"): "ENDPOINTS account.create",
    ("POST", "/api/v1/accounts/search"): "accounts.list by POST (tests/privacy/test_no_id_in_urls.py)",
    ("POST", "/api/v1/teacher-accounts"): "ENDPOINTS teacher_account.create",
    ("GET", "/api/v1/teacher-accounts/export"): "ENDPOINTS teacher_accounts.export",
    ("POST", "/api/v1/teacher-accounts/import"): "the unit in the query: web.scope.require_unit (page.teacher_accounts.import)",
    ("GET", "/api/v1/teachers"): "ENDPOINTS teachers.list", ("POST", "/api/v1/teachers"): "ENDPOINTS teacher.create",
    ("POST", "/api/v1/teachers/search"): "teachers.list by POST (tests/privacy/test_no_id_in_urls.py)",
    ("GET", "/api/v1/audit"): "entries of the reader's scope (tests/web/test_audit_viewer.py)",
    ("GET", "/admin/audit"): "entries of the reader's scope (tests/web/test_audit_viewer.py)",
    ("POST", "/admin/audit"): "the filter form: a redirect to the page",
    ("GET", "/admin/accounts"): "PAGE_RULES page.accounts", ("POST", "/admin/accounts/new"): "PAGE_RULES page.account.create",
    ("GET", "/admin/teacher-accounts"): "PAGE_RULES page.teacher_accounts",
    ("POST", "/admin/teacher-accounts"): "the search form: a redirect to the page",
    ("GET", "/admin/teacher-accounts/export"): "PAGE_RULES page.teacher_accounts.export",
    ("POST", "/admin/teacher-accounts/new"): "PAGE_RULES page.teacher_account.create",
    ("POST", "/admin/teacher-accounts/import"): "PAGE_RULES page.teacher_accounts.import",
    ("POST", "/admin/teacher-accounts/login-switch"): "PAGE_RULES page.teacher_login.switch",
    ("GET", "/admin/teacher-accounts/sample.xlsx"): "an empty sample workbook",
    ("GET", "/api/v1/teacher-accounts/imports/{job_id:str}"): "its creator or grant.teacher at its school "
        "(web.services.account_import.visible_job; tests/web/test_account_import.py)",
    ("GET", "/api/v1/teacher-accounts/imports/{job_id:str}/report"): "as its job (account_import.visible_job)",
    ("GET", "/admin/teacher-accounts/imports/{job_id:str}"): "as its job (account_import.visible_job)",
    ("GET", "/admin/teacher-accounts/imports/{job_id:str}/status"): "as its job (account_import.visible_job)",
    ("GET", "/favicon.ico"): "a picture: no one's data",
    ("GET", "/admin/units"): "PAGE_RULES page.units", ("GET", "/admin/units/new"): "the unit in the query: require_unit",
    ("POST", "/admin/units/new"): "PAGE_RULES page.unit.create_below", ("POST", "/admin/units/import"): "PAGE_RULES page.units.import",
    ("GET", "/admin/units/sample.xlsx"): "an empty sample workbook",
    ("GET", "/forms/teachers"): "scope-filtered list (teachers.list)", ("POST", "/forms/teachers"): "the search form: a redirect",
    ("POST", "/forms/completeness"): "teacher ids in the body, loaded through web.scope.teachers",
    ("GET", "/forms/options/{table:str}"): "a code table: no one's data",
    ("POST", "/api/v1/review/cases/approve"): "case ids in the body: per-item refusal (tests/review)",
    ("POST", "/api/v1/review/cases/reject"): "case ids in the body: per-item refusal (tests/review/test_ui_bulk.py)",
    ("POST", "/review/queue/reject"): "case ids in the body: per-item refusal (tests/review/test_ui_bulk.py)",
    ("POST", "/api/v1/review/files/submit"): "teacher ids in the body: per-item refusal (tests/review)",
    ("GET", "/api/v1/review/windows"): "the caller's own unit", ("POST", "/api/v1/review/windows"): "unit in the body: require_unit",
    ("GET", "/api/v1/review/progress"): "units below the caller (tests/review)", ("GET", "/api/v1/review/queue"): "the caller's review units",
    ("POST", "/review/queue/approve"): "case ids in the body: per-item refusal", ("POST", "/review/school/submit"): "per-item refusal",
    ("POST", "/review/school"): "the search form: a redirect", ("POST", "/credits/search"): "the 学分银行 search form: a redirect", ("GET", "/review"): "the caller's own queue",
    ("POST", "/review/windows"): "unit in the form: require_unit", ("GET", "/review/progress"): "units below the caller",
    ("GET", "/review/queue"): "the caller's review units", ("GET", "/review/school"): "scope-filtered list",
    ("POST", "/api/v1/exports"): "units/teachers in the body through web.scope (tests/excel)",
    ("GET", "/api/v1/imports/{job_id:str}"): "a job of the caller's own (tests/excel)",
    ("GET", "/api/v1/imports/{job_id:str}/report"): "a job of the caller's own (tests/excel)",
    ("POST", "/api/v1/imports"): "unit in the body: require_unit (tests/excel)", ("GET", "/api/v1/template"): "an empty template",
    ("POST", "/excel/export"): "teacher ids through web.scope (tests/excel)", ("GET", "/excel/import"): "the caller's units",
    ("POST", "/excel/import"): "unit in the form: require_unit", ("GET", "/excel/import/jobs/{job_id:str}"): "own job",
    ("GET", "/excel/import/jobs/{job_id:str}/status"): "own job",
    ("GET", "/static/{file_path:path}"): "static files",
    # mobility cases (issue 15): lists of the cases the caller may see, starts naming the caller's
    # own unit or a teacher of its own (tests/mobility/test_case_scope.py)
    **{("GET", f"/api/v1/{k}"): "cases of the caller's scope (web.cases.service.listing)"
       for k in ("transfers", "rotations", "status-changes")},
    ("POST", "/api/v1/transfers"): "the receiving school is the caller's own; the teacher by ID number and name",
    ("POST", "/api/v1/rotations"): "a teacher of the caller's scope (web.scope.get_teacher, record.edit)",
    ("POST", "/api/v1/status-changes"): "a teacher of the caller's scope (web.scope.get_teacher, record.edit)",
    ("GET", "/cases/{slug:str}"): "cases of the caller's scope", ("POST", "/cases/{slug:str}"): "as the POSTs above",
    ("GET", "/admin/recheck"): "records of the reader's scope: web.scope.teacher_filter (tests/web/test_recheck.py)",
    ("GET", "/admin/impact"): "the province's own unit only: W950 (tests/web/test_impact_page.py)",
    ("POST", "/admin/impact"): "the province's own unit only: W950 (tests/web/test_impact_page.py)",
    ("GET", "/admin/impact/{job_id:str}"): "a job of the caller's own (tests/web/test_impact_page.py)",
    # business modules (web/hooks.py register_routes)
    ("GET", "/api/v1/modules"): "the modules of the caller's province: no one's data",
    ("GET", "/status-changes/batch"): "the batch form: no one's data",
    ("GET", "/status-changes/batch/template.xlsx"): "an empty template",
    ("POST", "/status-changes/batch"): "ID number + name per row, each through web.scope (modules/status_change/tests/test_status_batch.py)",
    # spot checks (modules/spot_check): the list is of the caller's area and the authorities above it;
    # a draw happens at the caller's own unit (spot_check.draw: record.review held there)
    ("GET", "/api/v1/spot-checks"): "checks of the caller's area, and those published to it (modules/spot_check/service.visible)",
    ("GET", "/spot-checks"): "as GET /api/v1/spot-checks",
    ("POST", "/api/v1/spot-checks"): "drawn at the caller's own unit: spot_check.draw held at it (modules/spot_check/tests)",
    ("POST", "/spot-checks"): "as POST /api/v1/spot-checks",
    # statistics (modules/statistics): the unit in the query, stats.read within scope (ENDPOINTS statistics.table)
    ("GET", "/api/v1/statistics"): "the tables in force and the caller's own unit",
    ("GET", "/api/v1/statistics/{table:str}"): "ENDPOINTS statistics.table",
    ("GET", "/api/v1/statistics/{table:str}/children"): "as statistics.table (modules/statistics/tests/test_api.py)",
    # training credits (modules/credits; its tests: modules/credits/tests/test_api.py and test_scope.py)
    ("GET", "/api/v1/training/projects"): "an institution its own projects; staff those registered within scope or above (projects.visible_projects)",
    ("POST", "/api/v1/training/projects"): "registered at the caller's own unit: credits.project.register held at it, levels by unit level",
    ("GET", "/api/v1/training/projects/{project_id:int}/results"): "the institution of the project, or staff: rows of teachers within teacher.read scope",
    ("POST", "/api/v1/training/projects/{project_id:int}/results"): "the project's own institution (or the organiser's data staff); rows only of teachers under the organiser",
    ("POST", "/api/v1/training/projects/{project_id:int}/results/confirm"): "record.review over the organiser; a national project: the province, its own teachers only",
    ("POST", "/api/v1/training/projects/{project_id:int}/approve"): "record.review at an authority above the school that proposed the plan",
    ("POST", "/api/v1/training/projects/{project_id:int}/results/{result_id:int}/reject"): "as the page's …/reject (results.reject_result: confirm_results' scope check)",
    ("POST", "/api/v1/training/projects/{project_id:int}/results/{result_id:int}/revoke"): "as confirm (corrections.revoke_result asks confirm_results' scope check; another authority or an institution: W547)",
    ("GET", "/api/v1/teachers/{teacher_id:int}/credits"): "web.scope.get_teacher (teacher.read; a teacher its own)",
    ("GET", "/api/v1/training/balances"): "teachers of scope.teacher_filter (teacher.read) only, a page; their ledger sums",
    ("GET", "/api/v1/training/projects/{project_id:int}/results/template.xlsx"): "an empty template of a project the caller may submit to",
    ("POST", "/api/v1/training/projects/{project_id:int}/results/upload"): "as POST …/results (the same service)",
    ("GET", "/credits"): "as GET /api/v1/training/balances (staff) or the teacher's own credits",
    ("GET", "/credits/teachers/{teacher_id:int}/transcript"): "as GET /api/v1/teachers/{teacher_id}/credits",
    ("GET", "/credits/teachers/{teacher_id:int}"): "as GET /api/v1/teachers/{teacher_id}/credits",
    ("POST", "/api/v1/teachers/{teacher_id:int}/credits/adjustments"): "web.scope.get_teacher as GET …/credits (outside: 404), "
        "then credits.adjust: record.review at an authority unit reaching the teacher's school (W679; modules/credits/tests/test_adjustments.py)",
    ("POST", "/credits/teachers/{teacher_id:int}/adjustments"): "as POST /api/v1/teachers/{teacher_id}/credits/adjustments",
    ("GET", "/credits/projects"): "as GET /api/v1/training/projects (an institution its own projects)",
    ("GET", "/credits/projects/{project_id:int}"): "as GET …/results (results.results_of: the project's institution, or staff within teacher.read scope)",
    ("POST", "/credits/projects/{project_id:int}/upload"): "as POST …/results/upload (sheet.upload: the project's own institution)",
    ("POST", "/credits/projects/{project_id:int}/confirm"): "as POST …/results/confirm (results.confirm_results)",
    ("POST", "/credits/projects/new"): "as POST /api/v1/training/projects (projects.register_project: at the caller's own unit)",
    ("POST", "/credits/projects/{project_id:int}/decide"): "as POST …/approve (projects.decide_plan: record.review at an authority above the plan's school)",
    ("POST", "/credits/projects/{project_id:int}/results/{result_id:int}/reject"): "as confirm (results.reject_result asks confirm_results' own scope check; a row of a teacher outside it: W547)",
    ("POST", "/credits/projects/{project_id:int}/results/{result_id:int}/revoke"): "as POST /api/v1/training/projects/{id}/results/{rid}/revoke (corrections.revoke_result)",
    ("GET", "/credits/institutions"): "the institutions registered at the caller's own unit (an authority's; W681 elsewhere)",
    ("POST", "/credits/institutions/new"): "registered at the caller's own unit: credits.project.register held at it",
    ("POST", "/credits/institutions/{institution_id:int}/accounts"): "an institution of the caller's own unit (W682), "
        "grant.training_institution held at it; web.services.accounts.create_staff (modules/credits/tests/test_institution_accounts.py)",
    # carried-over credits (modules/credits/carry_over.py; modules/credits/tests/test_carry_over.py)
    **{(m, p): "credits.carry_over (record.review at an authority, W643 elsewhere); each row's teacher by ID number "
       "and name within record.review scope, outside it the same words as an unknown number"
       for m, p in (("POST", "/api/v1/training/carry-over"), ("GET", "/api/v1/training/carry-over/template.xlsx"),
                    ("POST", "/api/v1/training/carry-over/upload"), ("GET", "/credits/carry-over"),
                    ("POST", "/credits/carry-over/upload"))},
    # self-study claims (modules/credits/tests/test_claims.py: another school 404)
    ("POST", "/api/v1/teachers/me/credit-claims"): "a teacher account, its own file only (claims.submit; staff W657)",
    ("POST", "/api/v1/teachers/me/credit-claims/{claim_id:int}"): "the teacher's own returned claim, else 404",
    ("GET", "/api/v1/teachers/me/credit-claims"): "the teacher's own claims",
    ("GET", "/api/v1/credit-claims"): "claims whose school is within record.review scope (scope.unit_filter)",
    ("GET", "/api/v1/credit-claims/{claim_id:int}/evidence"): "web.scope.get_teacher (teacher.read; the teacher its own), else 404",
    ("POST", "/api/v1/credit-claims/{claim_id:int}/review"): "record.review held at the claim's school (W658), outside scope 404",
    ("POST", "/api/v1/credit-claims/{claim_id:int}/confirm"): "record.review at an authority above the claim's school (W658), outside scope 404",
    ("POST", "/api/v1/credit-claims/{claim_id:int}/revoke"): "as …/confirm (claims.may_confirm)",
    ("POST", "/api/v1/credit-claims/{claim_id:int}/return"): "as …/confirm (claims.may_confirm)",
    ("GET", "/credits/claims"): "as GET /api/v1/credit-claims", ("POST", "/credits/claims"): "as POST /api/v1/teachers/me/credit-claims",
    ("POST", "/credits/claims/{claim_id:int}"): "as POST /api/v1/teachers/me/credit-claims/{id}",
    ("POST", "/credits/claims/{claim_id:int}/review"): "as POST /api/v1/credit-claims/{id}/review",
    ("POST", "/credits/claims/{claim_id:int}/confirm"): "as POST /api/v1/credit-claims/{id}/confirm",
    # modules/registration (modules/registration/tests/test_batch.py: outside the route and scope, 404)
    ("POST", "/api/v1/registration/batches"): "the caller's own school; each teacher through web.scope.get_teacher (record.edit)",
    ("GET", "/api/v1/registration/batches"): "batches of the caller's scope (modules/registration/batch.py listing)",
    ("GET", "/api/v1/registration/batches/{batch_id:int}"): "a batch visible to its school, its route and above, else 404",
    ("POST", "/api/v1/registration/batches/{batch_id:int}/decisions"): "the acting step's unit only (W578), else 404",
    ("POST", "/api/v1/registration/batches/{batch_id:int}/forward"): "the acting step's unit only (W578), else 404",
    ("GET", "/api/v1/registration/warnings"): "teachers of the caller's scope; the unit in the query: require_unit",
    ("GET", "/statistics"): "a redirect to the dashboard of the caller's own unit",
    ("GET", "/statistics/crosstab"): "a redirect to the cross-table builder of the caller's own unit",
    ("GET", "/statistics/static/{file_path:path}"): "the statistics pages' scripts and styles (ECharts): no one's data",
    ("GET", "/api/v1/statistics/{table:str}/trend"): "as statistics.table at each snapshot (modules/statistics/tests/test_snapshots.py)",
    ("GET", "/api/v1/statistics/snapshots"): "the register of snapshots (days, labels, head counts): stats.read somewhere",
    # the national tier (web/tier): TMIS_TIER=national only (W814 elsewhere), ministry accounts only
    # (national.* actions have levels=("ministry",)); a ministry account's scope is every province
    **{(m, p): "national tier only (W814 in a province), ministry accounts only (tests/tier/test_national_app.py)"
       for m, p in (("GET", "/national/lag"), ("GET", "/national/statistics"), ("GET", "/national/duplicates"),
                    ("POST", "/national/dedup"), ("POST", "/national/duplicates/{dup_id:str}"),
                    ("GET", "/api/v1/national/lag"), ("GET", "/api/v1/national/statistics"),
                    ("GET", "/api/v1/national/duplicates"), ("POST", "/api/v1/national/dedup"),
                    ("POST", "/api/v1/national/duplicates/{dup_id:str}"))},
    ("GET", "/registration"): "as GET /api/v1/registration/batches and /warnings (the caller's scope)",
    ("POST", "/registration/apply"): "as POST /api/v1/registration/batches",
    ("GET", "/registration/batches/{batch_id:int}"): "as GET /api/v1/registration/batches/{batch_id}",
    ("GET", "/registration/mine"): "the signed-in teacher's own file only (service.teacher_registration with its own id); staff W201",
    ("POST", "/registration/batches/{batch_id:int}/decide"): "as the API's decisions and forward (W578, else 404)",
    ("GET", "/statistics/trends"): "a redirect to the trends of the caller's own unit",
    ("GET", "/statistics/report"): "a redirect to the analysis report of the caller's own unit",
    ("POST", "/statistics/snapshots"): "a snapshot of the whole deployment: statistics.snapshot held at a province unit "
                                       "(modules/statistics/tests/test_snapshots.py)",
}


def app_routes(app) -> list[tuple[str, str]]:
    out = set()
    for route in app.routes:
        if route.path == "/schema" or route.path.startswith("/schema/"):
            continue  # the OpenAPI document and its viewers
        for handler in getattr(route, "route_handlers", []):
            out.update((m, route.path) for m in handler.http_methods if m not in ("OPTIONS", "HEAD"))
    return sorted(out)


def _params(path: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+):\w+\}", path)


def test_every_route_is_in_the_matrix(app):
    missing = [f"{m} {p}" for m, p in app_routes(app)
               if not set(_params(p)) & set(TARGET_PARAMS) and (m, p) not in ROUTES_WITHOUT_TARGET]
    assert not missing, (
        "routes the scope matrix does not cover: " + ", ".join(missing) + ". A route that names its target in "
        "the path ({" + "}, {".join(TARGET_PARAMS) + "}) is covered by test_route_refuses_targets_outside_scope "
        "by itself; otherwise add it to ENDPOINTS/PAGE_RULES with its expected outcome per role, or to "
        "ROUTES_WITHOUT_TARGET in tests/web/test_scope_matrix.py with what limits its scope.")
    gone = [f"{m} {p}" for m, p in ROUTES_WITHOUT_TARGET if (m, p) not in set(app_routes(app))]
    assert not gone, f"ROUTES_WITHOUT_TARGET names routes the app no longer has: {gone}"


@pytest.fixture(scope="module")
def outside(ctx, world):
    """Targets in 甘肃 (outside every Jiangxi caller's scope): a teacher with an open change request."""
    from sqlalchemy import select

    from web.db.models import Account, Record, Teacher
    from web.review.models import ReviewCase

    tid = world.teachers["6201020001"][2]
    with ctx.sessions() as db:
        teacher = db.get(Teacher, tid)
        basic = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        copy = Record(teacher_id=tid, set_key="basic", position=0, document=dict(basic.document),
                      catalogue_version=basic.catalogue_version, copy_of_id=basic.id, state="draft")
        db.add(copy)
        db.flush()
        case = ReviewCase(teacher_id=tid, unit_id=teacher.unit_id, kind="change", status="draft",
                          record_ids=[copy.id], snapshot={})
        db.add(case)
        account = db.scalar(select(Account.id).where(Account.username == "info_viewer@6201020001"))
        db.commit()
        return {"tid": tid, "teacher_id": tid, "rid": basic.id, "case_id": case.id, "copy_id": copy.id,
                "code": "6201020001", "account_id": account, "name": teacher.name, "id_number": teacher.id_number,
                "set_key": "basic", "role": "info_viewer", "action": "approve", "table": "XB",
                "job_id": "none", "file_path": "app.css", "slug": "transfers",
                "mobility_case_id": _outside_mobility_case(db, teacher), **_outside_spot_check(db, teacher)}


def _outside_mobility_case(db, teacher) -> int:
    """A status change of the 甘肃 teacher waiting for 城关区 (no Jiangxi unit is a party)."""
    from web.cases.models import MobilityCase

    county = teacher.unit.parent
    case = MobilityCase(kind="transfer", teacher_id=teacher.id, teacher_name=teacher.name,
                        initiator_unit_id=teacher.unit_id, state="pending", step=0, acting_unit_id=county.id,
                        steps=[{"key": "receiving_authority", "label": "调入单位主管部门审核", "label_en": "x",
                                "unit_id": county.id, "unit_code": county.code, "unit_name": county.name,
                                "roles": ["info_manager", "info_reviewer"], "actions": ["approve", "return", "reject"]}],
                        payload={}, version=1)
    db.add(case)
    db.commit()
    return case.id


def _outside_spot_check(db, teacher) -> dict:
    """A published spot check of 城关区 sampling the 甘肃 teacher (none without modules/spot_check)."""
    try:
        from modules.spot_check.models import SpotCheck, SpotCheckItem
    except ImportError:
        return {}
    check = SpotCheck(unit_id=teacher.unit.parent_id, kind="teacher", title="城关区抽查", seed="1", size=1,
                      population=1, fingerprint="0" * 64, state="published")
    db.add(check)
    db.flush()
    item = SpotCheckItem(check_id=check.id, position=1, unit_id=teacher.unit_id, unit_name=teacher.unit.name,
                         teacher_id=teacher.id, teacher_name=teacher.name)
    db.add(item)
    db.commit()
    return {"check_id": check.id, "item_id": item.id}


def _targeted_cases():
    for role, home in itertools.product(ROLES, HOMES):
        if role == "teacher" and home != "school":
            continue
        yield pytest.param(role, home, id=f"{role}-{home}")


@pytest.mark.parametrize("role,home", list(_targeted_cases()))
def test_route_refuses_targets_outside_scope(app, world, outside, role, home):
    """Every route naming a target, called with a target in another province: refused, nothing shown."""
    c = _client(app, world, role, home)
    failures = []
    for method, path in app_routes(app):
        params = _params(path)
        if not set(params) & set(TARGET_PARAMS):
            continue
        unknown = [p for p in params if p not in outside]
        if unknown:
            pytest.fail(f"{method} {path}: no target outside the scope for the path parameter(s) {unknown}; "
                        "add one to the 'outside' fixture of tests/web/test_scope_matrix.py")
        url = path
        for p in params:
            url = url.replace("{" + p + ":" + path.split("{" + p + ":")[1].split("}")[0] + "}", str(outside[p]))
        kw = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        # a GET that only redirects (/forms/teachers/{id} → its first set) is judged where it leads
        r = c.http.request(method, url, follow_redirects=method == "GET", **kw)
        refused = r.status_code in (403, 404) if method == "GET" else 400 <= r.status_code < 500
        shown = outside["name"] in r.text or outside["id_number"] in r.text
        if not refused or shown:
            failures.append(f"{method} {url}: {r.status_code}{' shows the target' if shown else ''}")
    assert not failures, f"{role}@{HOMES[home]['own']} reached targets outside its scope:\n" + "\n".join(failures)
