"""Refusals of the web tier: each has a code, a Chinese and an English message and a fix.

Services raise ``Refusal(code, **args)``; the app turns it into JSON
(``{"code", "message", "message_en", "hint", "hint_en", "args"}``) for the API and into a
message on the page for HTML. Codes: W1xx sign-in and sessions, W2xx accounts and roles,
W3xx units, W4xx teachers and records, W5xx scope, W9xx generic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    code: str
    status: int
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


CATALOGUE: dict[str, Entry] = {}


def _e(code: str, status: int, zh: str, en: str, hint_zh: str = "", hint_en: str = "") -> str:
    assert code not in CATALOGUE, code
    CATALOGUE[code] = Entry(code, status, zh, en, hint_zh, hint_en)
    return code


# --- W1xx: sign-in, sessions, passwords
W_LOGIN_FAILED = _e("W101", 401, "用户名或密码错误", "Wrong username or password",
                    "连续输错 {attempts} 次将锁定 {minutes} 分钟。", "{attempts} failures in a row lock the account for {minutes} minutes.")
W_LOCKED = _e("W102", 403, "账号已锁定，请于 {until} 后再试", "The account is locked until {until}",
              "如需立即解锁，请联系本单位系统管理员重置密码。", "Ask your unit's system administrator to reset the password to unlock it now.")
W_DISABLED = _e("W103", 403, "账号已停用", "The account is disabled",
                "请联系本单位系统管理员。", "Ask your unit's system administrator.")
W_TEACHER_LOGIN_OFF = _e("W104", 403, "学校已关闭教师自助登录", "Your school has switched teacher self-service logins off",
                         "采集时间结束后学校会关闭登录；如需修改请联系学校信息管理员。", "Schools close logins when a collection window ends; ask your school's information manager.")
W_NOT_SIGNED_IN = _e("W105", 401, "请先登录", "Please sign in", "", "")
W_MUST_CHANGE = _e("W106", 403, "首次登录须先修改密码", "Change your password first (first sign-in)",
                   "打开「修改密码」页面设置新密码。", "Open the change-password page and set a new password.")
W_WEAK_PASSWORD = _e("W107", 422, "密码不符合要求：{detail}", "The password does not meet the policy: {detail_en}",
                     "8–64 个字符；不足 20 个字符时至少包含大写字母、小写字母、数字、特殊字符中的三种；不能是常见密码或常见模式"
                     "（如 Password1、P@ssw0rd、单词@年份），不能含用户名或姓名。也可以用 20 个字符以上、含空格的口令短语。",
                     "8–64 characters; under 20 characters at least three of upper case, lower case, digits and symbols; "
                     "no common password or pattern (Password1, P@ssw0rd, a word @ a year), no username or name. "
                     "A passphrase of 20 or more characters with spaces works too.")
W_OLD_PASSWORD = _e("W108", 422, "原密码不正确", "The current password is wrong", "", "")
W_PASSWORD_MISMATCH = _e("W109", 422, "两次输入的新密码不一致", "The new passwords do not match", "", "")
W_SAME_PASSWORD = _e("W110", 422, "新密码不能与原密码相同", "The new password must differ from the current one", "", "")
W_WRONG_ENTRY = _e("W111", 403, "该账号请从{entry}登录", "Sign in to this account from the {entry_en} entry",
                   "教师账号使用「教师自助」入口，单位账号使用「管理端」入口。", "Teacher accounts use the teacher entry; unit accounts use the management entry.")
W_CSRF = _e("W112", 403, "页面已过期，请刷新后重试", "The page has expired; reload and try again", "", "")
W_LOGIN_BUSY = _e("W113", 429, "该账号同时有太多登录尝试，请稍后再试", "Too many sign-in attempts for this account at once; try again shortly",
                  "同一账号的登录一次只核对有限几次；请过几秒再登录。如非本人操作，请联系本单位系统管理员。",
                  "Only a few sign-ins of one account are checked at a time; try again in a few seconds. If it was not you, tell your unit's system administrator.")

# --- W2xx: accounts and roles
W_NO_PERMISSION = _e("W201", 403, "没有权限：需要「{permission}」", "Not allowed: needs '{permission_en}'",
                     "请联系上级系统管理员授予相应角色。", "Ask the system administrator above you for a role that has it.")
W_CANNOT_GRANT = _e("W202", 403, "不能在「{unit}」授予角色「{role}」：{detail}", "Cannot grant role '{role_en}' at '{unit}': {detail_en}",
                    "系统管理员只能管理本单位账号和直属下级单位的系统管理员，且只能授予自己拥有的授权。",
                    "A system administrator manages its own unit's accounts and the system administrators of units directly below, and grants only what it holds.")
W_SINGLE_ROLE_TAKEN = _e("W203", 409, "「{unit}」已有{role}（{holder}），每个单位至多一个", "'{unit}' already has a {role_en} ({holder}); at most one per unit",
                         "先删除或停用现有账号的该角色。", "Remove the role from the existing account first.")
W_USERNAME_TAKEN = _e("W204", 409, "用户名「{username}」已被使用", "The username '{username}' is taken", "换一个用户名。", "Choose another username.")
W_UNKNOWN_ROLE = _e("W205", 422, "没有角色「{role}」", "No role '{role}'", "可用角色：{allowed}", "Known roles: {allowed}")
W_ROLE_LEVEL = _e("W206", 422, "角色「{role}」不适用于{level}级单位", "Role '{role}' does not exist at {level} level", "", "")
W_ACCOUNT_NOT_FOUND = _e("W207", 404, "没有该账号，或不在您的管理范围内", "No such account, or it is outside your scope", "", "")
W_TEACHER_HAS_ACCOUNT = _e("W208", 409, "教师「{name}」已有账号「{username}」", "Teacher '{name}' already has the account '{username}'", "", "")
W_NOT_SCHOOL = _e("W209", 422, "只有学校可以创建教师账号", "Only schools create teacher accounts", "", "")
W_SELF_GRANT = _e("W210", 403, "不能给自己的账号授予角色「{role}」", "You cannot grant a role to your own account ('{role_en}')",
                  "角色须由他人授予：本单位的角色由本单位系统管理员授予，系统管理员由上级单位的系统管理员任命；需要做信息工作时，请另建一个实名账号。",
                  "Roles are granted by someone else: your unit's roles by its system administrator, a system administrator by the one of the unit above; for data work, use a separate real-name account.")
W_DUTY_CONFLICT = _e("W211", 409, "账号「{username}」已有角色「{held}」（{held_duty}），不能再授予「{role}」（{duty}）：两种职责须由不同账号担任",
                     "Account '{username}' holds '{held_en}' ({held_duty_en}); it cannot also get '{role_en}' ({duty_en}): the two duties are held by different accounts",
                     "系统管理员只管理账号和权限，信息管理员、录入员、审核员、查询员处理教师信息（职责分离）。请为另一职责另建实名账号，或先收回该账号现有的角色。",
                     "The system administrator manages accounts and permissions; the information manager, entry clerk, reviewer and viewer work on teachers' files (separation of duties). Create a separate real-name account for the other duty, or revoke the account's current role first.")
W_AUDIT_QUERY = _e("W212", 422, "审计日志查询条件「{field}」无效：{detail}", "Invalid audit log filter '{field}': {detail}",
                   "可按操作人（用户名）、操作（如 auth.login，或以点结尾的前缀 auth.）、单位代码、教师编号和日期（2024-03-31）筛选。",
                   "Filter by actor (username), action (auth.login, or a prefix ending with a dot: auth.), unit code, teacher id and dates (2024-03-31).")

# --- W3xx: units
W_UNIT_NOT_FOUND = _e("W301", 404, "没有该单位，或不在您的管理范围内", "No such unit, or it is outside your scope",
                      "检查单位代码；只能操作本单位及下属单位。", "Check the unit code; you act on your own unit and those below it.")
W_UNIT_CODE_TAKEN = _e("W302", 409, "单位代码「{code}」已存在（{name}）", "Unit code '{code}' exists already ({name})", "", "")
W_UNIT_BAD = _e("W303", 422, "单位数据无效：{detail}", "Invalid unit: {detail_en}",
                "单位层级自上而下为 ministry, province, city, county, school。", "Levels from the top: ministry, province, city, county, school.")
W_UNIT_IMPORT_ROW = _e("W304", 422, "第 {row} 行：{detail}", "Row {row}: {detail_en}", "", "")

# --- W4xx: teachers and records
W_DUPLICATE_PERSON = _e("W401", 409, "身份证件号已存在：{name}，在「{unit}」（{path}）",
                        "The ID number is on file already: {name} at '{unit}' ({path})",
                        "一人一号：同一位教师只能有一份档案，不能在本单位再建一份。如该教师调入本校，请由本校信息管理员在「业务管理 → 教师调动」中按身份证件号和姓名发起调动（/cases/transfers），档案随调动转入；如是录入错误，请与「{unit}」或其上级教育行政部门联系，由该单位更正。",
                        "One person, one number: a teacher has one file, so no second one can be made here. If the teacher is moving to your school, your information manager starts a transfer (业务管理 → 教师调动, /cases/transfers) with the ID number and the name, and the file comes with it; a wrong entry is corrected by '{unit}': contact it or the education authority above it.")
W_TEACHER_NOT_FOUND = _e("W402", 404, "没有该教师，或不在您的管理范围内", "No such teacher, or outside your scope", "", "")
W_TEACHER_BAD = _e("W403", 422, "教师信息无效：{detail}", "Invalid teacher data: {detail_en}", "", "")
W_NUMBER_FORMAT = _e("W404", 422, "教师编号规则无效：{detail}", "Invalid teacher number format: {detail}",
                     "格式示例：{{region:6}}{{unit:8}}{{seq:4}}", "Example: {{region:6}}{{unit:8}}{{seq:4}}")
W_NUMBER_FULL = _e("W405", 409, "单位「{unit}」的教师编号已用完", "Unit '{unit}' has no free teacher number left", "", "")
# W420–W439: privacy (helper A)
W_ID_IN_URL = _e("W420", 400, "身份证件号不能放在网址中（参数「{field}」）：网址会留在浏览器历史和访问日志里",
                 "An ID number may not travel in a URL (parameter '{field}'): URLs stay in browser histories and access logs",
                 "按身份证件号查询请用 POST {path}，把查询条件放在请求正文（JSON）中。",
                 "Search by ID number with POST {path}, the search in the request body (JSON).")
W_ID_IN_AUDIT_URL = _e("W421", 400, "审计日志的查询条件「{field}」不能是完整的身份证件号：网址会留在浏览器历史和访问日志里",
                       "The audit log filter '{field}' may not be a whole ID number: URLs stay in browser histories and access logs",
                       "日志只保存脱敏的身份证件号，请按脱敏形式查询，如 {example}。",
                       "The log keeps ID numbers masked only: filter by the masked form, e.g. {example}.")

# --- W9xx
W_BAD_REQUEST = _e("W901", 400, "请求无效：{detail}", "Bad request: {detail_en}", "", "")

# --- W95x: impact assessment of a proposed definition file (issue 18, web/services/impact_job.py)
W_IMPACT_PROVINCE = _e("W950", 403, "影响评估由省级单位进行", "Impact assessments are made by the province",
                       "请用省级单位的账号（可查看教师信息）操作。", "Use an account of the province's unit that may read teacher files.")
W_IMPACT_FILE = _e("W951", 422, "「{file}」不是本省的指标定义文件：{detail}", "'{file}' is not a definition file of this province: {detail_en}",
                   "上传省份目录中的一个 YAML 文件：overlay.yaml，或以 rules:、tables:、set: 开头的文件（见 docs/new-province.md）。",
                   "Upload one YAML file of the province folder: overlay.yaml, or a file starting with rules:, tables: or set: "
                   "(docs/new-province.md).")

# --- W930–W940: malformed input, stopped at the edge (web/security/edge.py, web/db/guard.py,
#     web/security/errorlog.py)
W_NUL = _e("W930", 400, "请求中含有不可见的空字符（NUL）：{where}", "The request contains a NUL character: {where_en}",
           "删除该字符后重试；从其他系统复制的文本可能带有这种不可见字符。",
           "Remove it and try again; text copied from another system may carry such invisible characters.")
W_INT_RANGE = _e("W931", 400, "「{field}」的数值超出范围：应在 {low} 至 {high} 之间", "'{field}' is out of range: it must lie between {low} and {high}",
                 "检查该数值；编号和页码都是不超过 {high} 的整数。", "Check the number; ids and paging offsets are integers up to {high}.")
W_JSON_BAD = _e("W932", 400, "请求体不是有效的 JSON：{detail}", "The request body is not valid JSON: {detail_en}",
                "请求体须为 UTF-8 编码的 JSON，嵌套不超过 {depth} 层。", "Send a UTF-8 JSON body nested at most {depth} levels deep.")
W_FIELD_BAD = _e("W933", 400, "请求数据无效：{where}{detail}", "Invalid request data: {where_en}{detail_en}",
                 "按 /schema 中该接口的说明填写字段与类型。", "Send the fields and types that /schema documents for this endpoint.")
W_TOO_LONG = _e("W934", 422, "「{field}」过长：至多 {max} 个字符（现有 {length} 个）", "'{field_en}' is too long: at most {max} characters ({length} given)",
                "缩短后重新提交。", "Shorten it and submit again.")
W_SERVER = _e("W935", 500, "服务器内部错误（参考编号 {ref}）", "Internal server error (reference {ref})",
              "您提交的内容没有保存。请稍后重试；如果问题持续，请把参考编号告诉系统管理员。",
              "Nothing you sent was saved. Try again later; if it persists, give the reference to your system administrator.")
W_NO_PATH = _e("W936", 404, "没有这个地址：{path}", "No such address: {path}",
               "检查地址；接口列表见 /schema。", "Check the address; /schema lists the API.")
W_METHOD = _e("W937", 405, "该地址不接受 {method} 请求", "This address does not accept {method}",
              "可用的请求方式：{allowed}", "Methods it accepts: {allowed}")
W_TOO_LARGE = _e("W938", 413, "请求过大", "The request is too large",
                 "上传文件请遵守导入页面说明的大小限制；接口请求体请分批提交。",
                 "Keep uploads within the limits the import page states; split large API requests.")
W_UPLOAD_TOO_LARGE = _e("W730", 413, "上传的文件过大：本页面的文件不能超过 {limit}", "The uploaded file is too large: this page takes files of at most {limit}",
                        "压缩文件（如降低扫描分辨率）或只上传需要的页，然后返回上一页重新选择文件提交。",
                        "Compress the file (scan at a lower resolution) or keep only the pages needed, then go back and choose it again.")
W_STORE_RANGE = _e("W939", 422, "无法保存：有数值或文字超出了系统能存储的范围", "Cannot save: a number or text exceeds what the system can store",
                   "检查过大的数值和过长的文字后重新提交。", "Check for very large numbers and very long texts, and submit again.")
W_MEDIA = _e("W940", 415, "不支持的请求内容类型：{media}", "Unsupported request content type: {media}",
             "接口请求体请使用 application/json；上传文件请使用 multipart/form-data。",
             "Send API bodies as application/json and uploads as multipart/form-data.")

# --- W470–W474: business modules' migrations (web/db/migrate.py, tmis db upgrade|downgrade)
W_UNKNOWN_REVISION = _e(
    "W470", 409, "数据库处于迁移版本「{revision}」，但代码中没有这个版本（可能属于已删除的业务模块）",
    "The database is at migration revision '{revision}', which the code does not have (perhaps a deleted business module's)",
    "把删除的模块目录放回 modules/ 后执行 tmis db downgrade <模块名>@base 删除它的表，再删除目录；"
    "或使用与该数据库匹配的代码版本。",
    "Put the deleted module's folder back into modules/, run tmis db downgrade <module>@base to drop its tables, "
    "then delete the folder; or use the code version that matches this database.")
W_MODULE_MIGRATION = _e(
    "W471", 422, "模块「{module}」的迁移 {file} 有误：{detail}",
    "Migration {file} of module '{module}' is wrong: {detail_en}",
    "模块的第一个迁移写 down_revision = None、branch_labels = (\"{module}\",)、depends_on = \"<核心版本>\"，"
    "之后的迁移在本模块内依次衔接（见 docs/modules.md）。",
    "A module's first migration has down_revision = None, branch_labels = (\"{module}\",), "
    "depends_on = \"<core revision>\"; later ones chain inside the module (docs/modules.md).")
W_MIGRATION = _e(
    "W472", 422, "无法执行数据库迁移：{detail}", "Cannot run the database migrations: {detail_en}",
    "检查命令中的版本写法：heads（全部升级）、<模块名>@base（删除该模块的表）、或一个版本号。",
    "Check the revision given: heads (everything), <module>@base (drop that module's tables), or a revision id.")

W_WORKFLOW_OFF = _e(
    "W473", 409, "本省未启用「{kind}」业务（其模块已关闭或已删除），不能办理", "{kind_en} is not enabled in this province (its module is off or gone)",
    "省份在 provinces/<代码>/overlay.yaml 的 modules: 中启用该模块后才能办理。",
    "A province enables the module under modules: in provinces/<code>/overlay.yaml before such cases can be handled.")

class Refusal(Exception):
    """A request the system refuses, with a catalogue code.

    ``keeps_writes``: what the request wrote before it was refused is committed all the same
    (web.deps: the request's transaction) — a count that must outlive the refusal (the ID numbers
    a training institution could not match, modules/credits/probing.py) and its audit entry.
    Only for refusals raised before anything else was written."""

    keeps_writes: bool = False

    def __init__(self, code: str, /, **args: Any) -> None:
        self.code = code
        self.args_ = args
        self.entry = CATALOGUE[code]
        super().__init__(self.message("en"))

    @property
    def status(self) -> int:
        return self.entry.status

    def message(self, lang: str = "zh") -> str:
        return _fill(self.entry.en if lang == "en" else self.entry.zh, self.args_)

    def hint(self, lang: str = "zh") -> str:
        return _fill(self.entry.hint_en if lang == "en" else self.entry.hint_zh, self.args_)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message("zh"),
            "message_en": self.message("en"),
            "hint": self.hint("zh"),
            "hint_en": self.hint("en"),
            "args": {k: v for k, v in self.args_.items() if isinstance(v, (str, int, float, bool))},
        }


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        if key.endswith("_en") and key[:-3] in self:  # an English argument not given: the one given
            return str(self[key[:-3]])
        return "{" + key + "}"


def _fill(template: str, args: dict[str, Any]) -> str:
    return template.format_map(_Safe({k: v for k, v in args.items()}))
