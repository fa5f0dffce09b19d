"""The error catalogue: every message a person sees has a code, a place and a fix.

Two families that never mix:
- ``E…``: a bad *definition* (YAML written by provincial staff or developers), found by
  load / merge / compile, cited as ``file:line``;
- ``V…``: bad *data* (a form, an Excel row, an API call), cited by field (and row/column
  where the caller knows them). Rule violations use the rule's own id as their code.

Messages are templates in Chinese and English; ``{name}`` placeholders are filled from the
problem's ``args``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any

from engine.source import SourceLoc


@dataclass(frozen=True)
class Entry:
    code: str
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


CATALOGUE: dict[str, Entry] = {}


def _entry(code: str, zh: str, en: str, hint_zh: str = "", hint_en: str = "") -> str:
    assert code not in CATALOGUE, code
    CATALOGUE[code] = Entry(code, zh, en, hint_zh, hint_en)
    return code


# --- E1xx: reading a definition file ------------------------------------------------
E_YAML = _entry("E101", "YAML 语法错误：{detail}", "YAML syntax error: {detail}",
                "检查缩进与冒号；字符串中的冒号请加引号。", "Check indentation and colons; quote strings that contain a colon.")
E_UNKNOWN_KEY = _entry("E102", "未知的键「{key}」{suggestion_zh}", "unknown key '{key}'{suggestion_en}",
                       "可用的键：{allowed}", "Allowed keys: {allowed}")
E_MISSING_KEY = _entry("E103", "缺少必需的键「{key}」", "missing required key '{key}'",
                       "在此处添加「{key}: …」。", "Add '{key}: …' here.")
E_BAD_VALUE = _entry("E104", "「{key}」的值无效：{detail}", "invalid value for '{key}': {detail}",
                     "参见 docs/rule-language.md 中该键的说明。", "See this key in docs/rule-language.md.")
E_DUPLICATE_KEY = _entry("E105", "键「{key}」重复，首次出现在 {first}", "key '{key}' appears twice; first at {first}",
                         "删除其中一个。", "Remove one of them.")
E_FILE_KIND = _entry("E106", "无法识别的定义文件：{detail}", "unrecognised definition file: {detail}",
                     "信息集文件以 set: 开头，代码表文件以 tables: 开头，规则文件以 rules: 开头。",
                     "A set file starts with 'set:', a code file with 'tables:', a rule file with 'rules:'.")
E_NO_PROVINCE = _entry("E107", "没有省份「{province}」{suggestion_zh}", "no province '{province}'{suggestion_en}",
                       "省份目录为 provinces/<代码>/overlay.yaml。", "A province is provinces/<code>/overlay.yaml.")

# --- E2xx: merging core, modules and provinces ----------------------------------------
E_DUP_SET = _entry("E201", "信息集「{set}」重复定义，另一处在 {other}", "set '{set}' is defined twice; the other is at {other}",
                   "每个信息集只定义一次；省份新增信息集须使用命名空间前缀。", "Define each set once; province sets need the namespace prefix.")
E_DUP_FIELD = _entry("E202", "指标「{field}」与 {other} 处的指标重名", "field '{field}' clashes with the field at {other}",
                     "改用带命名空间的键，例如「{namespace}.{field}」。", "Use a namespaced key such as '{namespace}.{field}'.")
E_UNKNOWN_SET = _entry("E203", "没有信息集「{set}」{suggestion_zh}", "no set '{set}'{suggestion_en}",
                       "可用的信息集：{allowed}", "Known sets: {allowed}")
E_UNKNOWN_FIELD = _entry("E204", "信息集「{set}」中没有指标「{field}」{suggestion_zh}", "set '{set}' has no field '{field}'{suggestion_en}",
                         "可用的指标：{allowed}", "Known fields: {allowed}")
E_NOT_NAMESPACED = _entry("E205", "省份或模块新增的「{key}」必须以「{namespace}.」开头", "'{key}' added by a province or module must start with '{namespace}.'",
                          "改为「{namespace}.{key}」，这样将来国家新增同名指标也不会冲突。",
                          "Rename it '{namespace}.{key}' so that a later national key can never clash with it.")
E_LOOSEN_HIDE = _entry("E206", "不能隐藏国家必填指标「{field}」（定义于 {other}）", "cannot hide the nationally required field '{field}' (defined at {other})",
                       "省份只能隐藏国家选填指标。", "A province may hide only optional national fields.")
E_LOOSEN_RULE = _entry("E207", "不能放宽国家规则「{rule}」（定义于 {other}）：{detail}", "cannot loosen the national rule '{rule}' (defined at {other}): {detail}",
                       "省份只能把警告改为错误，或用 also 增加条件。", "A province may only turn a warning into an error or add a condition with 'also'.")
E_LOOSEN_ROUTE = _entry("E208", "审核流程「{route}」不能去掉国家规定的层级「{level}」（定义于 {other}）", "route '{route}' cannot drop the national level '{level}' (defined at {other})",
                        "省份可以增加审核层级，不能减少。", "A province may add review levels, not remove them.")
E_DUP_CODE = _entry("E209", "代码表「{table}」已有代码「{code}」（{other}）", "code table '{table}' already has code '{code}' ({other})",
                    "为新增代码选一个未用过的代码。", "Choose an unused code for the new item.")
E_UNKNOWN_TABLE = _entry("E210", "没有代码表「{table}」{suggestion_zh}", "no code table '{table}'{suggestion_en}",
                         "代码表定义在 schemas/codes/ 或省份的 codes/ 目录中。", "Code tables live in schemas/codes/ or a province's codes/.")
E_DUP_RULE = _entry("E211", "规则编号「{rule}」重复，另一处在 {other}", "rule id '{rule}' is used twice; the other is at {other}",
                    "每条规则的编号必须唯一。", "Every rule id must be unique.")
E_UNKNOWN_RULE = _entry("E212", "没有规则「{rule}」{suggestion_zh}", "no rule '{rule}'{suggestion_en}",
                        "只能收紧已有的国家规则。", "Only existing national rules can be tightened.")
E_LOOSEN_FIELD = _entry("E213", "不能放宽指标「{field}」的「{what}」（国家定义于 {other}）", "cannot loosen '{what}' of field '{field}' (national definition at {other})",
                        "省份只能收紧长度、范围和格式。", "A province may only tighten length, range and pattern.")
E_DUP_TABLE = _entry("E214", "代码表「{table}」重复定义，另一处在 {other}", "code table '{table}' is defined twice; the other is at {other}",
                     "省份新增代码表须使用命名空间前缀；向国家代码表加代码请用 add_codes。",
                     "Province tables need the namespace prefix; add codes to a national table with add_codes.")
E_READD_FIELD = _entry("E215", "指标「{field}」是国家指标（定义于 {other}），省份不能在 add_fields 中重新定义它",
                      "field '{field}' is a national field (defined at {other}); a province cannot redefine it under add_fields",
                      "改名称用 relabel，收紧长度、范围或格式用 tighten_fields，改为必填用 require；"
                      "确实要新增本省指标，请另取一个键「{namespace}.…」。",
                      "Rename it with relabel, tighten length, range or pattern with tighten_fields, make it required "
                      "with require; to add a province field of your own, give it a new key '{namespace}.…'.")
E_LOOSEN_REQUIRED = _entry("E216", "tighten_fields 不能改变指标「{field}」是否必填", "tighten_fields cannot change whether field '{field}' is required",
                           "省份不能把国家必填指标改为选填（国家标准不可放宽）；可以用 require: [{field}] 把国家选填指标改为必填，"
                           "用 hide: 隐藏国家选填指标，或用 required_when: 写条件必填的规则。",
                           "A province cannot make a nationally required field optional (national rules are never loosened); "
                           "it may make an optional national field required with require: [{field}], hide an optional one "
                           "with hide:, or add a conditional requirement with required_when:.")

# --- E3xx: compiling rules, fields and routes ------------------------------------------
E_CEL_SYNTAX = _entry("E301", "表达式无法解析：{detail}", "expression does not parse: {detail}",
                      "规则语言是 CEL，见 docs/rule-language.md。", "The rule language is CEL; see docs/rule-language.md.")
E_CEL_FIELD = _entry("E302", "表达式引用了信息集「{set}」中不存在的指标「{field}」{suggestion_zh}", "expression reads field '{field}' that set '{set}' does not have{suggestion_en}",
                     "检查指标的键（不是中文名称）。", "Check the field key (not its label).")
E_CEL_FUNCTION = _entry("E303", "表达式调用了未知函数「{function}」{suggestion_zh}", "expression calls unknown function '{function}'{suggestion_en}",
                        "可用的函数见 docs/rule-language.md。", "Available functions are listed in docs/rule-language.md.")
E_CEL_VARIABLE = _entry("E304", "表达式使用了未知变量「{variable}」", "expression uses unknown variable '{variable}'",
                        "可用变量：record, records, file, today, this_year, school_type, unit。", "Variables: record, records, file, today, this_year, school_type, unit.")
E_UNKNOWN_ROLE = _entry("E305", "审核流程使用了未定义的角色「{role}」{suggestion_zh}", "route uses undefined role '{role}'{suggestion_en}",
                        "角色定义在 schemas/roles.yaml。", "Roles are defined in schemas/roles.yaml.")
E_ROUTE_ORDER = _entry("E306", "审核流程「{route}」的层级顺序错误：{detail}", "route '{route}' has its levels out of order: {detail}",
                       "层级须自下而上：school → county → city → province，且从 school 开始。",
                       "Levels go upwards, school → county → city → province, starting at school.")
E_UNKNOWN_CODE = _entry("E307", "代码表「{table}」中没有代码「{code}」", "code table '{table}' has no code '{code}'",
                        "使用代码表中已有的代码。", "Use a code that the table has.")
E_BAD_PATTERN = _entry("E308", "正则表达式无效：{detail}", "invalid regular expression: {detail}",
                       "检查括号和转义。", "Check brackets and escapes.")
E_UNKNOWN_FAMILY = _entry("E309", "未知的学校类型「{name}」{suggestion_zh}", "unknown school type '{name}'{suggestion_en}",
                          "学校类型定义在 schemas/school_types.yaml。", "School types are defined in schemas/school_types.yaml.")
E_BAD_DERIVED = _entry("E310", "派生指标「{field}」的来源无效：{detail}", "derived field '{field}' has an invalid source: {detail}",
                       "from_set、field、by 须指向已有的信息集和指标。", "from_set, field and by must name an existing set and its fields.")
E_BAD_CONSTRAINT = _entry("E311", "指标「{field}」的「{what}」不适用于类型 {type}", "'{what}' does not apply to field '{field}' of type {type}",
                          "参见 docs/rule-language.md 中各类型可用的约束。", "See which constraints each type takes in docs/rule-language.md.")
E_PARENT = _entry("E312", "代码表「{table}」的代码「{code}」的上级「{parent}」不存在", "code '{code}' of table '{table}' has a parent '{parent}' that does not exist",
                  "先定义上级代码。", "Define the parent code first.")
E_UNKNOWN_PERMISSION = _entry("E313", "角色「{role}」使用了未定义的权限「{permission}」{suggestion_zh}", "role '{role}' uses undefined permission '{permission}'{suggestion_en}",
                              "权限定义在 schemas/roles.yaml 的 permissions 中。", "Permissions are listed under 'permissions' in schemas/roles.yaml.")
E_TEACHER_NUMBER = _entry("E314", "教师编号格式无效：{detail}", "invalid teacher-number format: {detail}",
                          "格式如 \"{{region:6}}{{unit:8}}{{seq:4}}\"。", "A format looks like \"{{region:6}}{{unit:8}}{{seq:4}}\".")
E_CEL_LABEL_FIELD = _entry("E315", "表达式中的「{label}」是指标的中文名称，表达式要写指标的键「{key}」",
                          "'{label}' in the expression is a field's label; expressions name the field by its key '{key}'",
                          "把「{label}」改为 record.{key}（指标键见 tmis explain 或信息集文件中的 key:）。",
                          "Write record.{key} instead of '{label}' (field keys: tmis explain, or key: in the set's file).")
E_CEL_LABEL_CODE = _entry("E316", "表达式中的「{label}」是代码表「{table}」中代码「{code}」的名称，表达式要写带引号的代码",
                          "'{label}' in the expression is the name of code '{code}' of table '{table}'; expressions use the quoted code",
                          "把「{label}」改为 \"{code}\"，例如 record.{field} == \"{code}\"。",
                          "Write \"{code}\" instead of '{label}', e.g. record.{field} == \"{code}\".")
E_CEL_CHINESE = _entry("E317", "表达式中的「{word}」既不是指标也不是代码的名称{suggestion_zh}", "'{word}' in the expression names neither a field nor a code{suggestion_en}",
                       "表达式中指标写 record.<键>，代码写带引号的代码（如 \"1\"）；文字须放在英文引号中，如 \"{word}\"。",
                       "Fields are written record.<key>, codes as quoted codes (\"1\"); text goes in double quotes: \"{word}\".")
E_CEL_ARG_TYPE = _entry("E318", "函数「{function}」的第 {n} 个参数应为 {expected}，而「{arg}」是 {got}",
                       "argument {n} of '{function}' must be {expected}, but '{arg}' is {got}",
                       "函数的参数类型：{signature}（见 docs/rule-language.md 6.1）。年月与日期不同：年月之间的间隔用 months_between。",
                       "The function takes {signature} (docs/rule-language.md 6.1). A year-month is not a date: use months_between for year-months.")
E_CEL_EMPTY_TEST = _entry("E319", "「{expr}」永远不会判断出空值：空的指标读作 null，规则默认跳过空指标",
                          "'{expr}' can never detect an empty value: an empty field reads as null and rules skip empty fields",
                          "要求必填请在指标上写 required: true 或 required_when: <条件>；在规则中检查是否填写，"
                          "用 length(record.{field}) > 0 并写 on_empty: check（见 docs/rule-language.md「空值」一节）。",
                          "To require the field write required: true or required_when: <condition> on it; to test for a value "
                          "in a rule use length(record.{field}) > 0 with on_empty: check (docs/rule-language.md, 'Empty values').")
E_CEL_NEVER_KIND = _entry("E320", "「{expr}」永远为 {always}：指标「{field}」的类型是 {type}，不会等于 {literal}",
                          "'{expr}' is always {always}: field '{field}' is of type {type} and never equals {literal}",
                          "与同类型的值比较：数字和年份不加引号（2020），是否型写 true/false，文字和代码加引号（\"1\"）。",
                          "Compare with a value of the same type: numbers and years unquoted (2020), booleans true/false, text and codes quoted (\"1\").")
E_CEL_NOT_A_CODE = _entry("E321", "「{expr}」永远不成立：「{value}」不是代码表「{table}」中的代码", "'{expr}' never holds: '{value}' is not a code of table '{table}'",
                          "{fix_zh}。", "{fix_en}.")
E_FILLER_NOT_FILLED = _entry("E322", "指标「{field}」是{kind_zh}，由系统填写，不能指定由{side_zh}填写",
                             "field '{field}' is {kind_en}: the system fills it, so it cannot be given to the {side_en}",
                             "删除这一行；fields_filled_by 只用于有人填写的指标（定义于 {other}）。",
                             "Delete this line; fields_filled_by is for fields a person fills (defined at {other}).")

# --- E42x: business modules (modules/<name>/module.yaml, a province's ``modules:``) -------------
E_UNKNOWN_MODULE = _entry("E420", "没有业务模块「{module}」{suggestion_zh}", "no business module '{module}'{suggestion_en}",
                          "可用的模块：{allowed}（modules/<名称>/module.yaml）。",
                          "Modules: {allowed} (modules/<name>/module.yaml).")
E_MODULE_KEY = _entry("E421", "模块目录「{folder}」的 module.yaml 写的是 module: {module}",
                      "module.yaml in folder '{folder}' says module: {module}",
                      "module 的值须与目录名相同。", "The module key must equal its folder's name.")

# --- E51x: training-credit conversion rules (engine/credits.py; modules/credits/credits.yaml) ----
E_CREDITS_FILE = _entry("E511", "学分规则文件 {file} 的顶层键应为 credits:", "credit rule file {file} must start with 'credits:'",
                        "学分规则文件的格式见 modules/credits/credits.yaml。", "See modules/credits/credits.yaml for the format.")
E_CREDITS_CATEGORY = _entry("E512", "{what} 中的学分类别「{word}」未定义{suggestion_zh}", "credit category '{word}' in {what} is not defined{suggestion_en}",
                            "已定义的类别：{allowed}；新类别写在 categories: 下。", "Defined categories: {allowed}; add a new one under categories:.")
E_CREDITS_LEVEL = _entry("E513", "{what} 中的「{word}」不是项目级别或类型{suggestion_zh}", "'{word}' in {what} is not a project level or type{suggestion_en}",
                         "可用的值：{allowed}。", "Allowed: {allowed}.")
E_CREDITS_VERSION = _entry("E514", "学分规则版本有误：{detail_zh}", "credit rule version is wrong: {detail_en}",
                           "每个版本的 version 唯一，有效期（valid_from 至 valid_to）互不重叠。",
                           "Each version key is unique and the validity periods (valid_from to valid_to) do not overlap.")
E_CREDITS_UNCOVERED = _entry("E515", "学分规则版本「{version}」没有适用于 {level_zh}·{type_zh} 项目的规则（共 {count} 种组合未覆盖）",
                             "credit rule version '{version}' has no rule for {level} projects of type {type} ({count} combinations uncovered)",
                             "增加一条不写 levels/types 的规则作为兜底（放在最后）。",
                             "Add a last rule without levels/types as the fallback.")
E_CREDITS_NO_VERSION = _entry("E516", "全国学分规则 {file} 没有任何版本（versions:）", "the national credit rules {file} have no versions",
                              "至少写一个版本：version、valid_from、rules。", "Write at least one version: version, valid_from, rules.")

# --- E44x: workflows with two parties (engine/workflow.py) ------------------------------
E_WF_ROLE = _entry("E440", "流程「{workflow}」的步骤「{step}」使用了未定义的角色「{role}」{suggestion_zh}",
                     "workflow '{workflow}', step '{step}' uses undefined role '{role}'{suggestion_en}",
                     "角色定义在 schemas/roles.yaml。", "Roles are defined in schemas/roles.yaml.")
E_WF_LEVEL = _entry("E441", "流程「{workflow}」的步骤「{step}」层级无效：{detail}",
                      "workflow '{workflow}', step '{step}' has an invalid level: {detail}",
                      "教育行政部门步骤（*_authority）须写 level: county、city 或 province；学校步骤（initiator、counterpart）不写 level。",
                      "Authority steps (*_authority) need level: county, city or province; school steps (initiator, counterpart) take no level.")
E_WF_UNREACHABLE = _entry("E442", "流程「{workflow}」的步骤「{step}」永远不会到达",
                            "workflow '{workflow}': step '{step}' can never be reached",
                            "检查前面步骤的 next：审核通过后流程进入 next 指定的步骤，未写 next 时进入下一步。",
                            "Check the earlier steps' next: approval goes to the step named by next, or to the following step.")
E_WF_STEP = _entry("E443", "流程「{workflow}」的步骤有误：{detail}", "workflow '{workflow}' has a bad step: {detail}",
                     "每个步骤的 key 须唯一，next 须指向本流程中已有的步骤。",
                     "Step keys must be unique and next must name a step of the same workflow.")
E_WF_DROP = _entry("E444", "流程「{workflow}」不能去掉或调换国家规定的步骤「{step}」（定义于 {other}）",
                     "workflow '{workflow}' cannot drop or reorder the national step '{step}' (defined at {other})",
                     "省份可以增加审核层级，不能减少，国家步骤的先后顺序不变。",
                     "A province may add levels, not remove them; national steps keep their order.")
E_WF_FILE = _entry("E445", "流程文件有误：{detail}", "workflow file is wrong: {detail}",
                     "流程文件的顶层键是 workflows:，见 docs/workflows.md。", "A workflow file's top key is workflows:; see docs/workflows.md.")
E_WF_TWICE = _entry("E446", "流程「{workflow}」定义了两次（另一处：{other}）", "workflow '{workflow}' is defined twice (also at {other})",
                    "国家层的流程（workflows/*.yaml 与各业务模块的 modules/<名称>/workflows.yaml）每个键只能定义一次；"
                    "模块的流程请以模块名命名，省份的改动写在 provinces/<代码>/workflows.yaml。",
                    "A workflow key is defined once in the national layer (workflows/*.yaml and each module's "
                    "modules/<name>/workflows.yaml); name a module's workflows after the module, and put a province's "
                    "version in provinces/<code>/workflows.yaml.")

# --- E510: the statistics snapshot calendar (engine/snapshot_calendar.py: modules/statistics/snapshots.yaml,
#     provinces/<code>/snapshots.yaml)
E_SNAPSHOT_CALENDAR = _entry("E510", "统计快照日历有误：{detail}", "the statistics snapshot calendar is wrong: {detail_en}",
                             "每个日期写成 day: \"MM-DD\"（如 \"06-30\"），须是每年都有的日期（不能是 02-29），不重复；"
                             "省份文件的 snapshots: 写本省代码。见 modules/statistics/snapshots.yaml。",
                             "Write each day as day: \"MM-DD\" (e.g. \"06-30\"), a day every year has (not 02-29), once; "
                             "a province's file says snapshots: \"<its code>\". See modules/statistics/snapshots.yaml.")

# --- E53x: conditions of the periodic re-registration (engine/registration.py) --------------
E_REG_KIND = _entry("E531", "注册条件的种类「{kind}」不存在{suggestion_zh}", "no registration condition kind '{kind}'{suggestion_en}",
                    "可用的种类：{allowed}。", "Kinds: {allowed}.")
E_REG_CODE = _entry("E532", "注册条件「{key}」的 {param} 中「{code}」不是代码表「{table}」中的代码{suggestion_zh}",
                    "registration condition '{key}': '{code}' in {param} is not a code of table '{table}'{suggestion_en}",
                    "代码见 schemas/codes/ 中的代码表「{table}」（写代码，不写名称，加引号）。",
                    "See table '{table}' in schemas/codes/ (write the code, not the label, in quotes).")
E_REG_PARAM = _entry("E533", "注册条件「{key}」（{kind}）缺少「{param}」", "registration condition '{key}' ({kind}) needs '{param}'",
                     "training_hours、training_credits 须写 required（学时或学分数）；assessment 须写 results（合格的考核结果代码）。",
                     "training_hours and training_credits need required (hours or credits); assessment needs results "
                     "(the passing result codes).")
E_REG_KEY_TWICE = _entry("E534", "注册条件「{key}」重复，首次出现在 {first}", "registration condition '{key}' appears twice; first at {first}",
                         "每个条件的 key 只写一次；省份文件中写同名 key 即替换国家条件。",
                         "Write each key once; in a province's file the same key replaces the national condition.")
E_REG_FIRST_CYCLE = _entry("E565", "first_cycle_start（首个注册周期的起始日）{value} 不在 {low} 至 {high} 之间",
                           "first_cycle_start (the first registration cycle's start) {value} is not between {low} and {high}",
                           "写本省教师资格定期注册制度开始实施的日期（yyyy-MM-dd），例如 2013-08-15；不写则用国家默认值。",
                           "Write the day the province's periodic registration began (yyyy-MM-dd), e.g. 2013-08-15; "
                           "leave it out for the national default.")

# --- E501–E509: statistics definitions (engine/statistics.py: modules/statistics/tables.yaml, provinces/<code>/statistics.yaml)
E_STATS_UNKNOWN_FIELD = _entry("E501", "统计维度「{dimension}」引用的指标「{field}」不存在{suggestion_zh}",
                         "dimension '{dimension}' reads field '{field}', which does not exist{suggestion_en}",
                         "写成「信息集.指标」，例如 basic.gender；可用的信息集：{sets}",
                         "Write 'set.field', e.g. basic.gender; sets: {sets}")
E_STATS_NOT_CODED = _entry("E502", "统计维度「{dimension}」引用的指标「{field}」不是代码型指标（类型 {type}）",
                     "dimension '{dimension}' reads field '{field}', which is not a coded field (type {type})",
                     "维度只能是代码型（code/codes）、是否型（boolean）或引用代码表的派生指标；年龄段、教龄段等请用 computed。",
                     "A dimension reads a code, codes or boolean field (or a derived one with a code table); "
                     "age and teaching-years bands use 'computed'.")
E_STATS_UNKNOWN_CODES = _entry("E503", "统计维度「{dimension}」使用的代码表「{table}」不存在{suggestion_zh}",
                         "dimension '{dimension}' uses code table '{table}', which does not exist{suggestion_en}",
                         "代码表定义在 schemas/codes/ 或省份的 codes/ 目录中。", "Code tables live in schemas/codes/ or a province's codes/.")
E_STATS_UNKNOWN_DIMENSION = _entry("E504", "统计表「{table}」使用了未定义的维度「{dimension}」{suggestion_zh}",
                             "table '{table}' uses dimension '{dimension}', which is not defined{suggestion_en}",
                             "可用的维度：{allowed}", "Dimensions: {allowed}")
E_STATS_DUPLICATE = _entry("E505", "统计{what_zh}「{key}」重复定义，另一处在 {other}",
                     "{what_en} '{key}' is defined twice; the other is at {other}",
                     "每个键只定义一次；省份新增的键须以省份代码为前缀，例如「{namespace}.…」。",
                     "Define each key once; a province's keys start with its prefix, e.g. '{namespace}.…'.")
E_STATS_BAD_CODE = _entry("E506", "统计维度「{dimension}」的分组引用了代码表「{table}」中没有的代码「{code}」{suggestion_zh}",
                    "dimension '{dimension}' groups code '{code}', which code table '{table}' does not have{suggestion_en}",
                    "检查代码（不是名称）。", "Check the code (not its label).")
E_STATS_BAD_BANDS = _entry("E507", "统计维度「{dimension}」的分段有误：{detail}", "dimension '{dimension}' has bad bands: {detail_en}",
                     "分段按从小到大排列，不重叠、不留空档，例如 {{code: \"1\", to: 24}}、{{code: \"2\", from: 25, to: 29}}。",
                     "Bands go up without overlaps or gaps, e.g. {{code: \"1\", to: 24}}, {{code: \"2\", from: 25, to: 29}}.")
E_STATS_NOT_NAMESPACED = _entry("E508", "省份新增的统计{what_zh}「{key}」必须以「{namespace}.」开头",
                          "{what_en} '{key}' added by a province must start with '{namespace}.'",
                          "改为「{namespace}.{key}」，这样国家以后新增同名统计表也不会冲突。",
                          "Rename it '{namespace}.{key}' so that a later national key can never clash with it.")
E_STATS_FILE = _entry("E509", "统计定义文件有误：{detail}", "statistics definition file is wrong: {detail_en}",
                "统计定义文件的顶层键是 statistics:、dimensions: 和 tables:，见 modules/statistics/tables.yaml。",
                "A statistics file's top keys are statistics:, dimensions: and tables:; see modules/statistics/tables.yaml.")

# --- V0xx: bad data ---------------------------------------------------------------------
V_REQUIRED = _entry("V001", "「{label}」为必填项", "{label} is required", "请填写此项。", "Fill in this field.")
V_FORMAT = _entry("V002", "「{label}」格式不正确：应为{expected_zh}", "{label} has the wrong format: expected {expected_en}",
                  "例如：{example}", "For example: {example}")
V_TOO_LONG = _entry("V003", "「{label}」不能超过 {max} 个字符（现有 {actual} 个）", "{label} must be at most {max} characters (it has {actual})",
                    "请删减内容。", "Shorten it.")
V_TOO_SHORT = _entry("V004", "「{label}」至少需要 {min} 个字符", "{label} needs at least {min} characters", "", "")
V_PATTERN = _entry("V005", "「{label}」格式不符合要求{expected_zh}", "{label} does not match the required pattern{expected_en}", "要求的格式：{pattern}", "Required pattern: {pattern}")
V_RANGE = _entry("V006", "「{label}」应在 {min} 到 {max} 之间", "{label} must be between {min} and {max}", "", "")
V_UNKNOWN_CODE = _entry("V007", "「{label}」的值「{value}」不在代码表中", "{label}: '{value}' is not in the code list",
                        "请从下拉列表中选择。", "Choose from the list.")
V_NOT_SELECTABLE = _entry("V008", "「{label}」不能选择分类「{value}」，请选择其下的具体项", "{label}: '{value}' is a category; choose an item under it",
                          "", "")
V_EXCLUSIVE = _entry("V009", "「{label}」中的「{value}」不能与其他选项同时选择", "{label}: '{value}' cannot be combined with other choices",
                     "只保留「{value}」，或去掉它。", "Keep only '{value}', or remove it.")
V_NONE_FILLED = _entry("V010", "已选择「无」，「{label}」应为空", "'None' was chosen, so {label} must be empty",
                       "选择「无」时其他各项自动清空。", "Choosing 'none' clears the other fields.")
V_CASCADE = _entry("V011", "「{label}」的值「{value}」与「{parent_label}」不匹配", "{label}: '{value}' does not go with {parent_label}",
                   "先选择「{parent_label}」，再从其下的选项中选择。", "Choose {parent_label} first, then one of its options.")
V_UNKNOWN_FIELD = _entry("V012", "未知的指标「{field}」{suggestion_zh}", "unknown field '{field}'{suggestion_en}", "", "")
V_DECIMAL_PLACES = _entry("V013", "「{label}」最多保留 {places} 位小数", "{label} takes at most {places} decimal places", "", "")
V_MIN = _entry("V014", "「{label}」不能小于 {min}", "{label} cannot be less than {min}", "", "")
V_MAX = _entry("V015", "「{label}」不能大于 {max}", "{label} cannot be more than {max}", "", "")
V_AMBIGUOUS_CODE = _entry("V017", "「{label}」的值「{value}」对应多个代码：{choices}", "{label}: '{value}' names several codes: {choices}",
                         "照上面所列，填写「代码-名称」以指明是哪一个。", "Write one of them as listed ('code-name') to say which.")
V_NONE_NOT_ALONE = _entry("V016", "「无」记录不能与其他记录并存", "a 'none' record cannot stand beside other records",
                          "有其他记录时请删除「无」记录；确实没有时只保留「无」。",
                          "Delete the 'none' record when there are real ones; keep only 'none' when there are none.")
V_RULE = _entry("V100", "{message_zh}", "{message_en}", "", "")
V_RULE_FAILED = _entry("V101", "规则「{rule}」无法计算：{detail}", "rule '{rule}' could not be evaluated: {detail}",
                       "请检查相关指标的值。", "Check the values of the fields it reads.")
V_NO_RECORDS_PLAIN = _entry("V103", "「{set_label}」至少需要一条记录", "{set_label} needs at least one record", "", "")
V_NO_RECORDS = _entry("V102", "「{set_label}」至少需要一条记录（没有请填一条「无」）", "{set_label} needs at least one record (add a 'none' record if there is nothing)",
                      "", "")

# --- V2xx: Excel import (web/excel): the file, its sheets and columns, identity ------------
V_XLSX_NOT_XLSX = _entry("V201", "文件「{file}」不是 Excel 工作簿（.xlsx）{detail_zh}", "'{file}' is not an Excel workbook (.xlsx){detail_en}",
                         "请下载导入模板，填写后以 .xlsx 格式保存再上传。", "Download the template, fill it in and save it as .xlsx.")
V_XLSX_CORRUPT = _entry("V202", "文件「{file}」已损坏，无法读取（技术信息：{detail}）", "'{file}' is damaged and cannot be read: {detail}",
                        "用 Excel 打开后另存为新的 .xlsx 文件再上传。", "Open it in Excel, save it as a new .xlsx file and upload that.")
V_XLSX_ENCRYPTED = _entry("V203", "文件「{file}」设置了打开密码，无法读取", "'{file}' is password-protected and cannot be read",
                          "在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存再上传。", "Remove the password in Excel (File → Info → Protect Workbook), save and upload again.")
V_XLSX_BOMB = _entry("V204", "文件「{file}」解压后过大（{size} MB，压缩比 {ratio}），已拒绝", "'{file}' expands to too much data ({size} MB, ratio {ratio}); refused",
                     "每次导入的数据不超过 {limit} MB；请拆分文件。", "Import at most {limit} MB at a time; split the file.")
V_XLSX_TOO_MANY_ROWS = _entry("V205", "工作表「{sheet}」有 {rows} 行，超过上限 {limit} 行", "sheet '{sheet}' has {rows} rows, more than the limit of {limit}",
                              "请拆分为多个文件分别导入。", "Split it into several files.")
V_XLSX_TOO_MANY_COLUMNS = _entry("V206", "工作表「{sheet}」有 {columns} 列，超过上限 {limit} 列", "sheet '{sheet}' has {columns} columns, more than the limit of {limit}",
                                 "删除模板之外的列。", "Delete the columns that are not in the template.")
V_XLSX_OTHER_PROVINCE = _entry("V207", "这是「{found}」的模板，本系统是「{expected}」", "this is a template of province '{found}'; this system serves '{expected}'",
                               "请从本系统下载模板。", "Download the template from this system.")
V_XLSX_OTHER_VERSION = _entry("V208", "模板的指标版本 {found} 已过期（当前版本 {expected}）", "the template's catalogue version {found} is out of date (current: {expected})",
                              "请重新下载模板，把数据复制到新模板后再导入。", "Download the template again and copy the data into it.")
V_XLSX_OTHER_FAMILY = _entry("V209", "这是「{found}」的模板，单位「{unit}」的学校类型应使用「{expected}」模板", "this is a '{found}' template; unit '{unit}' needs the '{expected}' template",
                             "请下载本单位学校类型的模板。", "Download the template of this unit's school type.")
V_XLSX_MISSING_COLUMN = _entry("V210", "工作表「{sheet}」找不到【{column}】列，请检查Excel模板是否正确！", "sheet '{sheet}' has no column '{column}'; is this the right template?",
                               "从模板复制该列的表头。", "Copy that column's header from the template.")
V_XLSX_UNKNOWN_COLUMN = _entry("V211", "工作表「{sheet}」第【{letter}】列的表头「{column}」不是模板中的列{suggestion_zh}", "sheet '{sheet}' column {letter}: header '{column}' is not a template column{suggestion_en}",
                               "改正表头，或删除该列。", "Correct the header or delete the column.")
V_XLSX_DUPLICATE_COLUMN = _entry("V212", "工作表「{sheet}」的【{column}】列出现了两次（第【{first}】列和第【{letter}】列）", "sheet '{sheet}': column '{column}' appears twice (columns {first} and {letter})",
                                 "删除其中一列。", "Delete one of them.")
V_XLSX_UNKNOWN_SHEET = _entry("V213", "工作表「{sheet}」不是模板中的工作表，已忽略", "sheet '{sheet}' is not a template sheet and was ignored",
                              "模板的工作表：{allowed}", "Template sheets: {allowed}")
V_XLSX_DUPLICATE_ID = _entry("V214", "身份证件号「{id}」在本文件中重复（第 {first} 行已有）", "ID number '{id}' appears twice in this file (already in row {first})",
                             "每位教师在“基本信息”中只占一行。", "Each teacher has one row in 基本信息.")
V_XLSX_ELSEWHERE = _entry("V215", "身份证件号「{id}」的教师已在「{unit}」建档（一人一号），不能重复建档", "the teacher with ID number '{id}' already has a file at '{unit}' (one person, one number)",
                          "请与「{unit}」或其上级教育行政部门联系核实；核实前请从文件中删除该教师。",
                          "Contact '{unit}' or the education authority above it; remove the teacher from the file until it is settled.")
V_XLSX_NO_TEACHER = _entry("V216", "找不到身份证件号为「{id}」的教师（既不在“基本信息”中，也不在本单位档案中）", "no teacher with ID number '{id}' (neither in 基本信息 nor on this unit's files)",
                           "先在“基本信息”中填写该教师。", "Add the teacher to 基本信息 first.")
V_XLSX_LOCKED = _entry("V217", "身份证件号「{id}」的教师信息处于「{state}」状态，不能通过导入修改", "the file of the teacher with ID number '{id}' is '{state}' and cannot be changed by an import",
                       "审核中的信息不能修改；已审核通过的信息请走信息变更。", "Files under review cannot be changed; approved files change through a change request.")
V_XLSX_EMPTY = _entry("V218", "文件中没有可导入的数据", "the file has no rows to import",
                      "在模板的工作表中从第 2 行开始填写。", "Fill the template's sheets from row 2.")
V_XLSX_TOO_LARGE = _entry("V219", "文件「{file}」有 {size} MB，超过上限 {limit} MB", "'{file}' is {size} MB, more than the limit of {limit} MB",
                          "请拆分为多个文件分别导入。", "Split it into several files.")
V_XLSX_NO_UNIT = _entry("V220", "没有单位「{unit}」", "no unit '{unit}'", "用单位代码指定导入的学校。", "Name the school by its unit code.")
V_XLSX_NOT_A_SCHOOL = _entry("V221", "「{unit}」（{code}）不是学校：教师只能导入到学校", "'{unit}' ({code}) is not a school: teachers are imported into a school",
                             "用学校的单位代码指定导入到哪所学校。", "Name the school to import into by its unit code.")
V_XLSX_RACE = _entry("V222", "身份证件号「{id}」的教师在本次导入进行期间已由另一次导入或录入建档，本次导入未写入任何数据", "the teacher with ID number '{id}' was filed by another import or entry while this import ran; nothing was written",
                     "再导入一次本文件：该教师若已在本单位建档，将按已建档教师更新；若在其他单位建档，请与该单位核实后从文件中删除该教师。",
                     "Import this file again: a teacher now filed at this unit is updated; one filed at another unit is reported, check with that unit and remove the teacher from the file.")

# --- V33x: the data side of issue 20 (an import's rows against a file on record: web/excel/onrecord.py)
V_XLSX_APPROVED_CHANGE = _entry(
    "V330", "身份证件号「{id}」的教师档案已审核通过：这一行{change_zh}，导入不能修改已审核通过的档案",
    "the file of the teacher with ID number '{id}' is approved: this row {change_en}; an import cannot change an approved file",
    "与档案一致的行不受影响。修改已有信息：由学校信息管理员在该教师档案中「申请变更」（创建复本），改好复本后报送审核；"
    "新增记录：在教师档案中添加后「报送新增信息」。也可以把这一行改回导出时的内容或删除这一行，再导入。",
    "Rows that match the file are fine. To change approved data the school's information manager opens a change "
    "request (a copy) on the teacher's file, edits the copy and submits it; new records are added on the file and "
    "submitted as an addition. Or restore the row as exported, or delete it, and import again.")
V_XLSX_UNDER_REVIEW_CHANGE = _entry(
    "V331", "身份证件号「{id}」的教师档案处于「{state}」状态：这一行{change_zh}，审核中的档案不能修改",
    "the file of the teacher with ID number '{id}' is '{state}': this row {change_en}; a file under review cannot be changed",
    "与档案一致的行不受影响。请等审核结束，或请审核人员「退回」后再导入；也可以把这一行改回导出时的内容或删除这一行。",
    "Rows that match the file are fine. Wait until the review ends or ask the reviewer to send the file back, "
    "then import; or restore the row as exported, or delete it.")


# --- V40x: fields a province gives to one side (issue 18 point 11: ``fields_filled_by``)
V_XLSX_TEACHERS_FIELD = _entry(
    "V400", "「{label}」由教师本人填写，导入不能填写或修改（身份证件号「{id}」）",
    "'{label_en}' is filled in by the teacher; an import cannot fill or change it (ID number '{id}')",
    "清空这个单元格，或改回档案中的内容（导出的文件原样导入不受影响）；此项请教师本人在「教师自助」中填写。",
    "Empty the cell or restore what is on file (an export imported as it is is fine); the teacher fills this "
    "field in self-service.")

@dataclass(frozen=True)
class Problem:
    """A bad definition: where, what, how to fix. ``other`` is the second place of a clash."""

    code: str
    loc: SourceLoc
    args: dict[str, Any] = field(default_factory=dict)
    other: SourceLoc | None = None

    def message(self, lang: str = "zh") -> str:
        return render(self.code, self.args, lang)

    def hint(self, lang: str = "zh") -> str:
        entry = CATALOGUE[self.code]
        return _fill(entry.hint_en if lang == "en" else entry.hint_zh, self.args)

    def __str__(self) -> str:
        return f"{self.loc}: {self.code} {self.message('zh')} / {self.message('en')}"


def _fill(template: str, args: dict[str, Any]) -> str:
    class _Keep(dict):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep(args))


def render(code: str, args: dict[str, Any], lang: str = "zh") -> str:
    entry = CATALOGUE[code]
    return _fill(entry.en if lang == "en" else entry.zh, args)


def render_hint(code: str, args: dict[str, Any], lang: str = "zh") -> str:
    """The entry's fix, filled from ``args``; "" where it needs a value ``args`` has not got
    (a hint left with a ``{placeholder}`` would read as garbage; a value may hold braces itself,
    as a pattern's ``{6}`` does, so the template's fields are what is asked)."""
    entry = CATALOGUE[code]
    template = entry.hint_en if lang == "en" else entry.hint_zh
    if any(name and name not in args for _, name, _, _ in string.Formatter().parse(template)):
        return ""
    return _fill(template, args)


def suggestion(word: str, choices: list[str] | set[str] | tuple[str, ...]) -> dict[str, str]:
    """The did-you-mean args for a message: suggestion_zh / suggestion_en (empty when none)."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return {"suggestion_zh": "", "suggestion_en": ""}
    return {"suggestion_zh": f"，是否想写「{close[0]}」？", "suggestion_en": f"; did you mean '{close[0]}'?"}


class DefinitionError(Exception):
    """Raised by a pipeline stage when the definitions have problems; carries all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
