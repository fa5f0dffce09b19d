"""Refusals of the registration module (W570–W589, W680, W690–W699, W717–W719) and the outcome words."""

from __future__ import annotations

from web.errors import _e

W_BAD_DATE = _e("W570", 422, "日期「{value}」无效", "'{value}' is not a date",
                "格式：yyyy-MM-dd，例如 2026-09-01。", "Format yyyy-MM-dd, e.g. 2026-09-01.")
W_NOT_DUE = _e("W571", 422, "{name} 的教师资格注册周期于 {end} 结束，尚未到申请期（周期结束前 {months} 个月内可申请）",
               "{name}'s registration cycle ends on {end}: not due yet (apply within {months} months of the end)",
               "到期前 {months} 个月内再申请；预警名单列出应申请的教师。",
               "Apply within {months} months of the end; the warning list shows who is due.")
W_NO_QUALIFICATION = _e("W572", 422, "{name} 没有可注册的教师资格记录（须有证书颁发日期）",
                        "{name} has no teacher qualification to register (it needs the date of issue)",
                        "先在「教师资格」中填写资格种类和证书颁发日期。",
                        "Fill in the kind and the date of issue in 'Teacher qualification' first.")
W_ALREADY_APPLIED = _e("W573", 409, "{name} 的这项教师资格已在注册申请 #{batch} 中（{state}）",
                       "{name}'s qualification is already in application #{batch} ({state_en})",
                       "同一资格在办结前只能申请一次。", "A qualification is applied for once until the application is closed.")
W_NOT_OWN_SCHOOL = _e("W574", 403, "只能为本校教师申请注册：{name} 不在 {unit}",
                      "You apply for your own school's teachers only: {name} is not at {unit}",
                      "由教师所在学校的信息管理员申请。", "The teacher's own school's information manager applies.")
W_START_ROLE = _e("W575", 403, "定期注册由学校的{roles}申请", "Periodic registration is applied for by a school's {roles_en}",
                  "请用学校信息管理员账号申请。", "Sign in with the school's information manager account.")
W_EMPTY_BATCH = _e("W576", 422, "申请中没有教师", "The application names no teacher",
                   "在预警名单中勾选要申请注册的教师（接口：在 teacher_ids 中列出）。",
                   "Tick the teachers to apply for in the warning list (API: list them in teacher_ids).")
W_BATCH_NOT_FOUND = _e("W577", 404, "没有此注册申请，或不在您的管理范围内", "No such application within your units",
                       "从注册申请列表进入。", "Open it from the list of applications.")
W_NOT_YOUR_STEP = _e("W578", 403, "此申请现在等待 {unit} 的{step}，您不能办理",
                     "This application waits for {unit} ({step_en}); you cannot act on it",
                     "由该单位的信息管理员或信息审核员办理。", "That unit's information manager or reviewer acts on it.")
W_BAD_DECISION = _e("W579", 422, "结论「{value}」无效", "Unknown decision '{value}'",
                    "可选：qualified（合格）、deferred（暂缓注册）、refused（不予注册）。",
                    "Allowed: qualified, deferred, refused.")
W_REASON_REQUIRED = _e("W580", 422, "{decision}须写明理由（{name}）", "A reason is required for '{decision_en}' ({name})",
                       "在该教师的「理由」栏写明理由（接口：reason），教师（在「我的注册」）和学校会看到；不要写处分的种类、事由或日期。",
                       "Write it in the teacher's Reason column (API: 'reason'): the teacher (on My registration) and the "
                       "school see it; do not write the kind, cause or date of a sanction.")
W_UNDECIDED = _e("W581", 422, "还有 {count} 位教师未给出结论：{names}", "{count} teachers have no decision yet: {names_en}",
                 "先对每位教师给出结论（合格 / 暂缓注册 / 不予注册），再提交。",
                 "Decide for every teacher (qualified / deferred / refused) before forwarding.")
W_NOT_IN_BATCH = _e("W582", 422, "教师 #{teacher} 不在此申请中", "Teacher #{teacher} is not in this application",
                    "只能对申请中的教师给出结论。", "Decide only for the teachers of the application.")
W_BATCH_CLOSED = _e("W583", 409, "此申请已{state}，不能再办理", "This application is {state_en}; nothing more can be done",
                    "", "")
W_STALE = _e("W584", 409, "此申请已被他人办理（现为第 {current} 版），请刷新后再试",
             "Someone acted on this application meanwhile (now version {current}); reload and try again", "", "")
W_REASON_TOO_LONG = _e("W585", 422, "理由过长（{length} 字，至多 {limit} 字）",
                       "The reason is too long ({length} characters, at most {limit})", "请删减。", "Shorten it.")
W_TOO_MANY = _e("W586", 422, "一次至多申请 {limit} 位教师（现有 {count} 位）",
                "At most {limit} teachers per application (this one has {count})", "分批申请。", "Split the application.")
W_NONE_ELIGIBLE = _e("W680", 422, "{unit} 没有可申请的教师：截至 {day}，无注册周期 12 个月内届满、符合注册条件且未在申请中的教师",
                     "{unit} has no teacher to apply for: as of {day} no teacher is due, meets the conditions and is not "
                     "in an application already",
                     "预警名单中的教师尚未达到注册条件，可勾选后单独申请；已在申请中的教师不再列出。",
                     "Teachers on the warning list do not meet the conditions yet: tick them to apply for them; "
                     "teachers already in an application are not listed.")
W_QUALIFIED_BARRED = _e("W690", 422, "{name} 有不予注册的师德记录，不能给出「注册合格」：{items}",
                        "{name} has an ethics record that bars registration: 'Registered' cannot be given: {items_en}",
                        "给出「不予注册」或「暂缓注册」并写明理由；记录有误时先在教师的「师德信息」中更正，再重新申请。",
                        "Give 'Registration refused' or 'deferred' with a reason; if the record is wrong, correct the "
                        "teacher's ethics record first and apply again.")
W_QUALIFIED_UNMET = _e("W691", 422, "{name} 不符合注册条件（{items}），给出「注册合格」须写明理由",
                       "{name} does not meet the conditions ({items_en}): 'Registered' needs a reason",
                       "在该教师的「理由」栏写明为何仍予注册（例如补充的培训证明），或给出「暂缓注册」。",
                       "Write in the teacher's Reason column why they are registered anyway (e.g. training evidence "
                       "handed in since), or give 'Registration deferred'.")
W_APPLY_AS_OF = _e("W717", 422, "注册申请按今天（{today}）的情况审核，不能按 {value} 申请",
                   "An application is judged as of today ({today}); it cannot be made as of {value}",
                   "不填写 as_of（或填写今天）再提交；预警名单可以查看其他日期的情况，但申请只看今天。",
                   "Leave as_of out (or give today) and apply again; the warning list may look at other days, an application only at today.")

# decision -> (registration_conclusion code, zh, en)
DECISIONS: dict[str, tuple[str, str, str]] = {
    "qualified": ("1", "注册合格", "Registered"),
    "deferred": ("2", "暂缓注册", "Registration deferred"),
    "refused": ("3", "不予注册", "Registration refused"),
}
NEEDS_REASON = ("deferred", "refused")
