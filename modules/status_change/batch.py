"""Status changes from an Excel sheet (a county retiring its teachers at the end of a term), with
the import machinery of web/excel: a generated template with drop-downs, the same file checks
(size, zip bomb, encryption: web.excel.safety), a dry run, every problem written back into the
user's own workbook (web.excel.report), and all-or-nothing by default.

One row per teacher: 身份证件号, 姓名 (both must match a file within the importer's units),
变动类型 (长期不在岗/离职/退休/死亡/返岗), 人员状态 (the reason: required for 长期不在岗, optional
otherwise), 生效日期, 备注. Every row is checked before anything is written: the teacher, the
words, the date, and whether the change can apply to that teacher now (web.people.moves).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import errors as E
from engine import idnumber
from engine.emit.xlsx_writer import workbook_bytes
from engine.emit.excel_template import normalise_header
from web import audit, scope
from web.db.models import Teacher
from web.errors import Refusal
from web.excel.limits import Limits
from web.excel.problems import BadFile, ImportProblem, problem
from web.excel.reader import SKIP_SHEETS, load_sheet, open_workbook
from web.excel.report import write_report
from web.excel.safety import check_file, check_size
from web.people import moves, status
from web.people import words as P
from web.principal import Principal
from modules.status_change import words as W

SHEET = "在职变动"
CODES_SHEET = "代码"
HELP_SHEET = "填表说明"
NOTE_MAX = 200
PERMISSION = "record.edit"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool
    width: int
    header: str = ""  # as written in the template (with * and the format)


COLUMNS = (
    Column("id_number", "身份证件号", "ID number", True, 22, "身份证件号*"),
    Column("name", "姓名", "Name", True, 12, "姓名*"),
    Column("change", "变动类型", "Change", True, 14, "变动类型*"),
    Column("status", "人员状态", "Personnel status", False, 34, "人员状态"),
    Column("effective_on", "生效日期", "Effective date", True, 16, "生效日期*(yyyy-MM-dd)"),
    Column("note", "备注", "Note", False, 30, "备注"),
)
BY_HEADER = {normalise_header(c.zh): c for c in COLUMNS} | {normalise_header(c.en): c for c in COLUMNS}


def change_of(text: str) -> str | None:
    """长期不在岗 / retired / … → the change key."""
    t = text.strip()
    for key, spec in P.CHANGES.items():
        if t in (key, spec.zh, spec.en) or t.lower() == spec.en.lower():
            return key
    return None


# ------------------------------------------------------------------ the template

def template_bytes(cat: Any) -> bytes:
    """The sheet to fill in: headers, drop-downs for 变动类型 and 人员状态, a help sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([c.header for c in COLUMNS])
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="C00000" if c.required else "000000")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    for row in range(2, 1002):  # ID numbers as text (Excel would turn 18 digits into 3.6E+17)
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=5).number_format = "yyyy-mm-dd"
    codes = wb.create_sheet(CODES_SHEET)
    statuses = [f"{code}-{moves.status_label(cat, code)}" for spec in P.CHANGES.values() for code in spec.codes]
    for i, text in enumerate(statuses, start=1):
        codes.cell(row=i, column=1, value=text)
    codes.sheet_state = "hidden"
    changes = ",".join(spec.zh for spec in P.CHANGES.values())
    for dv, col in ((DataValidation(type="list", formula1=f'"{changes}"', allow_blank=True), "C"),
                    (DataValidation(type="list", formula1=f"'{CODES_SHEET}'!$A$1:$A${len(statuses)}",
                                    allow_blank=True), "D")):
        dv.add(f"{col}2:{col}100000")
        ws.add_data_validation(dv)
    help_ = wb.create_sheet(HELP_SHEET)
    help_.column_dimensions["A"].width = 110
    lines = [
        "在职变动批量导入 · Status changes in bulk",
        "每位教师一行；标 * 的列必填。身份证件号和姓名须与档案一致，且教师在您的管理范围内。",
        "变动类型：" + "、".join(f"{s.zh}（人员状态：{'、'.join(s.codes) if s.default is None else s.default}）"
                             for s in P.CHANGES.values()),
        "人员状态：「长期不在岗」必须选择原因（如 203-暂未在本单位任职-长病假）；其他类型可不填（按括号中的默认值）。",
        "生效日期：yyyy-MM-dd，不能晚于今天。离职、退休、死亡的教师从生效日期起不再计入在岗人数，教师账号不能登录，档案保留。",
        "默认全部无误才导入；有错误时不办理任何变动，错误会标注在您上传的文件中（错误清单）。",
        "One row per teacher; columns marked * are required. Changes: "
        + ", ".join(f"{s.zh} = {s.en}" for s in P.CHANGES.values()) + ".",
    ]
    for i, text in enumerate(lines, start=1):
        help_.cell(row=i, column=1, value=text)
    help_["A1"].font = Font(bold=True)
    return workbook_bytes(wb)


# ------------------------------------------------------------------ reading

@dataclass
class Row:
    line: int                       # the Excel row number
    values: dict[str, str]
    letters: dict[str, tuple[str, str]]  # key → (column letter, header as written)
    change: str | None = None
    code: str | None = None
    on: dt.date | None = None
    teacher_id: int | None = None


@dataclass
class Outcome:
    rows: int = 0
    applied: int = 0
    dry_run: bool = False
    problems: list[ImportProblem] = field(default_factory=list)
    report: Path | None = None
    effects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"rows": self.rows, "applied": self.applied, "dry_run": self.dry_run, "errors": self.errors,
                "problems": [p.as_json(lang) for p in self.problems[:500]]}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return str(value).strip()


def _place(p: ImportProblem) -> tuple[int, int]:
    """Where a problem sits: the file's own first, then by row, then by column (A, B, … AA)."""
    column = 0
    for ch in p.column or "":
        column = column * 26 + ord(ch.upper()) - 64
    return (p.row or 0, column)


def _refusal_problem(exc: Refusal, row: Row, key: str) -> ImportProblem:
    letter, header = row.letters.get(key, (None, None))
    return ImportProblem(SHEET, row.line, letter, header, exc.code, exc.message("zh"), exc.message("en"),
                         "error", exc.hint("zh"), exc.hint("en"))


def _row_problem(code: str, row: Row, key: str, **args: Any) -> ImportProblem:
    return _refusal_problem(Refusal(code, **args), row, key)


def read(path: Path, display_name: str, limits: Limits) -> tuple[list[Row], list[ImportProblem]]:
    """The rows of the sheet 在职变动 (or the only sheet), and the file's problems."""
    sizes = {s.name: s for s in check_file(path, limits, display_name)}
    wb = open_workbook(path, display_name)
    names = [n for n in wb.sheet_names if n not in SKIP_SHEETS and n not in (CODES_SHEET, HELP_SHEET)]
    title = SHEET if SHEET in names else (names[0] if len(names) == 1 else None)
    if title is None:
        return [], [problem(E.V_XLSX_MISSING_COLUMN, {"sheet": SHEET, "column": COLUMNS[0].zh})]
    if title in sizes:
        check_size(title, sizes[title].rows, sizes[title].columns, limits)
    sheet = load_sheet(wb, title, display_name).to_python(skip_empty_area=False)
    if not sheet:
        return [], [problem(E.V_XLSX_EMPTY, {})]
    header = sheet[0]
    where: dict[str, tuple[int, str, str]] = {}
    problems: list[ImportProblem] = []
    for j, text in enumerate(header):
        norm = normalise_header(str(text).split("(")[0].split("（")[0]) if text not in (None, "") else ""
        col = BY_HEADER.get(norm)
        if col is not None and col.key not in where:
            where[col.key] = (j, get_column_letter(j + 1), str(text))
    for c in COLUMNS:
        if c.required and c.key not in where:
            problems.append(problem(E.V_XLSX_MISSING_COLUMN, {"sheet": title, "column": c.zh}, sheet=title, row=1))
    if problems:
        return [], problems
    rows = []
    letters = {k: (letter, head) for k, (_, letter, head) in where.items()}
    for i, raw in enumerate(sheet[1:], start=2):
        values = {k: _text(raw[j]) if j < len(raw) else "" for k, (j, _, _) in where.items()}
        if any(values.values()):
            rows.append(Row(i, values, letters))
    if not rows:
        problems.append(problem(E.V_XLSX_EMPTY, {}))
    return rows, problems


def _parse_date(text: str) -> dt.date | None:
    for candidate in (text[:10], text.replace("/", "-")[:10], text.replace(".", "-")[:10]):
        try:
            return dt.date.fromisoformat(candidate)
        except ValueError:
            continue
    if len(text) == 8 and text.isdigit():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return None


def _parse_row(cat: Any, row: Row) -> list[ImportProblem]:
    """The row's own words: required values, the change, the status code, the date, the note."""
    out = []
    for c in COLUMNS:
        if c.required and not row.values.get(c.key):
            out.append(_row_problem(W.W_ROW_REQUIRED, row, c.key, column=c.zh, column_en=c.en))
    raw_change = row.values.get("change", "")
    if raw_change:
        row.change = change_of(raw_change)
        if row.change is None:
            out.append(_row_problem(W.W_ROW_CHANGE, row, "change", value=raw_change,
                                    allowed="、".join(s.zh for s in P.CHANGES.values())))
    raw_status = row.values.get("status", "")
    if raw_status:
        code = raw_status.split("-")[0].strip()
        table = cat.codes.get("person_status")
        if table is not None and code not in table.by_code:
            code = table.by_text.get(raw_status.strip(), "") or next(
                (c for c, item in table.by_code.items() if raw_status.strip() in (item.zh, item.en)), "")
        if not code:
            out.append(_row_problem(W.W_ROW_STATUS, row, "status", value=raw_status))
        row.code = code or None
    raw_date = row.values.get("effective_on", "")
    if raw_date:
        row.on = _parse_date(raw_date)
        if row.on is None:
            out.append(_row_problem(W.W_ROW_DATE, row, "effective_on", value=raw_date))
    note = row.values.get("note", "")
    if len(note) > NOTE_MAX:
        out.append(_row_problem(W.W_ROW_NOTE, row, "note", length=len(note), limit=NOTE_MAX))
    return out


def check(db: Session, cat: Any, principal: Principal, rows: list[Row], *, lock: bool = False,
          ) -> tuple[list[ImportProblem], dict[int, status.Known]]:
    """Every row against the files: the teacher within the importer's units (ID number AND name),
    once per file, and whether the change can apply to that teacher now (web.people.status).
    With ``lock`` the teachers stay locked for the transaction, and what was loaded serves
    ``status.apply`` unchanged."""
    problems: list[ImportProblem] = []
    for row in rows:
        problems += _parse_row(cat, row)
    ids = {idnumber.normalize(r.values["id_number"]) for r in rows if r.values.get("id_number")}
    found: dict[str, tuple[int, str]] = {}
    for chunk in status.batches(db, sorted(ids)):  # one query on PostgreSQL, whatever the rows
        found.update({idn: (tid, name) for tid, idn, name in db.execute(
            select(Teacher.id, Teacher.id_number, Teacher.name).where(
                status.among(db, Teacher.id_number, chunk), scope.teacher_filter(principal, PERMISSION)))})
    first: dict[str, int] = {}
    for row in rows:
        idn = idnumber.normalize(row.values.get("id_number", ""))
        if not idn:
            continue
        if idn in first:
            problems.append(_row_problem(W.W_ROW_TWICE, row, "id_number", id=idn, first=first[idn]))
            continue
        first[idn] = row.line
        tid, name = found.get(idn, (None, None))
        if tid is None or name != row.values.get("name", ""):
            problems.append(_row_problem(W.W_ROW_TEACHER, row, "id_number", id=scope.mask_id_number(idn),
                                         name=row.values.get("name", "")))
            continue
        row.teacher_id = tid
    known = status.load(db, [r.teacher_id for r in rows if r.teacher_id is not None], lock=lock)
    cases = _open_cases(db, [r.teacher_id for r in rows if r.teacher_id is not None])
    for row in rows:
        if row.teacher_id is None or row.change is None or row.on is None:
            continue  # already reported (an unknown teacher, a second row, words or a date)
        try:
            if row.teacher_id in cases:  # one open case per teacher (web/cases): a transfer, rotation, …
                _refuse_open(db, known[row.teacher_id].teacher.name, cases[row.teacher_id])
            row.code = status.check(cat, known[row.teacher_id], _item(row))
        except Refusal as exc:
            key = "status" if exc.code == P.W_STATUS_CODE else "effective_on" if exc.code in (
                P.W_FUTURE, P.W_TOO_EARLY) else "change"
            problems.append(_refusal_problem(exc, row, key))
    return problems, known


def _open_cases(db: Session, teacher_ids: list[int]) -> dict[int, Any]:
    """The open mobility cases (web/cases) of these teachers, in a few queries."""
    from web.cases.models import MobilityCase

    out: dict[int, Any] = {}
    for chunk in status.batches(db, sorted(set(teacher_ids))):
        out.update({c.open_teacher_id: c for c in db.scalars(
            select(MobilityCase).where(status.among(db, MobilityCase.open_teacher_id, chunk)))})
    return out


def _refuse_open(db: Session, name: str, case: Any) -> None:
    from web.cases import service as cases
    from web.cases import words as C
    from web.db.models import Unit

    kind = cases.KINDS.get(case.kind)
    unit = db.get(Unit, case.acting_unit_id) if case.acting_unit_id else None
    raise Refusal(C.W_CASE_OPEN, name=name, kind=kind.zh if kind else case.kind,
                  kind_en=kind.en.lower() if kind else case.kind, state=cases.state_word(case),
                  state_en=cases.state_word(case, "en"), unit=unit.name if unit else "")


def _item(row: Row) -> status.StatusChange:
    assert row.teacher_id is not None and row.change is not None and row.on is not None
    return status.StatusChange(row.teacher_id, row.change, row.on, row.code, row.values.get("note") or None)


# ------------------------------------------------------------------ importing

Apply = Callable[[Session, list[Row], dict[int, status.Known]], list[dict[str, Any]]]


def direct(cat: Any, principal: Principal) -> Apply:
    """Apply the rows at once (the importer may complete the changes itself)."""
    def apply(db: Session, rows: list[Row], known: dict[int, status.Known]) -> list[dict[str, Any]]:
        return status.apply(db, cat, principal, [_item(r) for r in rows], known=known)
    return apply


def import_sheet(sessions: sessionmaker, cat: Any, principal: Principal, path: Path, *,
                 display_name: str | None = None, dry_run: bool = False, all_or_nothing: bool = True,
                 report: Path | None = None, limits: Limits | None = None,
                 apply: Apply | None = None) -> Outcome:
    """Check every row, then (unless a dry run, or anything is wrong and ``all_or_nothing``)
    apply the rows that passed, in one transaction. A report (the user's workbook with the
    problems marked) is written to ``report`` when there are problems."""
    limits = limits or Limits.from_env()
    name = display_name or path.name
    out = Outcome(dry_run=dry_run)
    scope.require(principal, PERMISSION)
    try:
        rows, out.problems = read(path, name, limits)
    except BadFile as bad:
        out.problems = bad.problems
        rows = []
    out.rows = len(rows)
    db: Session = sessions()
    try:
        known: dict[int, status.Known] = {}
        if rows and not out.errors:
            found, known = check(db, cat, principal, rows, lock=not dry_run)
            out.problems += found
        out.problems.sort(key=_place)
        bad_lines = {p.row for p in out.problems if p.severity == "error"}
        blocked = not rows or (all_or_nothing and out.errors) or any(
            p.row in (None, 1) for p in out.problems if p.severity == "error")
        good = [r for r in rows if r.line not in bad_lines]
        if not dry_run and not blocked and good:
            try:
                out.effects = (apply or direct(cat, principal))(db, good, known)
            except Refusal as exc:  # a file changed by someone else since the check: nothing written
                db.rollback()
                out.problems.append(ImportProblem(SHEET, None, None, None, exc.code, exc.message("zh"),
                                                  exc.message("en"), "error", exc.hint("zh"), exc.hint("en")))
            out.applied = len(out.effects)
        audit.record(db, "status_change.import", actor=principal, unit_id=principal.unit_id,
                     detail={"file": name, "rows": out.rows, "applied": out.applied, "errors": out.errors,
                             "dry_run": dry_run, "all_or_nothing": all_or_nothing,
                             "teachers": [e["teacher"] for e in out.effects][:10000]})
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()
    if out.errors and not out.applied and not dry_run:
        refusal = Refusal(W.W_NOT_APPLIED, errors=out.errors)
        out.problems.insert(0, ImportProblem(None, None, None, None, refusal.code, refusal.message("zh"),
                                             refusal.message("en"), "error", refusal.hint("zh"), refusal.hint("en")))
    if out.problems and report is not None:
        out.report = write_report(path, out.problems, report)
    return out
