"""Words of the review module (Chinese first, English available) and its refusal codes (W6xx).

State and button words follow the national system: 保存, 报送, 审核通过, 退回; 未报送, 待审核,
审核通过, 审核未通过 (a file sent back is 审核未通过 until it is submitted again).
"""

from __future__ import annotations

from web.errors import _e

# teachers.state (the file) — the forms (F) and the Excel import (E) read the same four values
UNSUBMITTED, PENDING, APPROVED, REJECTED = "unsubmitted", "pending", "approved", "rejected"
EDITABLE_FILE_STATES = (UNSUBMITTED, REJECTED)

STATE_WORDS = {
    UNSUBMITTED: ("未报送", "Not submitted"),
    PENDING: ("待审核", "Pending review"),
    APPROVED: ("审核通过", "Approved"),
    REJECTED: ("审核未通过", "Sent back"),
    "draft": ("未报送", "Not submitted"),
    "withdrawn": ("已撤回", "Withdrawn"),
    "applied": ("已生效", "Applied"),
}
LEVEL_WORDS = {
    "school": ("学校", "school"), "county": ("县级", "county"), "city": ("市级", "city"),
    "province": ("省级", "province"), "ministry": ("部级", "ministry"),
}
KIND_WORDS = {
    "first_submission": ("首次采集", "First submission"),
    "addition": ("新增信息", "Addition"),
    "change": ("信息变更", "Change request"),
}
ACTION_WORDS = {
    "open": ("创建复本", "Copy opened"), "submit": ("报送", "Submitted"),
    "approve": ("审核通过", "Approved"), "reject": ("退回", "Sent back"),
    "skip": ("跳过（无该级单位）", "Skipped (no unit at this level)"),
    "complete": ("终审通过", "Finally approved"), "apply": ("复本替换原记录", "Copy replaced the original"),
    "withdraw": ("撤回", "Withdrawn"), "number": ("分配教师编号", "Teacher number assigned"),
}


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "zh") -> str:
    if key is None:
        return ""
    zh, en = table.get(key, (key, key))
    return en if lang == "en" else zh


def state_word(state: str, level: str | None = None, lang: str = "zh") -> str:
    """待审核 names the level that must act: 「待审核（县级）」."""
    base = word(STATE_WORDS, state, lang)
    if state == PENDING and level:
        return f"{base}（{word(LEVEL_WORDS, level, lang)}）" if lang != "en" else f"{base} ({level})"
    return base


# --- W6xx: review
W_UNDER_REVIEW = _e("W601", 409, "该教师档案已报送，正在{level}审核中，不能修改",
                    "The file has been submitted and waits for review at {level_en} level; it cannot be edited",
                    "如需修改，请审核人员「退回」后再改；您填写的内容未丢失，可复制保存。",
                    "Ask the reviewer to send it back first; what you typed is still on the page.")
W_LOCKED = _e("W602", 409, "该记录已审核通过并锁定，不能直接修改",
              "This record is approved and locked; it cannot be edited directly",
              "修改已审核通过的信息：由学校信息管理员「申请变更」（创建复本），修改复本后报送审核。新增记录可直接添加后报送。",
              "To change approved data the school opens a change request (a copy), edits the copy and submits it. New records can be added and submitted.")
W_INCOMPLETE = _e("W603", 422, "完整性检测未通过（{errors} 处错误），不能报送",
                  "The completeness check failed ({errors} errors); the file cannot be submitted",
                  "请按列出的问题补全或修正后再点「报送」。", "Fix the listed problems, then submit again.")
W_WRONG_STATE = _e("W604", 409, "当前状态为「{state}」，不能{action}", "The state is '{state_en}'; cannot {action_en}",
                   "刷新页面查看最新状态。", "Reload to see the current state.")
W_WRONG_LEVEL = _e("W605", 403, "还未轮到您这一级：该档案正在{level}（{unit}）待审核",
                   "Not your turn: the file waits for review at {level_en} level ({unit})",
                   "上级只能在下级审核通过后审核。", "A higher level acts only after the levels below have approved.")
W_WRONG_ROLE = _e("W606", 403, "您在「{unit}」的角色不能审核这一步（需要：{roles}）",
                  "Your role at '{unit}' cannot review this step (needs: {roles})",
                  "请联系本单位系统管理员授予信息审核员或信息管理员角色。",
                  "Ask your unit's system administrator for the reviewer or information manager role.")
W_STALE = _e("W607", 409, "该档案已被他人处理：{actor} 于 {at} {action}。您的操作未执行，输入的内容仍保留",
             "Someone else acted first: {actor} {action_en} it at {at}. Your action was not applied; what you typed is kept",
             "请刷新查看最新状态后再决定。", "Reload to see the current state, then decide again.")
W_REASON_REQUIRED = _e("W608", 422, "「退回」必须填写原因（学校和教师会看到）",
                       "Sending back needs a reason (the school and the teacher will see it)",
                       "写明哪一项有什么问题、应如何修改。", "Say which item is wrong and how to fix it.")
W_NOT_SUBMITTER = _e("W609", 403, "只有教师所在学校的信息管理员或信息录入员可以报送",
                     "Only the information manager or data entry clerk of the teacher's school may submit",
                     "教师本人只能「保存」，由学校报送。", "Teachers save; the school submits.")
W_CASE_NOT_FOUND = _e("W610", 404, "没有该审核事项，或不在您的管理范围内", "No such review item, or it is outside your scope",
                      "", "")
W_NOTHING = _e("W611", 409, "没有可报送的{what}", "There is nothing to submit ({what_en})", "", "")
W_COPY_OPEN = _e("W612", 409, "该记录已有未完成的变更申请（复本）", "This record already has an open change request (a copy)",
                 "请在已有的变更申请中修改该复本。", "Edit the copy in the open change request.")
W_WINDOW_BAD = _e("W613", 422, "采集时间设置无效：{detail}", "Invalid collection window: {detail_en}", "", "")
W_NOT_COPY_EDITOR = _e("W614", 403, "只有教师所在学校的信息管理员或信息录入员可以申请变更",
                       "Only the information manager or data entry clerk of the teacher's school may request a change",
                       "", "")
