"""Messages of the case engine and the mobility modules (W775–W799, W830–W869), Chinese and
English, each with what is wrong and how to fix it."""

from __future__ import annotations

from web.errors import _e

W_CASE_NOT_FOUND = _e("W775", 404, "没有该业务，或不在您的管理范围内", "No such case, or outside your scope",
                      "请从「业务管理」的待办列表打开。", "Open it from the to-do list under 业务管理 (business).")
W_CASE_STALE = _e("W776", 409, "该业务已被他人处理（现在：{state}）", "Someone else acted on this case first (now: {state_en})",
                  "请刷新页面查看最新状态；您的操作没有生效。", "Reload to see where it stands; your action did not take effect.")
W_NOT_YOUR_STEP = _e("W777", 403, "当前步骤「{step}」由「{unit}」的{roles}办理，您不能办理",
                     "The current step '{step_en}' is for {roles_en} of '{unit}'; you cannot act on it",
                     "请由该单位有相应角色的账号办理。", "An account with that role at that unit must act.")
W_CASE_CLOSED = _e("W778", 409, "该业务已{state}，不能再{action}", "This case is {state_en}; it cannot be {action_en} now",
                   "如需继续，请重新发起。", "Start a new case if it should go ahead.")
W_REASON_REQUIRED = _e("W779", 422, "{action}须填写原因", "{action_en} needs a reason (field: reason)",
                       "在「原因」中写明需要对方做什么。", "Say in 'reason' what the other side should do.")
W_CASE_OPEN = _e("W780", 409, "「{name}」已有一件未办结的{kind}（{state}，在「{unit}」办理）",
                 "{name} already has an open {kind_en} case ({state_en}, at '{unit}')",
                 "一位教师同一时间只能有一件调动、交流轮岗或在职变动业务；请等它办结或由发起单位撤回。",
                 "A teacher has one open transfer, rotation or status change at a time; wait until it is closed or let its initiator withdraw it.")
W_NOT_INITIATOR = _e("W781", 403, "只有发起单位「{unit}」的{roles}可以{action}", "Only {roles_en} of the initiating unit '{unit}' may {action_en}",
                     "", "")
W_START_ROLE = _e("W782", 403, "发起{kind}须由{level}的{roles}办理", "A {kind_en} is started by {roles_en} of a {level_en}",
                  "请用本校信息管理员账号登录后发起。", "Sign in with your school's information manager account to start it.")
W_PERSON_NOT_FOUND = _e("W783", 404, "没有找到身份证件号和姓名都相符的教师", "No teacher with that ID number and that name",
                        "请核对身份证件号和姓名（两项都须与档案一致）。", "Check the ID number and the name: both must match the file.")
W_OTHER_PROVINCE = _e("W784", 422, "「{name}」的人事关系在{province}，不能按省内调动办理",
                      "{name}'s personnel relation is in {province}; this is not a transfer within the province",
                      "跨省调动请在「教师调动」页选择「外省调入」并填写调出省份代码，经全国教师管理信息系统由调出省份审核。",
                      "For a transfer between provinces choose 外省调入 on the transfers page and give the province's "
                      "code: it goes through the national tier to that province's reviewers.")
W_NO_AUTHORITY = _e("W785", 422, "「{unit}」上级没有{level}教育行政部门，无法确定步骤「{step}」由谁办理",
                    "'{unit}' has no {level} education authority above it; no one can act on step '{step}'",
                    "请在「单位管理」中把该单位放到正确的上级之下。", "Put the unit under its right parent in unit management.")
W_BAD_ACTION = _e("W786", 422, "「{action}」不是该步骤可以办理的操作", "'{action}' is not an action of this step",
                  "可用：{allowed}", "Allowed: {allowed}")
W_NOT_RETURNED = _e("W787", 409, "该业务没有被退回（现在：{state}），不需要重新提交", "The case was not returned (now: {state_en}); nothing to resubmit",
                    "", "")
W_BAD_DATE = _e("W788", 422, "「{field}」不是有效日期：{value}", "'{field}' is not a valid date: {value}",
                "日期格式为 YYYY-MM-DD，例如 2026-09-01。", "Dates are YYYY-MM-DD, e.g. 2026-09-01.")
W_UNKNOWN_UNIT = _e("W789", 404, "没有代码为「{code}」的单位", "No unit with code '{code}'",
                    "请核对单位代码（10 位学校代码）。", "Check the unit code (a school's 10-digit code).")
W_NOT_OWN_SCHOOL = _e("W790", 403, "调入学校应是您所在的学校「{mine}」，不能替「{unit}」发起调动",
                      "The receiving school must be your own ('{mine}'); you cannot start a transfer for '{unit}'",
                      "由调入学校的信息管理员发起调动。", "The receiving school's information manager starts a transfer.")
W_BAD_CHANGE = _e("W791", 422, "「{change}」不是在职变动类型", "'{change}' is not a kind of status change",
                  "可用：{allowed}", "Allowed: {allowed}")
W_ABSENT_REASON = _e("W792", 422, "长期不在岗须写明原因（reason：{allowed}）", "A long-term absence needs its reason (reason: {allowed})",
                     "例如 202 长病假、204 进修。", "For example 202 (long sick leave) or 204 (study).")
