"""Issue 14, finding 1: a viewer (信息查询员) never sees another person's personal values, on any
route of the app, and every read of a file's record values is audited.

The routes come from the app's route table: every (method, path) is either a route that renders
a teacher's record values (``RECORD_ROUTES``: it must answer 200 to a viewer, show the values
masked and write a ``teacher.read`` audit entry) or is listed in ``OTHER_ROUTES`` with the reason
it renders none. Both kinds are called, as viewers at school, county, city and province level,
and no answer may contain a known personal value (ID numbers, birth dates, mobiles, an address,
salaries — of the file, of a change request's copies and of an addition). A route in neither
table fails the test by name, so a new endpoint is covered from the day it is added.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from tests.review.filegen import complete_file
from tests.web.conftest import PASSWORD, Client, four_items
from web.db.models import Account, AuditEntry, Record, Teacher
from web.review import changes as C
from web.review.models import PENDING, ReviewCase
from web.services import auth as auth_service
from web.services import teachers as teacher_service
from web.services import units as unit_service

SCHOOL = "3601020001"
VIEWERS = ("info_viewer@3601020001", "info_viewer@360102", "info_viewer@3601", "info_viewer@36")

# Routes that render a teacher's record values: a viewer gets them masked, and the read is audited.
RECORD_ROUTES = {
    ("GET", "/api/v1/teachers/{teacher_id:int}"),
    ("GET", "/api/v1/teachers/{tid:int}/sets/{set_key:str}"),
    ("GET", "/api/v1/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}"),
    ("GET", "/forms/teachers/{tid:int}/sets/{set_key:str}"),
    ("GET", "/forms/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}"),
    ("GET", "/forms/teachers/{tid:int}/print"),
    ("GET", "/api/v1/review/cases/{case_id:int}"),
    ("GET", "/review/cases/{case_id:int}"),
    ("GET", "/review/copies/{copy_id:int}"),
    # modules/registration: the unmet conditions name a sanction only with personal.read
    ("GET", "/api/v1/teachers/{tid:int}/registration"),
}

# Every other route, with the reason it renders no record value (it is still called as a viewer
# and checked for leaks, unless it acts on the session itself).
_WRITE = "a write: a viewer holds no record.edit/record.review/account rights and is refused"
_LIST = "a list of people: names and masked ID numbers (teacher.list audits unmasked pages)"
_STATE = "review state, queue, progress or timeline: names, states and dates, no record values"
_UNITS = "units and accounts: no teacher's record values"
_STATIC = "static, schema or a sample workbook: no data"
_EXPORT = "an export or an import: needs personal.read (a viewer is refused)"
_ACCOUNT_JOB = ("a teacher-account import job: its creator's or a school system administrator's "
                "(grant.teacher; a viewer is refused); names and counts, no record values")
_SEARCH = "a search form: answers with a redirect to the list, the search as a token"
_CASE = ("a mobility case (web/cases): name, ID number masked unless personal.read reaches the teacher, schools, "
         "steps; no record values; looks audited (case.read)")
_SPOT = ("a spot check (modules/spot_check): names and schools of the sample, ID numbers masked unless personal.read "
         "reaches the teacher, results and notes; no record values; a list naming teachers is audited (spot_check.read)")
_REGISTRATION = ("registration batches and the warning list (modules/registration): names, ID numbers masked "
                 "without personal.read, cycle dates, unmet conditions with sanctions hidden; no record values")
SESSION = "signs in, out or changes the password: acts on the session; renders no record"
OTHER_ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/"): "the home page: links only",
    ("GET", "/admin"): "the 管理端 home page: links, to-do counts, units' progress by name",
    ("GET", "/teacher"): "the teacher home page (teachers only)",
    ("GET", "/admin/login"): SESSION, ("POST", "/admin/login"): SESSION,
    ("GET", "/teacher/login"): SESSION, ("POST", "/teacher/login"): SESSION,
    ("POST", "/logout"): SESSION, ("POST", "/api/v1/auth/login"): SESSION,
    ("POST", "/api/v1/auth/logout"): SESSION, ("GET", "/account/password"): SESSION,
    ("POST", "/account/password"): SESSION, ("POST", "/api/v1/auth/password"): SESSION,
    ("GET", "/api/v1/auth/me"): "the caller's own account",
    ("GET", "/admin/recheck"): "a list of records to check: masked names and ID numbers, messages with personal values masked",
    ("GET", "/admin/impact"): "an upload form (the province only)", ("POST", "/admin/impact"): "an upload: the province only",
    ("GET", "/admin/impact/{job_id:str}"): "an impact report: counts, masked names, ID numbers and personal values",
    ("GET", "/api/v1/units"): _UNITS, ("POST", "/api/v1/units"): _WRITE,
    ("GET", "/api/v1/units/{code:str}"): _UNITS, ("PATCH", "/api/v1/units/{code:str}"): _WRITE,
    ("POST", "/api/v1/units/{code:str}/teacher-login"): _WRITE,
    ("POST", "/api/v1/accounts"): _WRITE, ("GET", "/api/v1/accounts"): _UNITS,
    ("GET", "/api/v1/accounts/{account_id:int}"): _UNITS,
    ("DELETE", "/api/v1/accounts/{account_id:int}"): _WRITE,
    ("POST", "/api/v1/accounts/{account_id:int}/grants"): _WRITE,
    ("POST", "/api/v1/accounts/{account_id:int}/reset-password"): _WRITE,
    ("DELETE", "/api/v1/accounts/{account_id:int}/grants/{role:str}"): _WRITE,
    ("POST", "/api/v1/accounts/{account_id:int}/enabled"): _WRITE,
    ("POST", "/api/v1/teacher-accounts"): _WRITE,
    ("GET", "/api/v1/teacher-accounts/export"): _EXPORT,
    ("POST", "/api/v1/teacher-accounts/import"): _EXPORT,
    ("GET", "/api/v1/teachers"): _LIST, ("POST", "/api/v1/teachers"): _WRITE,
    ("GET", "/api/v1/audit"): "the audit log: needs audit.read; values never shown, ID-like text masked",
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}/delete"): _WRITE,
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}"): _WRITE,
    ("GET", "/forms/teachers/{tid:int}"): "a redirect to the file's first set",
    ("GET", "/forms/me"): "a redirect to the caller's own file or the list",
    ("GET", "/forms/teachers/{tid:int}/sets/{set_key:str}/new"): "an empty new-record form: editors only",
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/new"): _WRITE,
    ("GET", "/forms/options/{table:str}"): "a code table's options",
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/photo"): _WRITE,
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/refresh"): _WRITE,
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}"): _WRITE,
    ("POST", "/forms/teachers/{tid:int}/sets/{set_key:str}/validate"): _WRITE,
    ("POST", "/forms/completeness"): "completeness counts per teacher: problem counts, no values",
    ("GET", "/forms/teachers/{tid:int}/completeness"): "the completeness check: rule messages name fields, not values",
    ("GET", "/forms/teachers"): _LIST,
    ("POST", "/api/v1/teachers/{tid:int}/sets/{set_key:str}"): _WRITE,
    ("PUT", "/api/v1/teachers/{tid:int}/sets/{set_key:str}"): _WRITE,
    ("DELETE", "/api/v1/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}"): _WRITE,
    ("PUT", "/api/v1/teachers/{tid:int}/sets/{set_key:str}/records/{rid:int}"): _WRITE,
    ("POST", "/api/v1/teachers/{tid:int}/sets/{set_key:str}/validate"): _WRITE,
    ("POST", "/api/v1/review/cases/{case_id:int}/approve"): _WRITE,
    ("POST", "/api/v1/review/cases/approve"): _WRITE,
    ("POST", "/api/v1/review/cases/reject"): _WRITE, ("POST", "/review/queue/reject"): _WRITE,
    ("DELETE", "/api/v1/teachers/{teacher_id:int}"): _WRITE, ("POST", "/forms/teachers/{tid:int}/delete"): _WRITE,
    ("GET", "/forms/teachers/{tid:int}/delete"): "the deletion's confirmation: the name, the unit and a count of records",
    ("POST", "/api/v1/review/files/submit"): _WRITE,
    ("POST", "/api/v1/review/cases/{case_id:int}/discard"): _WRITE,
    ("GET", "/api/v1/review/files/{teacher_id:int}"): _STATE,
    ("GET", "/api/v1/review/files/{teacher_id:int}/timeline"): _STATE,
    ("POST", "/api/v1/review/files/{teacher_id:int}/changes"): _WRITE,
    ("POST", "/api/v1/review/windows"): _WRITE, ("GET", "/api/v1/review/windows"): _STATE,
    ("GET", "/api/v1/review/progress"): _STATE, ("GET", "/api/v1/review/queue"): _STATE,
    ("POST", "/api/v1/review/cases/{case_id:int}/reject"): _WRITE,
    ("POST", "/api/v1/review/files/{teacher_id:int}/records"): _WRITE,
    ("POST", "/api/v1/review/files/{teacher_id:int}/submit"): _WRITE,
    ("POST", "/api/v1/review/files/{teacher_id:int}/additions/submit"): _WRITE,
    ("POST", "/api/v1/review/cases/{case_id:int}/submit"): _WRITE,
    ("POST", "/review/queue/approve"): _WRITE, ("POST", "/review/school/submit"): _WRITE,
    ("POST", "/review/cases/{case_id:int}/{action:str}"): _WRITE,
    ("POST", "/review/copies/{copy_id:int}"): _WRITE,
    ("GET", "/review/files/{teacher_id:int}"): _STATE,
    ("POST", "/review/files/{teacher_id:int}/{action:str}"): _WRITE,
    ("GET", "/review"): _STATE, ("POST", "/review/windows"): _WRITE, ("GET", "/review/progress"): _STATE,
    ("GET", "/review/queue"): _STATE, ("GET", "/review/school"): _LIST,
    ("POST", "/api/v1/exports"): _EXPORT, ("GET", "/api/v1/imports/{job_id:str}"): _EXPORT,
    ("GET", "/api/v1/imports/{job_id:str}/report"): _EXPORT, ("POST", "/api/v1/imports"): _EXPORT,
    ("GET", "/api/v1/template"): _STATIC, ("POST", "/excel/export"): _EXPORT,
    ("GET", "/excel/import"): _EXPORT, ("POST", "/excel/import"): _EXPORT,
    ("GET", "/excel/import/jobs/{job_id:str}"): _EXPORT, ("GET", "/excel/import/jobs/{job_id:str}/status"): _EXPORT,
    ("POST", "/admin/accounts/new"): _WRITE, ("POST", "/admin/accounts/{account_id:int}/delete"): _WRITE,
    ("POST", "/admin/accounts/{account_id:int}/enabled"): _WRITE,
    ("POST", "/admin/accounts/{account_id:int}/grant"): _WRITE, ("GET", "/admin/accounts"): _UNITS,
    ("POST", "/admin/accounts/{account_id:int}/reset-password"): _WRITE,
    ("POST", "/admin/accounts/{account_id:int}/revoke"): _WRITE,
    ("POST", "/admin/teacher-accounts/new"): _WRITE, ("GET", "/admin/teacher-accounts/export"): _EXPORT,
    ("POST", "/admin/teacher-accounts/import"): _EXPORT,
    ("GET", "/admin/teacher-accounts"): "teacher accounts: masked usernames (system administrators only)",
    ("POST", "/admin/teacher-accounts/login-switch"): _WRITE,
    ("GET", "/admin/teacher-accounts/sample.xlsx"): _STATIC,
    ("GET", "/api/v1/teacher-accounts/imports/{job_id:str}"): _ACCOUNT_JOB,
    ("GET", "/api/v1/teacher-accounts/imports/{job_id:str}/report"): _ACCOUNT_JOB,
    ("GET", "/admin/teacher-accounts/imports/{job_id:str}"): _ACCOUNT_JOB,
    ("GET", "/admin/teacher-accounts/imports/{job_id:str}/status"): _ACCOUNT_JOB,
    ("GET", "/favicon.ico"): _STATIC,
    ("GET", "/admin/units/{code:str}/children"): _UNITS, ("GET", "/admin/units/new"): _UNITS,
    ("POST", "/admin/units/new"): _WRITE, ("GET", "/admin/units/{code:str}/edit"): _UNITS,
    ("POST", "/admin/units/{code:str}/edit"): _WRITE, ("POST", "/admin/units/import"): _WRITE,
    ("GET", "/admin/units"): _UNITS, ("GET", "/admin/units/{code:str}/move"): _UNITS,
    ("POST", "/admin/units/{code:str}/move"): _WRITE, ("GET", "/admin/units/sample.xlsx"): _STATIC,
    ("GET", "/admin/audit"): "the audit log page: needs audit.read; values never shown, ID-like text masked",
    ("GET", "/static/{file_path:path}"): _STATIC,
    ("POST", "/forms/teachers"): _SEARCH, ("POST", "/admin/audit"): _SEARCH, ("POST", "/review/school"): _SEARCH, ("POST", "/credits/search"): _SEARCH,
    ("POST", "/admin/teacher-accounts"): _SEARCH,
    ("POST", "/api/v1/teachers/search"): _LIST, ("POST", "/api/v1/accounts/search"): _UNITS,
    **{(m, p.format(k=k)): (_CASE if m == "GET" else _WRITE)
       for k in ("transfers", "rotations", "status-changes")
       for m, p in (("GET", "/api/v1/{k}"), ("GET", "/api/v1/{k}/{{mobility_case_id:int}}"), ("POST", "/api/v1/{k}"),
                    *(("POST", "/api/v1/{k}/{{mobility_case_id:int}}/" + a)
                      for a in ("approve", "return", "reject", "withdraw", "resubmit")))},
    ("GET", "/cases/{slug:str}"): _CASE, ("GET", "/cases/{slug:str}/{mobility_case_id:int}"): _CASE,
    ("POST", "/cases/{slug:str}"): _WRITE, ("POST", "/cases/{slug:str}/{mobility_case_id:int}/{action:str}"): _WRITE,
    ("GET", "/api/v1/modules"): "the enabled business modules: key, label, version",
    ("GET", "/status-changes/batch"): "the status-change batch form", ("GET", "/status-changes/batch/template.xlsx"): _STATIC,
    ("POST", "/status-changes/batch"): "the uploader's own sheet: problems by row, ID numbers masked",
    # spot checks (modules/spot_check): the secrets fixture's check samples the secret teachers
    ("GET", "/api/v1/spot-checks"): _SPOT, ("GET", "/spot-checks"): _SPOT,
    ("GET", "/api/v1/spot-checks/{check_id:int}"): _SPOT, ("GET", "/spot-checks/{check_id:int}"): _SPOT,
    ("POST", "/api/v1/spot-checks"): _WRITE, ("POST", "/spot-checks"): _WRITE,
    ("POST", "/api/v1/spot-checks/{check_id:int}/items/{item_id:int}"): _WRITE,
    ("POST", "/spot-checks/{check_id:int}/items/{item_id:int}"): _WRITE,
    ("POST", "/api/v1/spot-checks/{check_id:int}/publish"): _WRITE, ("POST", "/spot-checks/{check_id:int}/publish"): _WRITE,
    # statistics (modules/statistics): head counts by code, no person named
    ("GET", "/api/v1/statistics"): "the statistics tables and dimensions: definitions, no data",
    ("GET", "/api/v1/statistics/{table:str}"): "head counts per dimension code of the caller's scope: no person",
    ("GET", "/api/v1/statistics/{table:str}/children"): "head counts per unit below: no person",
    # training credits (modules/credits)
    ("GET", "/api/v1/training/projects"): "projects: names, hours, dates, counts; no person",
    ("POST", "/api/v1/training/projects"): _WRITE, ("POST", "/api/v1/training/projects/{project_id:int}/approve"): _WRITE,
    ("GET", "/api/v1/training/projects/{project_id:int}/results"): "staff: participants' names in scope, ID numbers masked unless personal.read reaches the teacher (web/privacy.py Listing), audited; the institution: only what it sent (masked ID number, no name or school)",
    ("POST", "/api/v1/training/projects/{project_id:int}/results"): "the submitter's own rows: problems by row and column, no values echoed",
    ("POST", "/api/v1/training/projects/{project_id:int}/results/confirm"): _WRITE,
    ("GET", "/api/v1/teachers/{teacher_id:int}/credits"): "credits, hours and projects: no personal field (name only); the read is audited",
    ("GET", "/api/v1/training/balances"): "names, ID numbers masked unless personal.read reaches the teacher (web/privacy.py Listing), credit sums: like the teacher list (unmasked pages audited)",
    ("GET", "/api/v1/training/projects/{project_id:int}/results/template.xlsx"): _STATIC,
    ("POST", "/api/v1/training/projects/{project_id:int}/results/upload"): "the uploader's own workbook with its problems written back",
    ("GET", "/credits"): "as GET /api/v1/training/balances, or the teacher's own credits",
    ("GET", "/credits/teachers/{teacher_id:int}/transcript"): "name, unit, credits and the ID number through privacy.Policy (masked without personal.read); the read is audited",
    ("GET", "/credits/teachers/{teacher_id:int}"): "as GET /api/v1/teachers/{id}/credits: name and credits, no personal field; audited",
    ("POST", "/api/v1/teachers/{teacher_id:int}/credits/adjustments"): _WRITE,
    ("POST", "/credits/teachers/{teacher_id:int}/adjustments"): _WRITE,
    ("GET", "/credits/projects"): "projects: names, hours, dates, counts; no person",
    ("GET", "/credits/projects/{project_id:int}"): "as GET /api/v1/training/projects/{id}/results (service.results_of): staff names in scope, ID numbers masked without personal.read, audited; the institution only what it sent",
    ("POST", "/credits/projects/{project_id:int}/upload"): "the uploader's own workbook's problems by row (no other person's data)",
    ("POST", "/credits/projects/{project_id:int}/confirm"): _WRITE,
    ("POST", "/credits/projects/new"): _WRITE, ("POST", "/credits/projects/{project_id:int}/decide"): _WRITE,
    ("POST", "/credits/projects/{project_id:int}/results/{result_id:int}/reject"): _WRITE,
    ("POST", "/credits/projects/{project_id:int}/results/{result_id:int}/revoke"): _WRITE,
    ("POST", "/api/v1/training/projects/{project_id:int}/results/{result_id:int}/reject"): _WRITE,
    ("POST", "/api/v1/training/projects/{project_id:int}/results/{result_id:int}/revoke"): _WRITE,
    ("GET", "/credits/institutions"): "the unit's institutions and their accounts' usernames and names: no teacher",
    ("POST", "/credits/institutions/new"): _WRITE,
    ("POST", "/credits/institutions/{institution_id:int}/accounts"): "a new account's initial password, shown once to its creator: no teacher",
    # carried-over credits (modules/credits/carry_over.py): the importer's own rows, problems by row and column
    ("POST", "/api/v1/training/carry-over"): "a summary or the importer's own rows' problems (no teacher's data echoed)",
    ("GET", "/api/v1/training/carry-over/template.xlsx"): _STATIC,
    ("POST", "/api/v1/training/carry-over/upload"): "the uploader's own workbook with its problems written back",
    ("GET", "/credits/carry-over"): "the form and the province's categories: no person",
    ("POST", "/credits/carry-over/upload"): "the uploader's own workbook's problems by row (no other person's data)",
    # self-study claims (modules/credits/claims.py)
    ("POST", "/api/v1/teachers/me/credit-claims"): "the teacher's own claim as sent (title, dates, hours, the file's name/type/size)",
    ("POST", "/api/v1/teachers/me/credit-claims/{claim_id:int}"): "the teacher's own claim as corrected",
    ("GET", "/api/v1/teachers/me/credit-claims"): "the teacher's own claims: no other person",
    ("GET", "/api/v1/credit-claims"): "claims of schools in record.review scope: the teacher's name and school, no personal field",
    ("GET", "/api/v1/credit-claims/{claim_id:int}/evidence"): "the evidence file the teacher uploaded: to readers of the teacher only (scope.get_teacher), audited",
    ("POST", "/api/v1/credit-claims/{claim_id:int}/review"): _WRITE, ("POST", "/api/v1/credit-claims/{claim_id:int}/confirm"): _WRITE,
    ("POST", "/api/v1/credit-claims/{claim_id:int}/revoke"): _WRITE,
    ("POST", "/api/v1/credit-claims/{claim_id:int}/return"): _WRITE,
    ("GET", "/credits/claims"): "as GET /api/v1/credit-claims: teachers' names and schools, no personal field",
    ("POST", "/credits/claims"): "the teacher's own claim (a redirect to 我的学分)", ("POST", "/credits/claims/{claim_id:int}"): "the teacher's own claim (a redirect)",
    ("POST", "/credits/claims/{claim_id:int}/review"): _WRITE, ("POST", "/credits/claims/{claim_id:int}/confirm"): _WRITE,
    ("GET", "/registration/mine"): "the signed-in teacher's own cycle, conditions and applications (its own data: Policy.own)",
    **{(m, p): (_REGISTRATION if m == "GET" else _WRITE) for m, p in (
        ("POST", "/api/v1/registration/batches"), ("GET", "/api/v1/registration/batches"),
        ("GET", "/api/v1/registration/batches/{batch_id:int}"),
        ("POST", "/api/v1/registration/batches/{batch_id:int}/decisions"),
        ("POST", "/api/v1/registration/batches/{batch_id:int}/forward"), ("GET", "/api/v1/registration/warnings"),
        ("GET", "/registration"), ("POST", "/registration/apply"), ("GET", "/registration/batches/{batch_id:int}"),
        ("POST", "/registration/batches/{batch_id:int}/decide"))},
    # the dashboards (modules/statistics/pages.py): the same head counts as pages and workbooks; a
    # school's cell links to the existing teacher list (masked there), never lists anyone itself
    ("GET", "/statistics"): "a redirect to the own unit's dashboard",
    ("GET", "/statistics/crosstab"): "a redirect to the own unit's cross-table builder",
    ("GET", "/statistics/units/{code:str}"): "head counts per dimension code and per unit below: no person",
    ("GET", "/statistics/units/{code:str}/print"): "head counts per dimension code: no person",
    ("GET", "/statistics/units/{code:str}/crosstab"): "head counts per pair of dimension codes: no person",
    ("GET", "/statistics/units/{code:str}/export.xlsx"): "head counts per dimension code (audited export): no person",
    ("GET", "/statistics/units/{code:str}/units.xlsx"): "head counts per unit below (audited export): no person",
    ("GET", "/statistics/units/{code:str}/crosstab.xlsx"): "head counts per pair of codes (audited export): no person",
    ("GET", "/statistics/units/{code:str}/teachers"): _LIST + "; the teachers of one cell of a table, audited "
    "(teacher.list via statistics); a cell under 5 only with personal.read (modules/statistics/drill.py)",
    ("GET", "/statistics/static/{file_path:path}"): _STATIC,
    ("GET", "/api/v1/statistics/{table:str}/trend"): "head counts per dimension code at each snapshot: no person",
    ("GET", "/api/v1/statistics/snapshots"): "the register of snapshots: days, labels, head counts",
    # the national tier (web/tier): counts, replication state; the duplicates queue shows the four items
    # masked without personal.read and audits the read (tests/tier/test_national_app.py)
    ("GET", "/national/lag"): "replication state per province: no one's data",
    ("GET", "/api/v1/national/lag"): "replication state per province: no one's data",
    ("GET", "/national/statistics"): "counts by province", ("GET", "/api/v1/national/statistics"): "counts by province",
    ("GET", "/national/duplicates"): "ID numbers masked and birth dates hidden without personal.read; read audited",
    ("GET", "/api/v1/national/duplicates"): "ID numbers masked and birth dates hidden without personal.read; read audited",
    ("POST", "/national/dedup"): _WRITE, ("POST", "/api/v1/national/dedup"): _WRITE,
    ("POST", "/national/duplicates/{dup_id:str}"): _WRITE, ("POST", "/api/v1/national/duplicates/{dup_id:str}"): _WRITE,
    ("GET", "/statistics/trends"): "a redirect to the trends of the caller's own unit",
    ("GET", "/statistics/report"): "a redirect to the analysis report of the caller's own unit",
    ("GET", "/statistics/units/{code:str}/report"): "the analysis report: head counts, shares, generated text: no person",
    ("GET", "/statistics/units/{code:str}/report.pdf"): "the analysis report as a PDF (audited export): no person",
    ("GET", "/statistics/units/{code:str}/trends"): "head counts per code at each snapshot, the snapshots' register: no person",
    ("POST", "/statistics/snapshots"): _WRITE,
}
_SCHEMA = re.compile(r"^/schema(/|$)")  # the OpenAPI document and its viewers: no data


def app_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method in ("OPTIONS", "HEAD") or _SCHEMA.match(route.path):
                    continue
                out.append((method, route.path))
    return sorted(set(out))


# ------------------------------------------------------------------ the data to find


@dataclass
class Secrets:
    teacher: int
    other: int  # a second teacher, whose file has an addition under review
    records: dict[str, int]  # set key → a record id of the first teacher
    change_case: int
    copies: list[int]
    addition_case: int
    values: list[str]  # every personal value that must never appear unmasked
    mobility_case: int = 0  # a transfer of the first teacher (web/cases), waiting for the county
    spot_check: int = 0  # a published spot check of the county sampling both teachers (modules/spot_check)
    spot_item: int = 0
    training_project: int = 0  # a county project with confirmed results of both teachers (modules/credits)
    credit_claim: int = 0  # a self-study claim of the secret teacher (modules/credits/claims.py)


MOBILE, MOBILE_NEW = "13907914821", "13907914822"
ADDRESS = "南昌市隐私测试路88号"
INCOME, INCOME_NEW, INCOME_ADDED = 98765.43, 123456.78, 87654.32
PHOTO = "data:image/jpeg;base64,UHJpdmF0ZVBob3Rv"


@pytest.fixture(scope="module")
def secrets(ctx, world) -> Secrets:
    cat = ctx.catalogue
    with ctx.sessions() as db:
        unit = unit_service.by_code(db, SCHOOL)
        ids, values = [], []
        for name in ("隐私甲", "隐私乙"):
            items = teacher_service.FourItems.parse(**four_items(SCHOOL[:6], name))
            t = teacher_service.create_raw(db, unit, items, catalogue_version=cat.version)
            file = complete_file(cat, unit.school_type, items.name, items.id_number)
            basic = db.scalar(select(Record).where(Record.teacher_id == t.id, Record.set_key == "basic"))
            basic.document = {**file["basic"], "photo": PHOTO}
            for key, value in file.items():
                if key == "basic":
                    continue
                for i, doc in enumerate(value if isinstance(value, list) else [value]):
                    doc = dict(doc)
                    if key == "contact":
                        doc.update(mobile=MOBILE, address=ADDRESS)
                    if key == "salary":
                        doc.update(annual_income=INCOME)
                    db.add(Record(teacher_id=t.id, set_key=key, position=i, document=doc,
                                  catalogue_version=cat.version, state="approved"))
            basic.state = "approved"
            t.state = "approved"
            db.flush()
            ids.append(t.id)
            values += [items.id_number, items.birth_date.isoformat()]
        tid, other = ids
        rows = {r.set_key: r.id for r in db.scalars(select(Record).where(Record.teacher_id == tid))}
        # a change request (复本) of the salary and contact records, copies holding new values
        manager = auth_service.principal_of(
            db.scalar(select(Account).where(Account.username == f"info_manager@{SCHOOL}")), ctx)
        case = C.open_change(db, cat, manager, tid, [rows["salary"], rows["contact"]])
        cps = C.copies(db, case)
        for c in cps:
            c.document = {**c.document, **({"annual_income": INCOME_NEW} if c.set_key == "salary"
                                           else {"mobile": MOBILE_NEW})}
        # an addition under review on the other file: a new salary record
        added = Record(teacher_id=other, set_key="salary", position=9, catalogue_version=cat.version, state=PENDING,
                       document={**db.scalar(select(Record.document).where(Record.teacher_id == other,
                                                                           Record.set_key == "salary")),
                                 "annual_income": INCOME_ADDED})
        db.add(added)
        db.flush()
        addition = ReviewCase(teacher_id=other, unit_id=unit.id, kind="addition", status=PENDING,
                              record_ids=[added.id], snapshot={}, levels=["county"],
                              waiting_unit_id=world.units["360102"], waiting_level="county")
        db.add(addition)
        from web.cases.models import MobilityCase

        county = db.get(type(unit), world.units["360102"])
        transfer = MobilityCase(kind="transfer", teacher_id=tid, teacher_name="隐私甲", initiator_unit_id=world.units["3601020002"],
                                counterpart_unit_id=unit.id, state="pending", step=0, acting_unit_id=county.id,
                                steps=[{"key": "receiving_authority", "label": "调入单位主管部门审核", "label_en": "x",
                                        "unit_id": county.id, "unit_code": county.code, "unit_name": county.name,
                                        "roles": ["info_manager", "info_reviewer"], "actions": ["approve"]}],
                                payload={}, version=1)
        db.add(transfer)
        spot = _spot_check(db, county, unit, [(tid, "隐私甲"), (other, "隐私乙")])
        training = _training_project(db, county, [tid, other])
        claim = _credit_claim(db, tid, unit.id)
        db.commit()
        values += [PHOTO[-16:], MOBILE, MOBILE_NEW, ADDRESS, repr(INCOME), repr(INCOME_NEW), repr(INCOME_ADDED)]
        return Secrets(teacher=tid, other=other, records=rows, change_case=case.id, copies=[c.id for c in cps],
                       addition_case=addition.id, values=values, mobility_case=transfer.id,
                       spot_check=spot[0], spot_item=spot[1], training_project=training,
                       credit_claim=claim)


def _credit_claim(db, teacher_id, unit_id) -> int:
    """A self-study claim of the secret teacher, with its evidence file (none without the module)."""
    try:
        from modules.credits.models import CreditClaim
    except ImportError:
        return 0
    import datetime as dt

    claim = CreditClaim(teacher_id=teacher_id, unit_id=unit_id, title="隐私研修", start_date=dt.date(2025, 1, 1),
                        end_date=dt.date(2025, 1, 2), hours=10, description="", state="submitted", reason="",
                        evidence_name="e.pdf", evidence_type="application/pdf", evidence_size=9,
                        evidence_sha256="0" * 64, evidence=b"%PDF-1.4\n")
    db.add(claim)
    db.flush()
    return claim.id


def _training_project(db, county, teachers) -> int:
    """A county project whose participants are the secret teachers, results submitted (none without the module)."""
    try:
        from modules.credits.models import TrainingProject, TrainingResult
    except ImportError:
        return 0
    import datetime as dt

    project = TrainingProject(name="隐私培训", level="county", kind="online", hours=10, start_date=dt.date(2024, 1, 1),
                              end_date=dt.date(2024, 1, 2), organiser=county.name, unit_id=county.id, state="active")
    db.add(project)
    db.flush()
    db.add_all([TrainingResult(project_id=project.id, teacher_id=t, hours=10, passed=True) for t in teachers])
    db.flush()
    return project.id


def _spot_check(db, county, school, teachers) -> tuple[int, int]:
    """A published spot check of the county whose sample is the secret teachers (none without the module)."""
    try:
        from modules.spot_check.models import SpotCheck, SpotCheckItem
    except ImportError:
        return 0, 0
    from web.db.base import utcnow

    check = SpotCheck(unit_id=county.id, kind="teacher", title="隐私抽查", seed="1", size=2, population=2,
                      fingerprint="0" * 64, state="published", published_at=utcnow())
    db.add(check)
    db.flush()
    items = [SpotCheckItem(check_id=check.id, position=i, unit_id=school.id, unit_name=school.name, teacher_id=tid,
                           teacher_name=name, result="ok") for i, (tid, name) in enumerate(teachers, 1)]
    db.add_all(items)
    db.flush()
    return check.id, items[0].id


# ------------------------------------------------------------------ calling every route

SETS = ("basic", "contact", "salary")


def calls(method: str, path: str, s: Secrets, viewer_id: int) -> Iterator[str]:
    """Concrete URLs for a route path: each parameter takes the values that reach the secrets."""
    choices: dict[str, list[Any]] = {
        "tid": [s.teacher], "teacher_id": [s.teacher, s.other], "set_key": list(SETS),
        "case_id": [s.change_case, s.addition_case], "copy_id": s.copies, "code": [SCHOOL],
        "account_id": [viewer_id], "role": ["info_viewer"], "table": ["XB"], "job_id": ["none"],
        "action": ["approve"], "file_path": ["app.css"], "mobility_case_id": [s.mobility_case],
        "slug": ["transfers", "rotations", "status-changes"],
        "check_id": [s.spot_check], "item_id": [s.spot_item], "project_id": [s.training_project],
        "claim_id": [s.credit_claim],
        "dup_id": ["none"],  # national duplicates: their own tests (tests/tier)
        "batch_id": [0],  # registration batches: their own test (modules/registration/tests/test_batch.py)
        "institution_id": [0],  # no teacher data: modules/credits/tests/test_institution_accounts.py
        "result_id": [0],  # rejecting one result: its own test (modules/credits/tests/test_project_pages.py)
    }
    names = re.findall(r"\{(\w+):\w+\}", path)
    combos: list[dict[str, Any]] = [{}]
    unknown = [n for n in names if n not in choices and n != "rid"]
    if unknown:
        pytest.fail(f"{method} {path}: no value for the path parameter(s) {unknown}; add values that reach the "
                    "secrets to calls() in tests/privacy/test_masking.py")
    for n in names:
        if n != "rid":  # a record id follows the set
            combos = [{**c, n: v} for c in combos for v in choices[n]]
    for combo in combos:
        url = path
        for n in names:
            value = s.records[combo["set_key"]] if n == "rid" else combo[n]
            url = re.sub(r"\{" + n + r":\w+\}", str(value), url)
        yield url


def _text_of(r) -> str:
    kind = r.headers.get("content-type", "")
    if "spreadsheetml" in kind or "zip" in kind:
        with zipfile.ZipFile(io.BytesIO(r.content)) as z:  # the workbook's XML holds every cell
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return r.text


def _last_seq(db) -> int:
    return db.scalar(select(func.max(AuditEntry.seq))) or 0


def test_every_route_is_classified(app):
    """A new route must say whether it renders record values (and then mask and audit them)."""
    unknown = [f"{m} {p}" for m, p in app_routes(app) if (m, p) not in RECORD_ROUTES and (m, p) not in OTHER_ROUTES]
    assert not unknown, (
        "routes not classified for the privacy walk: " + ", ".join(unknown) + ". Add each to RECORD_ROUTES in "
        "tests/privacy/test_masking.py if it renders a teacher's record values (it must then mask them through "
        "web.privacy and audit the read), or to OTHER_ROUTES with the reason it renders none.")
    gone = [f"{m} {p}" for m, p in (*RECORD_ROUTES, *OTHER_ROUTES) if (m, p) not in set(app_routes(app))]
    assert not gone, f"listed routes the app no longer has (remove them): {gone}"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_viewer_sees_no_personal_value_anywhere(app, ctx, world, secrets, viewer):
    c = Client(app, viewer, PASSWORD)
    with ctx.sessions() as db:
        viewer_id = db.scalar(select(Account.id).where(Account.username == viewer))
    leaks, not_shown, not_audited = [], [], []
    for method, path in app_routes(app):
        if OTHER_ROUTES.get((method, path)) == SESSION:
            continue
        for url in calls(method, path, secrets, viewer_id):
            with ctx.sessions() as db:
                before = _last_seq(db)
            kw: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            r = c.http.request(method, url, follow_redirects=False, **kw)
            assert r.status_code < 500, (method, url, r.status_code, r.text[:300])
            body = _text_of(r)
            found = [v for v in secrets.values if v in body]
            if found:
                leaks.append(f"{method} {url}: {found}")
            if (method, path) in RECORD_ROUTES:
                if r.status_code != 200:
                    not_shown.append(f"{method} {url}: {r.status_code}")
                    continue
                with ctx.sessions() as db:
                    entries = db.scalars(select(AuditEntry).where(
                        AuditEntry.seq > before, AuditEntry.actor_id == viewer_id,
                        AuditEntry.action == "teacher.read")).all()
                if not entries:
                    not_audited.append(f"{method} {url}")
    assert not leaks, f"unmasked personal values shown to {viewer}:\n" + "\n".join(leaks)
    assert not not_shown, f"record routes that did not answer {viewer}:\n" + "\n".join(not_shown)
    assert not not_audited, f"reads not audited for {viewer}:\n" + "\n".join(not_audited)


def test_the_masks_show_what_changed(app, world, secrets):
    """Masked is not empty: the viewer sees that the salary changed and the ID number's ends."""
    c = Client(app, "info_viewer@360102", PASSWORD)
    case = c.get(f"/api/v1/review/cases/{secrets.change_case}").json()
    salary = next(d for d in case["diff"] if d["set"] == "salary")
    income = next(f for f in salary["fields"] if f["key"] == "annual_income")
    assert income["changed"] and income["before_text"] == income["after_text"] == "***"
    file = c.get(f"/api/v1/teachers/{secrets.teacher}").json()
    assert file["masked"] and file["id_number"].count("*") == 10
    basic = c.get(f"/forms/teachers/{secrets.teacher}/sets/basic").text
    assert '<output class="masked">***</output>' in basic and 'src="***"' not in basic  # the photo


def test_a_reviewer_sees_the_values(app, world, secrets):
    """personal.read (信息审核员) sees the diff as it is; the read is audited as unmasked."""
    c = Client(app, "info_reviewer@360102", PASSWORD)
    r = c.get(f"/review/cases/{secrets.change_case}")
    assert r.status_code == 200
    assert MOBILE_NEW in r.text and MOBILE in r.text and repr(INCOME_NEW) in r.text
