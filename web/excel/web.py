"""What the Excel API and pages share: where uploads and reports live, who may see a job, starting
an import from an upload, exporting a selection.

Files: an upload is written to ``$TMIS_IMPORT_DIR`` (default: ``<tmp>/tmis-imports``) under a
random name, imported by a background job and deleted when the job ends; the annotated report
stays there (the jobs table keeps its path) for ``Limits.keep_days``, then goes with anything else
left there that long (``prune``, at each upload). Several app processes must share that directory
(a network volume) for any of them to serve a report.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import secrets
import tempfile
import time
import zipfile
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import errors as E

from web import permissions, scope
from web.context import AppContext
from web.db.models import Unit
from web.errors import W_BAD_REQUEST, Refusal, _e
from web.excel import jobs
from web.excel.limits import Limits
from web.excel.models import Job
from web.excel.pipeline import MODES
from web.excel.problems import BadFile, ImportProblem, localised, problem
from web.excel.safety import MB, check_file
from web.principal import Principal

# --- W7xx: Excel import and export (registered here, as the review module registers W6xx)
W_NO_JOB = _e("W701", 404, "没有该导入任务，或不在您的管理范围内", "No such import job, or it is outside your scope",
              "在「数据导入」页面重新上传文件。", "Upload the file again on the data import page.")
W_NO_REPORT = _e("W702", 404, "该导入任务没有错误报告", "This import job has no error report",
                 "没有发现问题时不生成报告；任务未结束时请稍候。", "A report is made only when problems were found, once the job has ended.")
W_NOT_A_SCHOOL = _e("W703", 422, "只能导入到学校：「{unit}」不是学校", "Teachers are imported into a school: '{unit}' is not one",
                    "在「导入到」中选择一所学校。", "Choose a school to import into.")
W_UNKNOWN_SCHOOL_TYPE = _e("W704", 422, "没有学校类型「{school_type}」", "No school type '{school_type}'",
                           "可用：{allowed}", "Known: {allowed}")
W_UNKNOWN_SET = _e("W705", 422, "没有信息集：{sets}", "No such sets: {sets}", "可用：{allowed}", "Known: {allowed}")
W_NO_FILE = _e("W706", 400, "请选择要上传的 Excel 文件", "Choose an Excel file to upload",
               "下载导入模板，填写后保存为 .xlsx 再上传。", "Download the template, fill it in, save it as .xlsx and upload it.")

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# an upload may be this much bigger than the file limit (the multipart envelope and the form fields)
BODY_SLACK = 1 * MB


def max_body() -> int:
    return Limits.from_env().max_file_mb * MB + BODY_SLACK


def work_dir() -> Path:
    path = Path(os.environ.get("TMIS_IMPORT_DIR") or Path(tempfile.gettempdir()) / "tmis-imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def prune(sessions: Any, keep_days: int) -> int:
    """Delete what the work directory has held for over ``keep_days`` days (reports past their
    time, uploads of a process that stopped mid-import) and forget the reports of jobs that
    ended that long ago (at least a day: an upload being imported is younger). Returns the
    number of files deleted."""
    cutoff = time.time() - max(keep_days, 1) * 86_400
    removed = 0
    for path in work_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process pruned it first
            continue
    ended = dt.datetime.fromtimestamp(cutoff, dt.timezone.utc)
    with sessions() as db, db.begin():
        db.execute(update(Job).where(Job.report_path.is_not(None), Job.finished_at < ended).values(report_path=None))
    if removed:
        log.info("excel work directory: %d files past %d days deleted", removed, keep_days)
    return removed


def save_upload(stream: IO[bytes], limits: Limits, display_name: str) -> Path:
    """Copy the uploaded file to the work directory (in blocks; refused beyond the size limit)."""
    path = work_dir() / f"upload-{secrets.token_hex(12)}.xlsx"
    written = 0
    with path.open("wb") as out:
        for block in iter(lambda: stream.read(1 << 20), b""):
            written += len(block)
            if written > limits.max_file_mb * MB:
                break
            out.write(block)
    if written > limits.max_file_mb * MB:
        path.unlink(missing_ok=True)
        raise BadUpload([problem(E.V_XLSX_TOO_LARGE, {"file": display_name, "size": f"> {limits.max_file_mb}",
                                                      "limit": limits.max_file_mb})])
    return path


class BadUpload(Exception):
    """The uploaded file is refused before any job starts (not an xlsx, damaged, a zip bomb…)."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        super().__init__("; ".join(p.message_en for p in problems))
        self.problems = problems

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        first = self.problems[0]
        return {"code": first.rule, "message": first.message(lang), "message_en": first.message_en,
                "hint": first.hint(lang),
                "rows": 0, "imported": 0, "errors": [p.as_json(lang) for p in self.problems]}


def target_unit(db: Session, me: Principal, unit_code: str | None) -> Unit:
    """The school to import into: the one named, else the caller's own unit; within scope."""
    permissions.require(me, "excel.import")
    unit = (db.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code
            else db.get(Unit, me.unit_id))
    unit = scope.require_unit(db, me, unit, "teacher.create")
    if unit.level != "school":
        raise Refusal(W_NOT_A_SCHOOL, unit=unit.name)
    return unit


def parse_options(dry_run: Any, subtables: Any, partial: Any) -> tuple[bool, str, bool]:
    mode = str(subtables or "append")
    if mode not in MODES:
        raise Refusal(W_BAD_REQUEST, detail="子表只能是「追加」(append) 或「替换」(replace)",
                      detail_en=f"subtables must be one of {MODES}")
    return _flag(dry_run), mode, _flag(partial)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "on", "yes")


def start_import(ctx: AppContext, db: Session, me: Principal, stream: IO[bytes], filename: str | None, *,
                 unit_code: str | None, dry_run: bool, mode: str, partial: bool) -> str:
    """Check the caller may import into the unit and that the file is a readable workbook, then
    start the background job; returns its id. Raises ``Refusal`` or ``BadUpload``."""
    from web.excel.service import start_import_job

    unit = target_unit(db, me, unit_code)
    limits = Limits.from_env()
    prune(ctx.sessions, limits.keep_days)
    name = Path(filename or "upload.xlsx").name[:200]
    path = save_upload(stream, limits, name)
    try:
        check_file(path, limits, name)  # refuse a bad file at once, with a clear message
    except BadFile as exc:
        path.unlink(missing_ok=True)
        raise BadUpload(exc.problems) from None
    report = work_dir() / f"report-{secrets.token_hex(12)}.xlsx"

    def cleanup(_outcome: Any) -> None:
        path.unlink(missing_ok=True)

    return start_import_job(ctx.sessions, ctx.catalogue, path, unit.code, principal=me, mode=mode,
                            all_or_nothing=not partial, dry_run=dry_run, limits=limits, report=report,
                            display_name=name, report_if_problems=True, on_done=cleanup)


def visible_job(db: Session, me: Principal, job_id: str) -> Job:
    """A job its creator may see, and anyone who may import into its unit; otherwise 'not found'."""
    job = jobs.get(db, job_id) if job_id and len(job_id) <= 32 else None
    if job is None or job.kind != "excel.import":
        raise Refusal(W_NO_JOB)
    if job.created_by_id == me.account_id:
        return job
    if job.unit_id is not None and me.has("record.edit") and scope.unit_in_scope(db, me, job.unit_id, "teacher.create"):
        return job
    raise Refusal(W_NO_JOB)


def job_json(job: Job, lang: str = "zh") -> dict[str, Any]:
    """The job with its result flattened: ``{"rows", "imported", "errors": [{"sheet", "row",
    "column", "rule", "message", "hint"}]}`` beside state and progress, in ``lang``."""
    out = jobs.as_json(job)
    result = job.result or {}
    errors = [localised(e, lang) for e in result.get("errors", [])]
    if result:
        out["result"] = {**result, "errors": errors}
    out["progress"] = _percent(job)
    out["rows"] = result.get("rows", 0)
    out["imported"] = result.get("imported", 0)
    out["errors"] = errors
    out["report_url"] = f"/api/v1/imports/{job.id}/report" if job.report_path else None
    return out


def _percent(job: Job) -> int:
    if job.state in ("done", "failed"):
        return 100
    if not job.total:
        return 0
    # reading is the first half of the work, checking and writing the second
    share = min(job.done / job.total, 1.0)
    return int(share * 50) + (50 if job.phase == "check" else 0)


def report_path(job: Job) -> Path | None:
    if not job.report_path:
        return None
    path = Path(job.report_path)
    return path if path.is_file() else None


# ------------------------------------------------------------------ templates and export


def check_school_type(cat: Any, school_type: str) -> None:
    known = sorted(set(cat.school_types) | set(cat.families))
    if school_type not in known:
        raise Refusal(W_UNKNOWN_SCHOOL_TYPE, school_type=school_type, allowed=", ".join(known))


def template_for(ctx: AppContext, db: Session, me: Principal, school_type: str | None) -> tuple[bytes, str]:
    """The import template of the deployment's province for a school type (default: the caller's
    unit's; a unit above the schools gets the primary and secondary one)."""
    from web.excel.service import render_template

    cat = ctx.catalogue
    if school_type:
        check_school_type(cat, school_type)
    else:
        unit = db.get(Unit, me.unit_id)
        school_type = (unit.school_type if unit is not None else None) or "primary_secondary"
    family = cat.family_of(school_type)
    return render_template(cat, school_type), f"tmis-template-{cat.province or 'national'}-{family}.xlsx"



def export_selection(ctx: AppContext, db: Session, me: Principal, *, teacher_ids: list[int] | None,
                     unit_code: str | None, include_below: bool, sets: list[str] | None,
                     school_type: str | None, lang: str = "zh") -> tuple[bytes, str, list[Any]]:
    """The selected teachers within the caller's scope (web/excel/service.export_workbooks): one
    xlsx, or a zip of one xlsx per template family when they span several (primary schools and
    kindergartens). Returns the content, its file name and the results."""
    from web.excel.service import export_workbooks

    scope.require(me, "personal.read")
    cat = ctx.catalogue
    if sets:
        unknown = [s for s in sets if s not in cat.sets]
        if unknown:
            raise Refusal(W_UNKNOWN_SET, sets="、".join(unknown), allowed=", ".join(cat.sets))
    if school_type:
        check_school_type(cat, school_type)
    own = db.get(Unit, me.unit_id)
    if teacher_ids is None and not unit_code:
        unit_code = own.code if own is not None else None
    stem = f"tmis-export-{cat.province or 'national'}"
    with tempfile.TemporaryDirectory(dir=work_dir()) as tmp:
        # named as downloaded (the audit entry names the file)
        books = export_workbooks(ctx.sessions, cat, lambda i, family: Path(tmp) / f"{stem}-{family}.xlsx", principal=me,
                                 unit_code=unit_code, include_below=include_below, teacher_ids=teacher_ids,
                                 sets=sets, school_type=school_type,
                                 fallback_type=own.school_type if own is not None else None)
        results = [r for _, _, r in books]
        if len(books) == 1:
            return books[0][1].read_bytes(), f"{stem}-{books[0][0]}.xlsx", results
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:  # xlsx files are zips already
            labels = [_file_safe(cat.family_label(family, lang)) for family, _, _ in books]
            for (family, path, _), label in zip(books, labels):
                zf.write(path, f"{stem}-{label if labels.count(label) == 1 else family}.xlsx")
        return buffer.getvalue(), f"{stem}.zip", results


def _file_safe(name: str) -> str:
    """A label from a province's YAML as part of a file name."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "export"
