"""Refuse a bad file before reading it: not an xlsx, damaged, encrypted, a zip bomb, too big.

Everything here looks at the zip's directory and a few kilobytes of XML; no sheet is loaded. The
checks run before the database is touched, so a refused file changes nothing.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils import column_index_from_string

from engine import errors as E
from web.excel.limits import Limits
from web.excel.problems import BadFile, problem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: old .xls, or an encrypted .xlsx
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MB = 1024 * 1024


@dataclass(frozen=True)
class SheetSize:
    name: str
    rows: int | None     # from the sheet's <dimension>, when the writer recorded one
    columns: int | None
    xml_bytes: int = 0   # the sheet's XML, expanded (calamine holds about as much while reading it)


def _bad(code: str, **args: object) -> BadFile:
    return BadFile([problem(code, dict(args))])


def check_file(path: Path, limits: Limits, display_name: str | None = None) -> list[SheetSize]:
    """Raise ``BadFile`` when the file must be refused; return the sheets' declared sizes (the
    caller checks those of the sheets it will read against the row and column limits)."""
    name = display_name or path.name
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        raise _bad(E.V_XLSX_TOO_LARGE, file=name, size=round(size / MB, 1), limit=limits.max_file_mb)
    with path.open("rb") as fh:
        head = fh.read(8)
        if head.startswith(OLE_MAGIC):
            fh.seek(0)
            blob = fh.read(min(size, 4 * MB))
            if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
                raise _bad(E.V_XLSX_ENCRYPTED, file=name)
            raise _bad(E.V_XLSX_NOT_XLSX, file=name, detail_zh="（这是旧版 .xls 格式，请另存为 .xlsx）",
                       detail_en=" (this is the old .xls format: save it as .xlsx)")
    if not head.startswith(ZIP_MAGIC):
        raise _bad(E.V_XLSX_NOT_XLSX, file=name, detail_zh="", detail_en="")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _bad(E.V_XLSX_CORRUPT, file=name, detail=str(exc)[:120]) from None
    with zf:
        infos = zf.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise _bad(E.V_XLSX_NOT_XLSX, file=name, detail_zh="（压缩包中没有工作簿）",
                       detail_en=" (the archive holds no workbook)")
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        ratio = total / packed
        if total > limits.max_uncompressed_mb * MB or (ratio > limits.max_ratio and total > 50 * MB):
            raise _bad(E.V_XLSX_BOMB, file=name, size=round(total / MB), ratio=round(ratio),
                       limit=limits.max_uncompressed_mb)
        try:
            sizes = _sheet_sizes(zf)
        except (ElementTree.ParseError, KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _bad(E.V_XLSX_CORRUPT, file=name, detail=str(exc)[:120]) from None
    return sizes


def shared_strings_bytes(path: Path) -> int:
    """The size of the workbook's shared strings XML (0 when it has none), for a file that
    passed ``check_file``. Every handle on the file holds them parsed."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.NameToInfo.get("xl/sharedStrings.xml")
            return info.file_size if info is not None else 0
    except (zipfile.BadZipFile, OSError):
        return 0


def check_size(sheet: str, rows: int | None, columns: int | None, limits: Limits) -> None:
    if rows is not None and rows - 1 > limits.max_rows:
        raise _bad(E.V_XLSX_TOO_MANY_ROWS, sheet=sheet, rows=rows - 1, limit=limits.max_rows)
    if columns is not None and columns > limits.max_columns:
        raise _bad(E.V_XLSX_TOO_MANY_COLUMNS, sheet=sheet, columns=columns, limit=limits.max_columns)


def _small_xml(zf: zipfile.ZipFile, member: str, limit: int = 4 * MB) -> ElementTree.Element:
    info = zf.getinfo(member)
    if info.file_size > limit:
        raise zipfile.BadZipFile(f"{member} is implausibly large")
    return ElementTree.fromstring(zf.read(member))


def _sheet_sizes(zf: zipfile.ZipFile) -> list[SheetSize]:
    """Each sheet's <dimension ref="A1:N100001"> (read from the first 64 KB of its XML)."""
    wb = _small_xml(zf, "xl/workbook.xml")
    rels = _small_xml(zf, "xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
    out = []
    for sheet in wb.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        rows = cols = None
        xml_bytes = zf.NameToInfo[member].file_size if member in zf.NameToInfo else 0
        if member in zf.NameToInfo:
            with zf.open(member) as fh:
                m = _DIMENSION.search(fh.read(65536))
            if m:
                last_col = (m[3] or m[1]).decode()
                rows = int(m[4] or m[2])
                cols = column_index_from_string(last_col)
        out.append(SheetSize(sheet.get("name", ""), rows, cols, xml_bytes))
    return out
