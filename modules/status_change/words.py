"""Refusals of the status-change module (W765–W774)."""

from __future__ import annotations

from web.errors import _e

W_ROW_TEACHER = _e("W765", 404, "找不到身份证件号为「{id}」、姓名为「{name}」的教师，或不在您的管理范围内",
                   "No teacher with ID number '{id}' and name '{name}' within your units",
                   "身份证件号和姓名须与档案一致；只能办理本单位及下属单位的教师。",
                   "The ID number and the name must match the file; you act on teachers of your own units only.")
W_ROW_CHANGE = _e("W766", 422, "变动类型「{value}」无效", "Unknown change '{value}'",
                  "可选：{allowed}", "Allowed: {allowed}")
W_ROW_STATUS = _e("W767", 422, "人员状态「{value}」不是代码表中的值", "'{value}' is not a personnel status code",
                  "从下拉框选择，或填写代码（如 203）。", "Choose from the drop-down list or enter the code (e.g. 203).")
W_ROW_DATE = _e("W768", 422, "生效日期「{value}」无效", "The effective date '{value}' is not a date",
                "格式：yyyy-MM-dd，例如 2025-07-31。", "Format yyyy-MM-dd, e.g. 2025-07-31.")
W_ROW_REQUIRED = _e("W769", 422, "【{column}】必填", "'{column_en}' is required",
                    "请在这一行填写【{column}】（见「填表说明」）。", "Fill in '{column_en}' on this row (see the sheet 填表说明).")
W_ROW_TWICE = _e("W770", 422, "身份证件号「{id}」在本文件中重复（第 {first} 行已有）",
                 "ID number '{id}' appears twice in this file (already in row {first})",
                 "每位教师只填一行。", "Give each teacher one row.")
W_ROW_NOTE = _e("W771", 422, "备注过长（{length} 字，至多 {limit} 字）", "The note is too long ({length} characters, at most {limit})",
                "请删减备注。", "Shorten the note.")
W_NOT_APPLIED = _e("W772", 422, "文件中有 {errors} 处错误，未办理任何在职变动",
                   "The file has {errors} errors; no status change was made",
                   "按错误报告改正后重新上传；也可以选择只办理无误的行。",
                   "Fix what the error report marks and upload again, or choose to apply the correct rows only.")
