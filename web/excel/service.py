"""What the CLI, the API and (later) the upload page call: templates, imports, exports, jobs.

    render_template(cat, school_type) -> bytes
    import_workbook(sessions, cat, path, unit_code, ...) -> ImportOutcome
    export_families(sessions, cat, ...) -> the template families of a selection
    export_workbooks(sessions, cat, path_for, ...) -> one workbook per template family
    export_teachers(sessions, cat, out, ...) -> ExportResult (one family's workbook)
    start_import_job(...) -> job id (runs in a thread; state in the jobs table)

Scope: with a ``principal`` every call is limited to the units the principal's grants reach
(web/scope.py); without one (the ``tmis`` command on the server) the operator acts as the system.
Audit: every import (written, dry run or refused) and every export leaves one audit entry with
counts and the file's SHA-256, never the data itself.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import errors as E
from engine.emit.excel_template import template_bytes
from web import audit, permissions, scope
from web.db.models import Teacher, Unit
from web.errors import W_UNIT_NOT_FOUND, Refusal
from web.excel import jobs, template_cache
from web.excel.export import ExportResult, teacher_query, write_export
from web.excel.limits import Limits
from web.excel.pipeline import Options, Progress, Result, run
from web.excel.problems import problem
from web.excel.report import write_report
from web.excel.store import DbDirectory, DbSink
from web.principal import Principal


def render_template(cat: Any, school_type: str | None = None, *, sets: list[str] | None = None) -> bytes:
    """The import template, generated once per province, school type, catalogue version and
    selection of sets (web/excel/template_cache.py)."""
    return template_cache.cached(cat, school_type, sets, lambda: template_bytes(cat, school_type, sets=sets))


@dataclass
class ImportOutcome:
    result: Result
    report: Path | None = None
    job_id: str | None = None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _unit(db: Session, code: str) -> Unit | None:
    return db.scalar(select(Unit).where(Unit.code == code))


def import_workbook(sessions: sessionmaker, cat: Any, path: Path, unit_code: str, *,
                    principal: Principal | None = None, mode: str = "append", all_or_nothing: bool = True,
                    dry_run: bool = False, limits: Limits | None = None, report: Path | None = None,
                    progress: Progress | None = None, job_id: str | None = None,
                    display_name: str | None = None, report_if_problems: bool = False,
                    fast_rows: bool = True) -> ImportOutcome:
    """Import one workbook into one unit (a school). Writes nothing unless everything (or, with
    ``all_or_nothing=False``, each written teacher) passed every check. ``report_if_problems``:
    write the annotated copy only when there is something to show (the web keeps no copy of a
    clean 100,000-row workbook). ``fast_rows=False`` checks every row the plain way (the same
    result, slower: the tests compare the two)."""
    limits = limits or Limits.from_env()
    name = display_name or path.name
    result = Result(dry_run=dry_run)
    db: Session = sessions()
    try:
        unit = _unit(db, unit_code)
        if principal is not None:
            unit = scope.require_unit(db, principal, unit, "teacher.create")
            permissions.require(principal, "excel.import")
        if unit is None:
            result.add(problem(E.V_XLSX_NO_UNIT, {"unit": unit_code}), limits)
            return ImportOutcome(result, _report(path, result, report, report_if_problems), job_id)
        if unit.level != "school":
            result.add(problem(E.V_XLSX_NOT_A_SCHOOL, {"unit": unit.name, "code": unit.code}), limits)
            return ImportOutcome(result, _report(path, result, report, report_if_problems), job_id)
        family = cat.family_of(unit.school_type)
        opts = Options(mode=mode, all_or_nothing=all_or_nothing, dry_run=dry_run, limits=limits,
                       expected_family=family, unit_label=unit.name, fast_rows=fast_rows)
        sink = DbSink(db, unit, cat.version, result, principal.account_id if principal else None)
        # while the writer thread owns the writing connection, people are looked up on another
        reader = sessions() if sink.background and not dry_run else db
        directory = DbDirectory(reader, unit, cat.set_keys(family), concurrent=reader is not db)
        on_progress = progress
        if job_id is not None:
            sqlite = db.get_bind().dialect.name == "sqlite"
            on_progress = jobs.JobProgress(sessions, job_id, can_write=lambda: not (sqlite and sink.started),
                                           also=progress)
        try:
            run(path, cat, family, directory, None if dry_run else sink, opts, on_progress, name, result)
        finally:
            sink.discard()  # nothing left after finish(); after a failure, the writer stops first
            if reader is not db:
                reader.close()
        if result.written:
            _audit(db, principal, unit, path, name, result, mode, sink)
            db.commit()
        else:
            db.rollback()
            _audit(db, principal, unit, path, name, result, mode, None)
            db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()
    return ImportOutcome(result, _report(path, result, report, report_if_problems), job_id)


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Teacher ids as [first, last] runs: an import's new teachers take consecutive ids, so the
    audit names 100,000 of them in a few pairs (ids, not ID numbers: no personal data)."""
    runs: list[list[int]] = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def _audit(db: Session, principal: Principal | None, unit: Unit, path: Path, name: str, result: Result,
           mode: str, sink: DbSink | None) -> None:
    """One entry per import; a written one names whose files it created and changed (teacher
    ids) and how many records ``replace`` deleted, set by set."""
    written = {"teachers": {"created": id_ranges(sink.created), "updated": id_ranges(sink.updated)},
               "records_deleted": dict(sink.deleted)} if sink is not None else {}
    audit.record(db, "excel.import", actor=principal, actor_name=None if principal else "cli",
                 target_type="unit", target_id=unit.code, unit_id=unit.id, detail={
                     "file": name, "sha256": _sha256(path), "mode": mode, "dry_run": result.dry_run,
                     "written": result.written, "rows": result.rows, "imported": result.imported,
                     "teachers_created": result.teachers_created, "teachers_updated": result.teachers_updated,
                     "teachers_unchanged": result.teachers_unchanged,
                     "records_written": result.records_written, "errors": result.errors, **written})


def _report(path: Path, result: Result, out: Path | None, only_problems: bool = False) -> Path | None:
    if out is None or (only_problems and not result.problems):
        return None
    return write_report(path, result.problems, out, extra=result.dropped)


# ------------------------------------------------------------------ export


def export_families(sessions: sessionmaker, cat: Any, *, principal: Principal | None = None,
                    unit_code: str | None = None, include_below: bool = True,
                    teacher_ids: list[int] | None = None) -> list[str]:
    """The template families of the selected teachers (within the principal's scope), the
    family of most of them first: a workbook holds one family's sheets, so a selection across
    primary schools and kindergartens is exported as one workbook per family."""
    db: Session = sessions()
    try:
        unit = _unit(db, unit_code) if unit_code else None
        if unit_code and unit is None:
            raise Refusal(W_UNIT_NOT_FOUND)
        if principal is not None and unit is not None:
            unit = scope.require_unit(db, principal, unit, "personal.read")
        ids = teacher_query(cat, None, unit=unit, include_below=include_below, teacher_ids=teacher_ids)
        if principal is not None:
            ids = ids.where(scope.teacher_filter(principal, "personal.read"))
        sub = ids.subquery()
        counts: Counter[str] = Counter()
        per_type = (select(Unit.school_type, func.count()).join(Teacher, Teacher.unit_id == Unit.id)
                    .where(Teacher.id.in_(select(sub.c.id))).group_by(Unit.school_type))
        for school_type, n in db.execute(per_type):
            counts[cat.family_of(school_type)] += n
        return [f for f, _ in counts.most_common()]
    finally:
        db.close()


def export_workbooks(sessions: sessionmaker, cat: Any, path_for: Callable[[int, str], Path], *,
                     principal: Principal | None = None, unit_code: str | None = None, include_below: bool = True,
                     teacher_ids: list[int] | None = None, sets: list[str] | None = None,
                     school_type: str | None = None,
                     fallback_type: str | None = None) -> list[tuple[str, Path, ExportResult]]:
    """The selected teachers as one workbook per template family (the family of most of them
    first), or one workbook of ``school_type``'s template when it is given; an empty selection
    gives one empty workbook of ``fallback_type``'s (default: the unit's). ``path_for(i, family)``
    says where the i-th goes. Returns (family, path, result) for each, every one audited."""
    chosen: list[str | None] = [school_type] if school_type else list(export_families(
        sessions, cat, principal=principal, unit_code=unit_code, include_below=include_below,
        teacher_ids=teacher_ids)) or [fallback_type]
    books = []
    for i, st in enumerate(chosen):
        family = cat.family_of(st) if st else cat.family_of(_unit_type(sessions, unit_code))
        path = path_for(i, family)
        books.append((family, path, export_teachers(sessions, cat, path, principal=principal, unit_code=unit_code,
                                                    include_below=include_below, teacher_ids=teacher_ids,
                                                    sets=sets, school_type=st)))
    return books


def _unit_type(sessions: sessionmaker, unit_code: str | None) -> str | None:
    if not unit_code:
        return None
    with sessions() as db:
        unit = _unit(db, unit_code)
        return unit.school_type if unit is not None else None


def export_teachers(sessions: sessionmaker, cat: Any, out: Path, *, principal: Principal | None = None,
                    unit_code: str | None = None, include_below: bool = True, teacher_ids: list[int] | None = None,
                    sets: list[str] | None = None, school_type: str | None = None) -> ExportResult:
    """Selected teachers (within the principal's scope) and sets, as an importable workbook."""
    db: Session = sessions()
    try:
        unit = _unit(db, unit_code) if unit_code else None
        if principal is not None:
            # an export carries ID numbers and birth dates: it needs the unmasked view
            scope.require(principal, "personal.read")
            if unit_code:
                unit = scope.require_unit(db, principal, unit, "personal.read")
        elif unit_code and unit is None:
            raise Refusal(W_UNIT_NOT_FOUND)
        if unit is None and principal is None and teacher_ids is None:
            raise ValueError("name a unit or teachers to export")
        family = cat.family_of(school_type or (unit.school_type if unit is not None else None))
        stmt = teacher_query(cat, family, unit=unit, include_below=include_below, teacher_ids=teacher_ids)
        if principal is not None:
            stmt = stmt.where(scope.teacher_filter(principal, "personal.read"))
        result = write_export(db, cat, stmt, family, out, sets=sets, school_type=school_type)
        audit.record(db, "excel.export", actor=principal, actor_name=None if principal else "cli",
                     target_type="unit", target_id=unit.code if unit is not None else None,
                     unit_id=unit.id if unit is not None else None,
                     detail={"teachers": result.teachers, "records": result.records, "sets": result.sets,
                             "family": family, "file": out.name, "teacher_ids": id_ranges(result.teacher_ids)})
        db.commit()
        return result
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


# ------------------------------------------------------------------ background jobs


def start_import_job(sessions: sessionmaker, cat: Any, path: Path, unit_code: str, *,
                     principal: Principal | None = None, mode: str = "append", all_or_nothing: bool = True,
                     dry_run: bool = False, limits: Limits | None = None, report: Path | None = None,
                     display_name: str | None = None, wait: bool = False, report_if_problems: bool = False,
                     on_done: Callable[[ImportOutcome | None], None] | None = None) -> str:
    """Create a job row and run the import in a thread; poll ``jobs.get`` for progress."""
    db = sessions()
    try:
        unit = _unit(db, unit_code)
        unit_id = unit.id if unit else None
    finally:
        db.close()
    job_id = jobs.create(sessions, "excel.import", unit_id=unit_id,
                         actor_id=principal.account_id if principal else None, file_name=display_name or path.name,
                         options={"mode": mode, "all_or_nothing": all_or_nothing, "dry_run": dry_run})

    def work() -> None:
        outcome = None
        try:
            outcome = import_workbook(sessions, cat, path, unit_code, principal=principal, mode=mode,
                                      all_or_nothing=all_or_nothing, dry_run=dry_run, limits=limits,
                                      report=report, job_id=job_id, display_name=display_name,
                                      report_if_problems=report_if_problems)
            jobs.finish(sessions, job_id, result=outcome.result.as_stored(),
                        report_path=str(outcome.report) if outcome.report else None)
        except Refusal as exc:
            jobs.finish(sessions, job_id, error=f"{exc.code}")
        except Exception as exc:  # a job must end in a state, whatever happened
            jobs.finish(sessions, job_id, error=type(exc).__name__)
        finally:
            if on_done is not None:
                on_done(outcome)

    thread = threading.Thread(target=work, name=f"import-{job_id[:8]}", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return job_id


__all__ = ["render_template", "import_workbook", "export_families", "export_workbooks", "export_teachers",
           "start_import_job", "ImportOutcome", "ExportResult"]
