"""Refusals of web.people (W750–W769) and the words of status changes.

Status changes (在职变动, 教师〔2017〕2号 art. 22) set 人员状态 (basic.person_status, code table
person_status): 1xx working in the unit, 2xx on the roll but away, 3xx left. Each change names
the codes it may set and the one it sets by default.
"""

from __future__ import annotations

from dataclasses import dataclass

from web.errors import _e


@dataclass(frozen=True)
class Change:
    key: str
    zh: str
    en: str
    codes: tuple[str, ...]        # 人员状态 codes this change may set (prefixes of 3 digits)
    default: str | None           # None: the code must be chosen (长期不在岗: which reason)
    leaves: bool                  # the teacher leaves the roll (cannot sign in, not counted)


ABSENT, LEFT, RETIRED, DIED, RETURNED = "absent", "left", "retired", "died", "returned"
CHANGES: dict[str, Change] = {c.key: c for c in (
    Change(ABSENT, "长期不在岗", "Long-term absence",
           ("201", "202", "203", "204", "206", "207", "208", "209", "210", "211", "299"), None, False),
    Change(LEFT, "离职", "Left the job", ("307", "306", "308"), "307", True),
    Change(RETIRED, "退休", "Retired", ("301", "302"), "301", True),
    Change(DIED, "死亡", "Deceased", ("303",), "303", True),
    Change(RETURNED, "返岗", "Back at post", ("100",), "100", False),
)}
WORKING = "100"           # 在本单位任职
ROTATING_AWAY = "205"     # 暂未在本单位任职-交流轮岗 (set while seconded elsewhere)


def is_left(code: str | None) -> bool:
    return bool(code) and str(code).startswith("3")


def is_away(code: str | None) -> bool:
    return bool(code) and str(code).startswith("2")


# --- W750–W769: people (moves, secondments, status)
W_UNDER_REVIEW = _e("W750", 409, "「{name}」的档案正在审核中（{state}），不能办理{what}",
                    "{name}'s file is under review ({state_en}); {what_en} cannot start",
                    "请等待审核完成，或请审核人员退回后再办理；已审核通过的数据不受影响。",
                    "Wait for the review to finish, or ask the reviewer to send the file back first; approved data is not affected.")
W_CHANGE_OPEN = _e("W751", 409, "「{name}」有尚未完成的信息变更申请，不能办理{what}",
                   "{name} has an open change request; {what_en} cannot start",
                   "请先完成该变更的审核，或由学校撤回变更申请，再办理。",
                   "Finish the change request's review, or let the school withdraw it, then start again.")
W_SAME_UNIT = _e("W752", 422, "「{name}」已在「{unit}」，无需{what}", "{name} is at '{unit}' already; no {what_en} needed",
                 "调入单位应是该教师现在所在学校以外的学校。", "The receiving unit must be a school other than the teacher's current one.")
W_NOT_A_SCHOOL = _e("W753", 422, "「{unit}」不是学校，教师只能调入或交流到学校",
                    "'{unit}' is not a school; teachers move to schools only",
                    "请选择学校（或教研室等学校类单位）。", "Choose a school (or a school-like unit such as a teaching-research office).")
W_TOO_EARLY = _e("W754", 422, "生效日期 {date} 早于该教师在「{unit}」任职的开始日期 {since}",
                 "The effective date {date} is before the teacher's appointment at '{unit}' began ({since})",
                 "请填写 {since} 或之后的日期。", "Enter {since} or a later date.")
W_FUTURE = _e("W755", 422, "生效日期 {date} 晚于今天（{today}）", "The effective date {date} is after today ({today})",
              "在职变动登记已经发生的情况：请在生效当天或之后办理。",
              "A status change records what has happened: record it on or after the day it takes effect.")
W_HAS_LEFT = _e("W756", 409, "「{name}」已于 {date} 离开本单位（{status}），不能办理{what}",
                "{name} left on {date} ({status_en}); {what_en} is not possible",
                "如该教师回到工作岗位，请先办理「返岗」。", "If the teacher is back at work, record 返岗 (back at post) first.")
W_NOT_AWAY = _e("W757", 409, "「{name}」当前在岗（{status}），无需办理返岗",
                "{name} is at post ({status_en}); nothing to return from",
                "返岗只用于长期不在岗或已离开本单位的教师；请删除这一行，或改填正确的变动类型。",
                "返岗 (back at post) is for teachers away or gone only: delete this row or choose the right change.")
W_STATUS_CODE = _e("W758", 422, "「{change}」不能设置人员状态「{code}」",
                   "'{change_en}' cannot set the personnel status '{code}'",
                   "可选：{allowed}", "Allowed: {allowed}")
W_LOGIN_LEFT = _e("W759", 403, "该教师已离开本单位（{status}），教师账号不能登录",
                  "This teacher has left the school ({status_en}); the teacher account cannot sign in",
                  "如信息有误，请联系学校信息管理员办理「返岗」。",
                  "If this is a mistake, ask the school's information manager to record 返岗 (back at post).")
W_BAD_PERIOD = _e("W760", 422, "交流轮岗的结束日期 {end} 早于开始日期 {start}",
                  "The rotation's end date {end} is before its start date {start}",
                  "结束日期是交流轮岗的最后一天，应不早于开始日期。", "The end date is the last day of the rotation; it cannot precede the start.")
W_OVERLAP = _e("W761", 409, "「{name}」在 {start} 至 {end} 已在「{unit}」交流轮岗，时间重叠",
               "{name} is already on rotation at '{unit}' from {start} to {end}; the periods overlap",
               "请调整交流轮岗的起止日期。", "Change the rotation's dates so they do not overlap.")
W_DECEASED = _e("W762", 409, "「{name}」已登记死亡，不能办理{what}", "{name} is recorded as deceased; {what_en} is not possible",
                "如属误报，请联系县级教育行政部门更正。", "If this was recorded by mistake, ask the county education authority to correct it.")
