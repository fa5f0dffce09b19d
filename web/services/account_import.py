"""Teacher accounts from a spreadsheet, as a job (issue 14 finding 7, issue 20 point 9).

The upload gets the Excel import's treatment before a row is read: the ``TMIS_IMPORT_*`` limits
(file size, expanded size, compression ratio, rows, columns: web/excel/limits.py) and its
refusals of files that are not a workbook, damaged, encrypted or a zip bomb (web/excel/safety.py),
each a 4xx with the catalogue message (W540 wrapping the import's own V-message).

Every import is a job (the ``jobs`` table, kind ``accounts.import``): up to
``TMIS_IMPORT_ACCOUNTS_BACKGROUND_ROWS`` rows (default 20; each new account hashes a password,
about a quarter of a second) it runs inside the request, beyond that in a background thread while
the page shows the progress bar. Rows are independent (best effort: one failing row is reported
and the others are created), each in its own transaction, so progress is visible meanwhile on
SQLite too. The answer is a summary: counts, the first LISTED created accounts and problems, and
a report to download (the uploaded workbook with the rows marked and an error sheet,
web/excel/report.py) holding every problem up to ``TMIS_IMPORT_MAX_ERRORS``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from web.context import AppContext
from web.db.models import Unit
from web.errors import Refusal, _e
from web.excel import jobs
from web.excel.limits import Limits
from web.excel.models import Job
from web.excel.problems import BadFile, ImportProblem
from web.principal import Principal
from web.services import accounts as svc
from web.services import teachers as teacher_service

log = logging.getLogger(__name__)

KIND = "accounts.import"
LISTED = 50  # created accounts and problems listed in the answer; the report has them all

W_UPLOAD_BAD = _e("W540", 400, "无法读取该文件：{detail}", "Cannot read the file: {detail_en}",
                  "请上传按导入样表填写的 .xlsx 表格（不加密，大小和行数在导入限制之内）。",
                  "Upload an .xlsx workbook filled in like the sample (not encrypted, within the import limits).")
W_NO_ACCOUNT_JOB = _e("W541", 404, "没有该导入任务，或不在您的管理范围内", "No such import job, or it is outside your scope",
                      "在「教师用户管理」页面重新上传表格。", "Upload the workbook again on the teacher accounts page.")
W_NO_ACCOUNT_REPORT = _e("W542", 404, "该导入任务没有问题报告", "This import job has no report of problems",
                         "没有问题时不生成报告；任务未结束时请稍候。", "A report is made only when rows had problems, once the job has ended.")


def _bad_file(problems: list[ImportProblem]) -> Refusal:
    first = problems[0]
    return Refusal(W_UPLOAD_BAD, detail=first.message_zh, detail_en=first.message_en, rule=first.rule)


def accept_upload(stream: IO[bytes], filename: str | None, limits: Limits) -> tuple[Path, str, list[list[Any]]]:
    """Save the upload, refuse a bad file, read its first sheet; (path, display name, rows)."""
    from python_calamine import CalamineWorkbook

    from web.excel.safety import check_file, check_size
    from web.excel.web import BadUpload, save_upload

    name = Path(filename or "upload.xlsx").name[:200]
    try:
        path = save_upload(stream, limits, name)
    except BadUpload as exc:
        raise _bad_file(exc.problems) from None
    try:
        sizes = check_file(path, limits, name)
        if sizes:
            check_size(sizes[0].name, sizes[0].rows, sizes[0].columns, limits)
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except Exception as exc:  # calamine's own errors: a damaged sheet the zip checks did not see
            raise Refusal(W_UPLOAD_BAD, detail=f"工作表已损坏（{type(exc).__name__}）",
                          detail_en=f"the sheet is damaged ({type(exc).__name__})") from None
        check_size(sizes[0].name if sizes else "1", len(sheet), max((len(r) for r in sheet), default=0), limits)
    except BadFile as exc:
        path.unlink(missing_ok=True)
        raise _bad_file(exc.problems) from None
    except Refusal:
        path.unlink(missing_ok=True)
        raise
    return path, name, sheet


def _cells(sheet: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(Excel row number, the four items and the type) of each non-empty data row."""
    if not sheet:
        return []
    header = [str(h).strip() for h in sheet[0]]
    cols = {k: next((i for i, h in enumerate(header) if h in names), None) for k, names in svc.TEACHER_HEADERS.items()}
    out = []
    for n, row in enumerate(sheet[1:], start=2):
        if not any(str(v).strip() for v in row if v is not None):
            continue
        values = {}
        for key, i in cols.items():
            v = row[i] if i is not None and i < len(row) else None
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            values[key] = v
        out.append((n, values))
    return out


def start(ctx: AppContext, db: Session, me: Principal, unit_code: str, stream: IO[bytes],
          filename: str | None) -> dict[str, Any]:
    """Check the caller, the school and the file; run the import (here or in the background);
    return the job's summary (``job_json``)."""
    unit = svc._unit(db, me, unit_code)
    svc._check_teacher_grant(db, ctx, me, unit)
    limits = Limits.from_env()
    path, name, sheet = accept_upload(stream, filename, limits)
    rows = _cells(sheet)
    job_id = jobs.create(ctx.sessions, KIND, unit_id=unit.id, actor_id=me.account_id, file_name=name,
                         options={"unit": unit.code})
    jobs.update(ctx.sessions, job_id, total=len(rows))
    args = (ctx, me, unit.code, rows, path, name, job_id, limits)
    if len(rows) <= limits.account_background_rows:
        _run(*args)
    else:
        threading.Thread(target=_run, args=args, name=f"accounts-import-{job_id[:8]}", daemon=True).start()
    with ctx.sessions() as fresh:
        return job_json(fresh.get(Job, job_id))


def _run(ctx: AppContext, me: Principal, unit_code: str, rows: list[tuple[int, dict[str, Any]]], path: Path,
         name: str, job_id: str, limits: Limits) -> None:
    created: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    created_count = problem_count = 0
    progress = jobs.JobProgress(ctx.sessions, job_id)
    try:
        for i, (n, v) in enumerate(rows, start=1):
            with ctx.sessions() as db:
                try:
                    items = teacher_service.FourItems.parse(v["name"], v["gender"], v["birth_date"], v["id_number"],
                                                            v.get("id_type") or "1", cat=ctx.catalogue)
                    account, _issued, attached = svc.create_teacher_account(db, ctx, me, unit_code, items)
                    entry = {"row": n, "username": account.username, "name": account.real_name, "attached": attached}
                    db.commit()
                    created_count += 1
                    if len(created) < LISTED:
                        created.append(entry)
                except Refusal as ref:
                    db.rollback()
                    problem_count += 1
                    if len(problems) < limits.max_errors:
                        problems.append({"row": n, **ref.as_json()})
            progress("check", i, len(rows))
        report = _report(path, name, problems) if problems else None
        result = {"rows": len(rows), "created_count": created_count, "problem_count": problem_count,
                  "created": created, "problems": problems[:LISTED],
                  "not_listed": max(0, problem_count - LISTED)}
        jobs.finish(ctx.sessions, job_id, result=result, report_path=str(report) if report else None)
    except Exception as exc:  # a bug, not a row: the job says it failed; the log has the traceback
        from web.security.errorlog import redacted_traceback

        log.error("teacher-account import %s failed\n%s", job_id, redacted_traceback(exc))
        jobs.finish(ctx.sessions, job_id, error=type(exc).__name__,
                    result={"rows": len(rows), "created_count": created_count, "problem_count": problem_count,
                            "created": created, "problems": problems[:LISTED], "not_listed": 0})
    finally:
        path.unlink(missing_ok=True)


def _report(upload: Path, name: str, problems: list[dict[str, Any]]) -> Path:
    from web.excel.report import write_report
    from web.excel.web import work_dir

    try:
        from python_calamine import CalamineWorkbook

        sheet_name = CalamineWorkbook.from_path(str(upload)).sheet_names[0]
    except Exception:
        sheet_name = None
    found = [ImportProblem(sheet=sheet_name, row=p["row"], column="A", header=None, rule=p["code"],
                           message_zh=p["message"], message_en=p["message_en"], hint_zh=p.get("hint", ""),
                           hint_en=p.get("hint_en", "")) for p in problems]
    out = work_dir() / f"report-{secrets.token_hex(12)}.xlsx"
    return write_report(upload, found, out)


def visible_job(db: Session, me: Principal, job_id: str) -> Job:
    """Its creator's, or anyone's who may manage teacher accounts at its school; else 'not found'."""
    job = db.get(Job, job_id) if job_id and len(job_id) <= 32 else None
    if job is None or job.kind != KIND:
        raise Refusal(W_NO_ACCOUNT_JOB)
    if job.created_by_id == me.account_id:
        return job
    unit = db.get(Unit, job.unit_id) if job.unit_id is not None else None
    if unit is not None and me.has("grant.teacher"):
        from web import scope

        if scope.unit_in_scope(db, me, unit.id, "grant.teacher"):
            return job
    raise Refusal(W_NO_ACCOUNT_JOB)


def report_path(job: Job) -> Path:
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.is_file():
        raise Refusal(W_NO_ACCOUNT_REPORT)
    return path


def job_json(job: Job) -> dict[str, Any]:
    """State and progress; once ended, the summary (counts, the first LISTED rows, the report)."""
    out = jobs.as_json(job)
    result = job.result or {}
    ended = job.state in ("done", "failed")
    out.update({
        "job": job.id,
        "url": f"/api/v1/teacher-accounts/imports/{job.id}",
        "progress": 100 if ended else (int(100 * job.done / job.total) if job.total else 0),
        "rows": result.get("rows", job.total or 0),
        "created_count": result.get("created_count", 0),
        "problem_count": result.get("problem_count", 0),
        "created": result.get("created", []),
        "problems": result.get("problems", []),
        "not_listed": result.get("not_listed", 0),
        "report_url": f"/api/v1/teacher-accounts/imports/{job.id}/report" if job.report_path else None,
    })
    out.pop("result", None)
    return out
