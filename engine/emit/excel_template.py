"""Emit the Excel import template of one province and school-type family, and its column map.

The template and the importer share this module, so what the template writes the importer reads:

- one sheet per information set of the family, named by the set's Chinese label;
- row 1 holds the headers: the field's label, the format in brackets where it matters and ``*``
  on required columns (``出生日期(yyyy-MM-dd)*``); help is the header cell's comment;
- every code column gets a dropdown (data validation list) of its code table's labels, read from
  the hidden sheet ``_codes`` (Excel's inline lists stop at 255 characters);
- repeating sets start with two link columns, 姓名 and 身份证件号*, that tie a row to its teacher;
- a ``填写说明`` sheet explains the rules in Chinese and English;
- a very hidden ``_tmis`` sheet records the province, school type, family and catalogue version,
  so a template of another province or of an older catalogue is recognised on import.

``column_map`` turns header text back into field keys, tolerant of ``*``, spaces, line breaks and a
trailing bracketed format. Pure: builds an ``openpyxl.Workbook``; the caller saves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from engine.emit.conditions import describe
from engine.emit.xlsx_writer import safe_row, workbook_bytes
from engine.fieldtypes import REGISTRY
from engine.validate import FieldView, SetView

if TYPE_CHECKING:  # pragma: no cover
    from engine.catalogue import Catalogue

FORMAT = "tmis-template"
FORMAT_VERSION = "1"
META_SHEET = "_tmis"
CODES_SHEET = "_codes"
INSTRUCTIONS_SHEET = "填写说明"
MAIN_SET = "basic"          # 基本信息: one row per teacher, keyed by the ID number
ID_FIELD = "id_number"      # 身份证件号
NAME_FIELD = "name"         # 姓名
LINK_ID = "@id_number"      # link columns of repeating sheets (not fields of the set)
LINK_NAME = "@name"
LINK_LABELS = {LINK_NAME: ("姓名", "Name"), LINK_ID: ("身份证件号", "ID number")}
LAST_ROW = 1048576          # data validations cover the whole column below the header
# Types a person does not type into a template: computed, or uploaded as files.
SKIPPED_TYPES = frozenset({"derived", "photo", "attachment"})
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_SPACES = re.compile(r"[\s\u3000]+")
_TRAILING_BRACKET = re.compile(r"[(（][^()（）]*[)）]$")


# ---------------------------------------------------------------------------- naming


def sheet_title(view: SetView) -> str:
    """The sheet of a set: its Chinese label, made a legal sheet name (≤ 31, no []:*?/\\)."""
    return _SHEET_BAD.sub("_", view.spec.label.zh)[:31]


def template_fields(view: SetView) -> list[FieldView]:
    """The fields a person fills in a template, in form order."""
    return [f for f in view.fields if f.spec.type not in SKIPPED_TYPES and not f.spec.readonly]


def is_required(f: FieldView) -> bool:
    return f.spec.required is True


def column_labels(view: SetView) -> dict[str, dict[str, str]]:
    """key → {zh, en}: the field's label, prefixed by its section's when two fields of the set
    share a label (研究成果: 项目（课题）-学科领域, 著作-学科领域), so that headers stay unique."""
    keys = {f.key for f in template_fields(view)}
    fields = [(s, f) for s in view.sections for f in s.fields if f.key in keys]
    seen: dict[str, int] = {}
    for _, f in fields:
        seen[f.label("zh")] = seen.get(f.label("zh"), 0) + 1
    out: dict[str, dict[str, str]] = {}
    for section, f in fields:
        if seen[f.label("zh")] > 1:
            out[f.key] = {"zh": f"{section.label.zh}-{f.label('zh')}",
                          "en": f"{section.label.get('en')} - {f.label('en')}"}
        else:
            out[f.key] = {"zh": f.label("zh"), "en": f.label("en")}
    return out


def header_text(f: FieldView, lang: str = "zh", label: str | None = None) -> str:
    """``出生日期(yyyy-MM-dd)*``: label, format where it matters, ``*`` when always required."""
    fmt = REGISTRY[f.spec.type].excel_format
    text = (label or f.label(lang)) + (f"({fmt})" if fmt else "")
    return text + ("*" if is_required(f) else "")


def normalise_header(text: object) -> str:
    """Header text as written by a person → comparable form: no ``*``, no whitespace."""
    if text is None:
        return ""
    return _SPACES.sub("", str(text)).replace("*", "").replace("＊", "")


def header_candidates(text: object) -> list[str]:
    """The forms to look a header up by: as written, then without one trailing ``(format)``."""
    norm = normalise_header(text)
    out = [norm]
    stripped = _TRAILING_BRACKET.sub("", norm)
    if stripped != norm and stripped:
        out.append(stripped)
    return out


# ---------------------------------------------------------------------------- column map


@dataclass(frozen=True)
class ColumnMap:
    """Header text → field key for one set's sheet (link columns included for repeating sets)."""

    set_key: str
    by_text: dict[str, str]
    required: tuple[str, ...]          # keys whose column must be present
    labels: dict[str, str]             # key → header text as the template writes it

    def key_of(self, header: object) -> str | None:
        for cand in header_candidates(header):
            key = self.by_text.get(cand)
            if key is not None:
                return key
        return None


def column_map(view: SetView) -> ColumnMap:
    by_text: dict[str, str] = {}
    labels: dict[str, str] = {}
    required: list[str] = []
    if view.key != MAIN_SET:  # 联系方式 too: any sheet but 基本信息 is tied to its teacher by ID
        for key, (zh, en) in LINK_LABELS.items():
            for t in (zh, en, key):
                by_text.setdefault(normalise_header(t), key)
            labels[key] = zh + ("*" if key == LINK_ID else "")
        required.append(LINK_ID)
    names = column_labels(view)
    fields = template_fields(view)
    # unique labels first: a shared plain label must not claim the first field that has it
    for f in fields:
        zh, en = names[f.key]["zh"], names[f.key]["en"]
        for t in (zh, en, f.key, header_text(f, "zh", zh), header_text(f, "en", en)):
            by_text.setdefault(normalise_header(t), f.key)
        labels[f.key] = header_text(f, "zh", zh)
        if is_required(f):
            required.append(f.key)
    return ColumnMap(view.key, by_text, tuple(required), labels)


def sheet_keys(cat: "Catalogue", family: str) -> dict[str, str]:
    """Normalised sheet name (label zh/en, key) → set key, for workbooks without metadata."""
    out: dict[str, str] = {}
    for key in cat.set_keys(family):
        view = cat.view(key, family)
        for t in (sheet_title(view), view.spec.label.zh, view.spec.label.en or "", key):
            if t:
                out.setdefault(normalise_header(t), key)
    return out


def ordered_sets(cat: "Catalogue", family: str, sets: Iterable[str] | None = None) -> list[str]:
    """Set keys of the family in form order (main set first), optionally restricted."""
    keys = cat.set_keys(family)
    if sets is not None:
        wanted = set(sets)
        keys = [k for k in keys if k in wanted]
    return sorted(keys, key=lambda k: (k != MAIN_SET, cat.sets[k].order, k))


# ---------------------------------------------------------------------------- emitter


def _help_comment(f: FieldView, view: SetView) -> str | None:
    parts: list[str] = []
    if f.spec.help:
        parts.append(f.spec.help.zh)
        if f.spec.help.en:
            parts.append(f.spec.help.en)
    t = f.spec.type
    if t == "code":
        parts.append("请从下拉列表中选择。Choose from the list.")
    elif t == "codes":
        parts.append("可填多项，用“、”分隔。Several allowed, separated by '、'.")
    elif t == "boolean":
        parts.append("填“是”或“否”。Yes (是) or no (否).")
    fmt = REGISTRY[t].excel_format
    if fmt:
        parts.append(f"格式 Format: {fmt}，例如 e.g. {REGISTRY[t].example}")
    shown = describe(f.spec.shown, view) if f.spec.shown else None
    required = describe(f.spec.required, view) if isinstance(f.spec.required, str) else None
    if f.spec.shown and f.spec.shown == f.spec.required and shown:  # the usual pair: one sentence
        parts.append(f"{shown[0]}时必填，否则不填。Required when {shown[1]}; left empty otherwise.")
    else:
        if f.spec.shown:
            parts.append(f"仅当{shown[0]}时填写。Filled in only when {shown[1]}." if shown else
                         "仅在一定条件下填写。Filled in only in some cases.")
        if isinstance(f.spec.required, str):
            parts.append(f"{required[0]}时必填。Required when {required[1]}." if required else
                         "在一定条件下必填。Required in some cases.")
    return "\n".join(parts) if parts else None


def _code_tables(cat: "Catalogue", family: str, keys: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Code tables the family's code columns use: table → (title, labels offered)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for key in keys:
        for f in template_fields(cat.view(key, family)):
            if f.spec.type == "code" and f.codes is not None and f.spec.codes not in out:
                out[f.spec.codes or ""] = (f.codes.table.label.zh, [f.codes.cell_text(c) for c in f.codes.options()])
    return out


def _code_ranges(tables: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    out = {}
    for col, (table, (_, labels)) in enumerate(tables.items(), start=1):
        letter = get_column_letter(col)
        out[table] = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${max(len(labels) + 1, 2)}"
    return out


def _codes_sheet(wb: Workbook, tables: dict[str, tuple[str, list[str]]]) -> None:
    ws = wb.create_sheet(CODES_SHEET)
    ws.sheet_state = "hidden"
    columns = [[title, *labels] for title, labels in tables.values()]
    height = max((len(c) for c in columns), default=0)
    for i in range(height):
        ws.append([c[i] if i < len(c) else None for c in columns])


def _add_validation(ws: object, dv: DataValidation) -> None:
    if hasattr(ws, "add_data_validation"):
        ws.add_data_validation(dv)  # type: ignore[attr-defined]
    else:  # a write-only sheet
        ws.data_validations.append(dv)  # type: ignore[attr-defined]


def sheet_columns(view: SetView) -> list[tuple[str, FieldView | None]]:
    """The columns of a set's sheet: link columns (repeating sets), then the fields."""
    columns: list[tuple[str, FieldView | None]] = []
    if view.key != MAIN_SET:
        columns += [(LINK_NAME, None), (LINK_ID, None)]
    return columns + [(f.key, f) for f in template_fields(view)]


def _set_sheet(wb: Workbook, view: SetView, ranges: dict[str, str], write_only: bool,
               rows: Iterable[list[object]] | None = None) -> None:
    ws = wb.create_sheet(sheet_title(view))
    cmap = column_map(view)
    columns = sheet_columns(view)
    bold = Font(bold=True)
    header = []
    for col, (key, f) in enumerate(columns, start=1):
        cell = WriteOnlyCell(ws, cmap.labels[key]) if write_only else ws.cell(1, col, cmap.labels[key])
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        required = key == LINK_ID or (f is not None and is_required(f))
        cell.fill = REQUIRED_FILL if required else HEADER_FILL
        header.append(cell)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(12, min(40, len(cmap.labels[key]) * 2 + 2))
        area = f"{letter}2:{letter}{LAST_ROW}"
        if f is None:
            if key == LINK_ID:
                ws.column_dimensions[letter].number_format = "@"
                cell.comment = Comment("教师的身份证件号，与“基本信息”中一致。\n"
                                       "The teacher's ID number, as in 基本信息.", "tmis")
            continue
        note = _help_comment(f, view)
        if note:
            cell.comment = Comment(note, "tmis", width=300, height=max(120, 36 * (note.count("\n") + 1)))
        t = f.spec.type
        if t in ("text", "codes"):
            # text columns stay text: an ID number must never become 3.6E+17
            ws.column_dimensions[letter].number_format = "@"
        if t == "code" and f.codes is not None:
            dv = DataValidation(type="list", formula1=ranges[f.spec.codes or ""],
                                allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                errorTitle="不在列表中 Not in the list",
                                error="请从下拉列表中选择。Choose from the list.")
            dv.add(area)
            _add_validation(ws, dv)
        elif t == "boolean":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            dv.add(area)
            _add_validation(ws, dv)
    ws.freeze_panes = "A2"
    if write_only:
        ws.append(header)
    else:
        ws.row_dimensions[1].height = 32
    for row in rows or ():
        ws.append(safe_row(row))  # write-only sheets cannot be walked at save (engine/emit/xlsx_writer.py)


def _instructions(wb: Workbook, cat: "Catalogue", family: str, school_type: str | None, keys: list[str]) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    fam_label = family
    st = cat.resolved.school_types
    if st is not None:
        fam_label = next((f.label.zh for f in st.families if f.key == family), family)
        if school_type:
            fam_label = next((t.label.zh for t in st.school_types if t.key == school_type), fam_label)
    lines = [
        (f"{cat.name.zh} 教师信息导入模板（{fam_label}） 指标版本 {cat.version}",
         f"{cat.name.en or cat.name.zh} teacher data import template ({family}), catalogue version {cat.version}"),
        ("一、带 * 的列为必填项；有的列只在一定条件下填写或必填，见该列表头的批注。不要修改表头和工作表名称，"
         "不要删除隐藏的工作表。",
         "1. Columns marked * are required; some are filled in or required only in some cases, as the comment "
         "on their header says. Do not change the headers or sheet names; keep the hidden sheets."),
        ("二、日期填 yyyy-MM-dd（如 2008-09-01），年月填 yyyy-MM（如 2008-09），也可使用 Excel 日期。",
         "2. Dates as yyyy-MM-dd (2008-09-01), months as yyyy-MM (2008-09); Excel dates work too."),
        ("三、代码项请从下拉列表中选择（也可填写代码）；多选项用“、”分隔。",
         "3. Choose coded values from the list (codes work too); separate several with '、'."),
        ("四、“基本信息”每位教师一行，按身份证件号新增或更新教师；其他工作表每条记录一行，用“身份证件号”关联教师。",
         "4. 基本信息: one row per teacher, added or updated by ID number. Other sheets: one row per record, "
         "linked to the teacher by 身份证件号."),
        ("五、导入前全部校验：有任何错误则不导入，返回的文件中标出出错的单元格并附错误说明。",
         "5. Everything is checked first: if anything is wrong nothing is imported, and the returned "
         "workbook marks each wrong cell with the reason."),
        ("六、重复的记录（无）：没有该类经历时填一条类别为“无”的记录。",
         "6. Repeating sets: if there is nothing to report, add one record whose type is 无 (none)."),
        ("", ""),
        ("工作表 Sheets", ""),
    ]
    for key in keys:
        view = cat.view(key, family)
        help_zh = view.spec.help.zh if view.spec.help else ""
        help_en = (view.spec.help.en or "") if view.spec.help else ""
        many = "每条记录一行" if view.spec.cardinality == "many" else "每位教师一行"
        lines.append((f"{sheet_title(view)}：{many}。{help_zh}", f"{view.spec.label.en or key}. {help_en}".strip()))
    for zh, en in lines:
        ws.append([zh, en])
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 90


def _meta(wb: Workbook, cat: "Catalogue", family: str, school_type: str | None, keys: list[str]) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    rows = [("format", FORMAT), ("format_version", FORMAT_VERSION), ("province", cat.province or "national"),
            ("school_type", school_type or family), ("family", family), ("catalogue_version", cat.version)]
    rows += [(f"sheet:{sheet_title(cat.view(k, family))}", k) for k in keys]
    for k, v in rows:
        ws.append([k, v])


def emit_excel_template(cat: "Catalogue", school_type: str | None = None, *,
                        sets: Iterable[str] | None = None, write_only: bool = False,
                        rows: Callable[[str], Iterable[list[object]]] | None = None) -> Workbook:
    """The import template of a school type (or family) as an openpyxl workbook.

    ``rows(set_key)`` fills the sheets (an export); ``write_only`` streams them to disk on save,
    so an export of 100,000 teachers does not hold every cell in memory.
    """
    family = cat.family_of(school_type)
    keys = ordered_sets(cat, family, sets)
    tables = _code_tables(cat, family, keys)
    ranges = _code_ranges(tables)
    wb = Workbook(write_only=write_only)
    if not write_only:
        wb.remove(wb.active)
    _instructions(wb, cat, family, school_type, keys)
    for key in keys:
        _set_sheet(wb, cat.view(key, family), ranges, write_only, rows(key) if rows else None)
    _codes_sheet(wb, tables)
    _meta(wb, cat, family, school_type, keys)
    if not write_only:
        wb["填写说明"]["A1"].font = Font(bold=True, size=13)
        wb.active = 1 if keys else 0
    return wb


def template_bytes(cat: "Catalogue", school_type: str | None = None, *, sets: Iterable[str] | None = None) -> bytes:
    return workbook_bytes(emit_excel_template(cat, school_type, sets=sets))
