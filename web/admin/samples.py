"""Sample workbooks to download before an import: the headers the importers read, the ID number
and date columns stored as text (Excel would round an 18-digit number and turn dates into serial
numbers), a drop-down where the values are fixed, and an instructions sheet with an example.
The importers read the first sheet only, so the example can never be imported by mistake."""

from __future__ import annotations

from typing import Sequence

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from engine.emit.xlsx_writer import workbook_bytes
from web.services.teachers import NAME_MAX_LENGTH

ROWS = 1000  # formatted and validated rows of the data sheet
HEAD = PatternFill("solid", fgColor="DDE8F5")


def _sheet(wb: Workbook, title: str, headers: Sequence[tuple[str, str, int, bool]]) -> None:
    """headers: (name, comment, width, as_text)."""
    ws = wb.active
    ws.title = title
    for col, (name, note, width, as_text) in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=name)
        cell.font, cell.fill = Font(bold=True), HEAD
        cell.comment = Comment(note, "tmis")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = width
        if as_text:
            for row in range(2, ROWS + 2):
                ws.cell(row=row, column=col).number_format = "@"
    ws.freeze_panes = "A2"


def _instructions(wb: Workbook, lines: Sequence[str], example: Sequence[Sequence[str]]) -> None:
    ws = wb.create_sheet("填写说明")
    for line in lines:
        ws.append([line])
    ws.append([])
    ws.append(["示例（请勿粘贴到第一个工作表）/ example (do not paste into the first sheet)"])
    for row in example:
        ws.append(list(row))
    ws.column_dimensions["A"].width = 90


def _bytes(wb: Workbook) -> bytes:
    return workbook_bytes(wb)


def teacher_accounts() -> bytes:
    wb = Workbook()
    _sheet(wb, "教师用户", [
        ("姓名", f"必填，至多 {NAME_MAX_LENGTH} 字", 14, True),
        ("性别", "男 或 女（须与身份证件号一致）", 8, True),
        ("出生日期", "YYYY-MM-DD，例如 1985-03-14（须与身份证件号一致）", 14, True),
        ("身份证件号", "18 位居民身份证号，末位可为 X；作为教师的登录用户名", 24, True),
    ])
    gender = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    gender.error, gender.errorTitle = "请选择 男 或 女", "性别"
    wb.active.add_data_validation(gender)
    gender.add(f"B2:B{ROWS + 1}")
    _instructions(wb, [
        "教师用户导入：每行一位教师，由学校系统管理员导入，系统为每人生成随机初始密码。",
        "用户名为身份证件号；初始密码可在「导出」的表格中查看（教师修改密码后不再显示）。",
        "身份证件号已在其他单位建档的，不会重复创建：结果中会列出其所在单位，请与该单位或上级教育行政部门联系核实。",
        "Teacher accounts: one teacher per row; the username is the ID number, the initial password is random.",
    ], [["姓名", "性别", "出生日期", "身份证件号"], ["张三", "男", "1985-03-14", "36010219850314001X"]])
    return _bytes(wb)


def units() -> bytes:
    wb = Workbook()
    _sheet(wb, "单位", [
        ("单位代码", "区县及以上：GB/T 2260 行政区划代码；学校：10 位学校代码", 16, True),
        ("单位名称", "必填", 28, True),
        ("层级", "省 / 市 / 县 / 学校", 8, True),
        ("上级单位代码", "须在您的管理范围内；可以是同一表格中的上级", 16, True),
        ("办学类型", "学校必填，例如 小学、初级中学、幼儿园、中等职业学校", 16, True),
        ("城乡类型", "城区 / 镇区 / 乡村", 10, True),
    ])
    level = DataValidation(type="list", formula1='"省,市,县,学校"', allow_blank=True)
    ur = DataValidation(type="list", formula1='"城区,镇区,乡村"', allow_blank=True)
    for dv, cells in ((level, "C"), (ur, "F")):
        wb.active.add_data_validation(dv)
        dv.add(f"{cells}2:{cells}{ROWS + 1}")
    _instructions(wb, [
        "单位导入：按单位代码新增或更新单位（名称、办学类型、城乡类型）；已有单位的上级和层级不能通过导入修改，请用「移动」。",
        "全部成功才保存：任何一行有问题，整张表都不导入，并列出每行的问题。",
        "Units: created or updated by code; all or nothing. Move a unit with the 移动 action.",
    ], [["单位代码", "单位名称", "层级", "上级单位代码", "办学类型", "城乡类型"],
        ["3601020099", "东湖区示例小学", "学校", "360102", "小学", "城区"]])
    return _bytes(wb)
