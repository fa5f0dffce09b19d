"""Refusals of the credits module (W545–W569; the module's own range)."""

from __future__ import annotations

from web.errors import CATALOGUE, _e

W_PROJECT_FIELD = _e("W545", 422, "培训项目的「{field}」无效：{detail}", "Training project field '{field_en}' is invalid: {detail_en}",
                     "{hint}", "{hint_en}")
W_PROJECT_LEVEL = _e("W546", 403, "{unit} 不能登记{level}项目", "{unit} cannot register {level_en} projects",
                     "可登记的级别：{allowed}。校本研修计划由学校登记，报主管教育行政部门审批。",
                     "Levels it may register: {allowed_en}. School-based plans are registered by the school and approved by its authority.")
W_PROJECT_NOT_FOUND = _e("W547", 404, "没有该培训项目，或不在您的管理范围内", "No such training project within your scope",
                         "在培训项目列表中选择项目。", "Choose the project from the list of training projects.")
W_RESULT_ROWS = _e("W548", 422, "成绩有 {count} 处问题，未保存任何一行", "{count} problem(s) in the results; no row was saved",
                   "按每行的说明改正后重新提交（全部正确才会保存）。", "Correct each row as described and submit again (all rows are saved only when all are right).")
W_NOTHING_TO_CONFIRM = _e("W549", 409, "该项目没有待确认的成绩（在您的范围内）", "The project has no results waiting for confirmation in your scope",
                          "培训机构提交成绩后再确认。", "Confirm after the institution has submitted results.")
W_NO_RULE = _e("W550", 422, "无法换算学分：{detail}", "Credits cannot be computed: {detail}",
               "在 provinces/<代码>/credits.yaml（或 modules/credits/credits.yaml）中补充有效的规则版本。",
               "Add a rule version valid on that day to provinces/<code>/credits.yaml (or modules/credits/credits.yaml).")
W_PROJECT_STATE = _e("W551", 409, "培训项目「{name}」{state}，不能{action}", "Training project '{name}' is {state_en}; cannot {action_en}",
                     "校本研修计划须先经主管教育行政部门审批。", "A school-based plan needs its authority's approval first.")
W_BAD_BODY = _e("W552", 422, "请求内容无效：{detail}", "Invalid request body: {detail_en}",
                "成绩写成 {{\"rows\": [{{\"id_number\": …, \"hours\": …, \"passed\": true}}]}}，或上传项目的成绩模板（.xlsx）。",
                "Send results as {{\"rows\": [{{\"id_number\": …, \"hours\": …, \"passed\": true}}]}}, or upload the project's results template (.xlsx).")
W_AS_OF = _e("W553", 422, "日期「{value}」无效", "The date '{value}' is not valid", "写成 2024-12-31。", "Write it as 2024-12-31.")

# row problems (one per row and column, in the rows' own words)
ROW = {
    "teacher": ("身份证件号不是本项目范围内的教师", "the ID number is not a teacher within this project's reach",
                "核对身份证件号；项目只能录入主办单位所辖学校的教师（国家级项目不限）。",
                "Check the ID number; a project takes teachers of the schools under its organiser (national projects: any)."),
    "unmatched": ("证件号码与姓名不符或不是本项目学员", "the ID number and name do not match a participant of this project",
                  "核对身份证件号与姓名（须与教师信息一致）；项目只能录入主办单位所辖学校的教师（国家级项目不限）。",
                  "Check the ID number and the name (as in the teacher's record); a project takes teachers of the schools under its organiser (national projects: any)."),
    "hours": ("学时应为 0 到项目学时 {max} 之间的数字", "hours must be a number from 0 to the project's {max}",
              "例如 24 或 24.5。", "For example 24 or 24.5."),
    "passed": ("是否合格应为「合格」或「不合格」", "passed must be 合格/不合格 (true/false)", "填 合格 或 不合格。", "Write 合格 or 不合格 (true/false over the API)."),
    "required": ("{label}必填", "the {label_en} is required", "填写该学员的{label}。", "Fill in the participant's {label_en}."),
    "score": ("成绩应为 0 到 100 之间的数字", "score must be a number from 0 to 100", "可以不填。", "It may be left empty."),
    "twice": ("同一教师在本次提交中出现了两次（首次在第 {first} 行）", "the same teacher appears twice (first at row {first})",
              "删除重复的行。", "Remove the repeated row."),
    "confirmed": ("该教师的成绩已确认，不能再修改", "this teacher's result is already confirmed and cannot change",
                  "如需更正，请联系项目主管部门办理学分调整。", "Ask the project's authority for a credit adjustment."),
    "revoked": ("该教师的成绩已被撤销，不能再提交", "this teacher's result was revoked and cannot be submitted again",
                "撤销是最终结论；如确需重新记入，请联系项目主管部门办理学分调整。",
                "A revocation is final; if the credits are due after all, ask the project's authority for a credit adjustment."),
}
# --- results rows and confirmation, after a new user's walk (W630–W639)
W_OWN_RESULTS = _e("W630", 403, "这些成绩由您（{who}）提交，不能由您本人确认", "You ({who}) submitted these results; you cannot confirm them yourself",
                   "成绩须由另一位审核员确认（提交与确认分由两人办理）：请本单位另一位审核员打开该项目确认。",
                   "A second person confirms (one submits, another confirms): ask another reviewer of your unit to open the project and confirm.")
W_ID_AS_NUMBER = _e("W631", 422, "身份证件号变成了数字：Excel 把它当作数字保存，末几位已经丢失",
                    "The ID number became a number: Excel stored it as a number and its last digits are lost",
                    "把「身份证件号」列设置为文本格式（新下载的成绩模板已经是文本格式），再重新输入该号码；通过 API 提交时写成字符串。",
                    "Format the ID number column as text (a newly downloaded results template already is) and type the number again; over the API send it as a string.")
W_ID_MALFORMED = _e("W632", 422, "身份证件号有误：居民身份证号码应为 18 位，末位是由前 17 位算出的校验码，这个号码位数或校验码不符",
                    "The ID number is wrong: a resident ID number has 18 characters, the last a check character "
                    "computed from the first 17; this one's length or check character does not fit",
                    "对照证件逐位核对后重新输入（多半是某一位输错、多输或漏输了）。",
                    "Check it digit by digit against the card and type it again (most likely a digit is mistyped, doubled or missing).")
W_NAME_MISMATCH = _e("W633", 422, "姓名与该身份证件号的教师不符", "The name does not match the teacher of this ID number",
                     "核对姓名与身份证件号（须与教师信息一致）；姓名也可以不填。",
                     "Check the name and the ID number (as in the teacher's record); the name may also be left empty.")
# a row problem with a code of its own: the row's message is the catalogue's entry
ROW_CODES = {"as_number": W_ID_AS_NUMBER, "malformed": W_ID_MALFORMED, "name": W_NAME_MISMATCH}
for _key, _code in ROW_CODES.items():
    _entry = CATALOGUE[_code]
    ROW[_key] = (_entry.zh, _entry.en, _entry.hint_zh, _entry.hint_en)

W_NO_FILE = _e("W554", 422, "没有选择要上传的文件", "No file was chosen to upload",
               "先下载该项目的成绩模板，填好后选择该文件再上传。", "Download the project's results template, fill it in, choose it and upload it.")

# --- training institutions' accounts (institutions.py; W681–W684)
W_NOT_INSTITUTION_ADMIN = _e("W681", 403, "「培训机构」页面供教育行政部门的系统管理员（创建机构账号）和信息管理员、录入员（登记机构）使用",
                             "The page 'Training institutions' is for an authority's system administrator (accounts) "
                             "and its data staff (registering institutions)",
                             "学校和培训机构不能登记机构或创建机构账号；请用县级及以上教育行政部门的相应账号登录。",
                             "Schools and institutions cannot: sign in with an account of a county or higher authority.")
W_INSTITUTION_NOT_FOUND = _e("W682", 404, "本单位没有此培训机构", "No such training institution registered by your unit",
                             "机构账号由登记该机构的教育行政部门创建：从「培训机构」列表进入。",
                             "The authority that registered the institution creates its accounts: open it from the list.")
W_PROJECTS_NOT_YOURS = _e("W683", 403, "「培训项目」页面供信息管理员、录入员登记项目，培训机构提交成绩，审核员确认成绩使用，您的角色都不能",
                          "The page 'Training projects' is for data staff registering projects, institutions submitting "
                          "results and reviewers confirming them; your role does none of these",
                          "请用本单位信息管理员、录入员或审核员的账号登录；查看学员学分请打开「学分银行」。",
                          "Sign in with your unit's data-staff or reviewer account; see teachers' credits on 'Credit bank'.")

# --- rejecting one result row (project_pages.py, results.reject_result; W670–W671)
W_REJECT_REASON = _e("W670", 422, "退回成绩须写明原因（1–200 字）", "Rejecting a result needs a reason (1–200 characters)",
                     "在该行的「退回原因」中写明问题（如 学时与签到记录不符），培训机构据此改正后重新提交。",
                     "Write what is wrong in the row's reason box (e.g. hours do not match the attendance record); the institution corrects it and resubmits.")
W_RESULT_NOT_WAITING = _e("W671", 409, "该条成绩不是待确认状态，不能退回", "This result is not waiting for confirmation and cannot be rejected",
                          "只能退回待确认的成绩；已确认的成绩如需更正，请办理学分调整。",
                          "Only waiting results can be rejected; a confirmed one is corrected by a credit adjustment.")

# --- revoking one confirmed result (corrections.py; W672–W675)
W_RESULT_NOT_REVOCABLE = _e("W672", 409, "该条成绩{state}，不能撤销", "This result is {state_en}; it cannot be revoked",
                            "只能撤销已确认的合格成绩，且每条只能撤销一次；待确认的成绩请用「退回」。",
                            "Only a confirmed, passed result can be revoked, and only once; a waiting result is rejected instead.")
W_REVOKE_REASON = _e("W673", 422, "撤销成绩须写明原因（1–200 字）", "Revoking a result needs a reason (1–200 characters)",
                     "在该行的「撤销原因」中写明为何撤销（如 该教师未实际参训），原因会显示在项目页面并记入审计日志。",
                     "Write why in the row's reason box (e.g. the teacher did not actually attend); it is shown on the project's page and audited.")
W_REVOKE_FAILED = _e("W674", 409, "该条成绩为「不合格」，确认时没有记入学分，无需撤销",
                     "This result was 'not passed' and earned no credits when confirmed; there is nothing to revoke",
                     "不合格的成绩没有学分、也没有写入教师的国内培训信息；如成绩本身有误，请联系项目主管部门办理学分调整。",
                     "A failed result added no credits and no 国内培训 record; if the result itself is wrong, ask the project's authority for a credit adjustment.")
W_REVOKE_BODY = _e("W675", 422, "请求内容无效：{detail}", "Invalid request body: {detail_en}",
                   "写成 {{\"reason\": \"原因\"}}（JSON）。", "Send {{\"reason\": \"why\"}} as JSON.")

# --- rejecting a school-based plan (projects.decide_plan; W720)
W_PLAN_REASON = _e("W720", 422, "不批准校本研修计划须写明原因（1–200 字）",
                   "Rejecting a school-based plan needs a reason (1–200 characters)",
                   "在该计划行的「不批准原因」中写明原因（如 学时安排与研修内容不符），学校会在计划行内看到（接口：reason）。",
                   "Write the reason in the plan's row (e.g. the hours do not fit the content; API: 'reason'); the "
                   "school reads it in the plan's row.")

from modules.credits import bound_words as _bound_words  # noqa: E402,F401  (W708–W716 registered with the rest)

# --- how many ID numbers an institution may try (probing.py; W661)
W_PROBE_LIMIT = _e(
    "W661", 429, "今天本机构提交的成绩中已有 {count} 个身份证件号对应不到本项目的参训教师，超过每天 {limit} 个的上限：今天不再核对本机构提交的成绩",
    "Today {count} ID numbers in this institution's results matched no participant of the project, more than the {limit} a day "
    "allowed: this institution's results are not checked again today",
    "为保护教师信息，培训机构每天能提交的对应不上的身份证件号有限。请与项目主管部门（{authority}）或参训教师所在学校核对名单中的"
    "身份证件号和姓名，明天再提交。",
    "To protect teachers' data, an institution may send only a few ID numbers a day that match no one. Check the roster's ID "
    "numbers and names with the project's authority ({authority}) or the teachers' schools, and submit tomorrow.")

# --- the submitter of a row does not reject it either (results.reject_result; W662)
W_OWN_ROW = _e("W662", 403, "这一行成绩由您（{who}）提交，不能由您本人退回",
               "You ({who}) submitted this result; you cannot reject it yourself",
               "要更正自己提交的成绩，在成绩模板中重新提交该学员即可（会替换待确认的成绩）；退回由另一位审核员办理。",
               "To correct a result you submitted, submit that participant again in the template (it replaces the waiting "
               "result); another reviewer rejects results.")
