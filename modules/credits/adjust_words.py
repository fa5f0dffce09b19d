"""Refusals of manual credit adjustments (调整学分, modules/credits/adjustments.py; W676–W679)."""

from __future__ import annotations

from web.errors import _e

W_ADJUST_BELOW_ZERO = _e(
    "W676", 409, "调整后该教师「{category}」类学分合计为 {after}，不能小于 0（现有 {before}）",
    "After this adjustment the teacher's '{category_en}' credits would total {after}, below 0 (now {before})",
    "减少的学分不能超过该类别现有的 {before} 学分；核对类别和学分（负数表示减少）后重新提交。",
    "A reduction cannot exceed the {before} credits the category holds; check the category and the credits "
    "(negative = a reduction) and submit again.")
W_ADJUST_CATEGORY = _e(
    "W677", 422, "调整学分的「学分类别」无效：「{value}」不是本省的学分类别",
    "Credit adjustment field 'category' is invalid: '{value}' is not a credit category of the province",
    "可选：{allowed}。", "One of: {allowed_en}.")
W_ADJUST_FIELD = _e(
    "W678", 422, "调整学分的「{field}」无效：{detail}", "Credit adjustment field '{field_en}' is invalid: {detail_en}",
    "{hint}", "{hint_en}")
W_ADJUST_WHO = _e(
    "W679", 403, "调整学分由教师所在学校的上级教育行政部门（县级及以上）的审核人员办理",
    "Credits are adjusted by the reviewers of an education authority (county level or above) over the teacher's school",
    "请用县、市或省级教育行政部门审核员的账号登录；学校可将需要更正的情况报主管部门。",
    "Sign in with a county, city or province reviewer account; a school reports what needs correcting to its authority.")
W_ADJUST_HOURS_BELOW_ZERO = _e(
    "W660", 409, "调整后该教师「{category}」类学时合计为 {after}，不能小于 0（现有 {before} 学时）",
    "After this adjustment the teacher's '{category_en}' hours would total {after}, below 0 (now {before})",
    "减少的学时不能超过该类别现有的 {before} 学时；只减学分时学时可不填。",
    "A reduction cannot exceed the {before} hours the category holds; leave the hours empty to take away credits only.")
