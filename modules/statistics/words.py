"""The statistics module's messages: refusals (W475–W489, web/errors.py's catalogue) and definition
problems of tables.yaml / provinces/<code>/statistics.yaml (E501–E509, a catalogue of the module's own:
engine/errors.py holds the core's codes only, and every one of those has a case folder under
tests/engine/errors; ours have theirs under modules/statistics/tests/errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.errors import Entry, Problem, _fill
from web.errors import _e

# --- W475–W489: refusals of the statistics API and service
W_OUT_OF_SCOPE = _e("W475", 403, "不能查看该单位的统计：它不在您的管理范围内",
                    "You cannot read the statistics of that unit: it is outside your scope",
                    "只能查看本单位及下属单位的统计；请改选本单位（{own}）或其下属单位。",
                    "You read the statistics of your own unit ({own}) and the units below it.")
W_UNKNOWN_UNIT = _e("W476", 404, "没有单位代码「{code}」", "No unit with code '{code}'",
                    "检查单位代码（在「单位管理」中可查）。", "Check the unit code (listed under unit management).")
W_UNKNOWN_TABLE = _e("W477", 404, "没有统计表「{table}」{suggestion_zh}", "No statistics table '{table}'{suggestion_en}",
                     "可用的统计表：{allowed}", "Tables: {allowed}")
W_UNKNOWN_DIMENSION = _e("W478", 422, "没有统计维度「{dimension}」{suggestion_zh}", "No dimension '{dimension}'{suggestion_en}",
                         "可用的维度：{allowed}", "Dimensions: {allowed}")
W_BAD_FILTER = _e("W479", 422, "筛选条件「{key}」无效：{detail}", "Filter '{key}' is not valid: {detail_en}",
                  "可用的筛选：school_type（办学类型）、unit（单位代码）。",
                  "Filters: school_type and unit (unit codes).")
W_NO_STATS = _e("W480", 403, "没有权限查看统计信息", "Not allowed to read statistics",
                "信息查询员、信息管理员和信息审核员可以查看统计；请联系本单位系统管理员。",
                "Viewers, information managers and reviewers read statistics; ask your unit's system administrator.")
W_UNKNOWN_SNAPSHOT = _e("W481", 404, "没有统计快照「{snapshot}」", "No statistics snapshot '{snapshot}'",
                        "不指定快照即为当前已审核数据。", "Leave the snapshot out for the current approved data.")
W_SAME_DIMENSION = _e("W482", 422, "交叉表的行和列不能是同一个维度「{dimension}」",
                      "A cross table needs two different dimensions (both are '{dimension}')",
                      "请为列选择另一个维度。", "Choose another dimension for the columns.")

# --- E501–E509: definition problems of the statistics files (tmis check)
CATALOGUE: dict[str, Entry] = {}


def _entry(code: str, zh: str, en: str, hint_zh: str = "", hint_en: str = "") -> str:
    assert code not in CATALOGUE, code
    CATALOGUE[code] = Entry(code, zh, en, hint_zh, hint_en)
    return code


E_UNKNOWN_FIELD = _entry("E501", "统计维度「{dimension}」引用的指标「{field}」不存在{suggestion_zh}",
                         "dimension '{dimension}' reads field '{field}', which does not exist{suggestion_en}",
                         "写成「信息集.指标」，例如 basic.gender；可用的信息集：{sets}",
                         "Write 'set.field', e.g. basic.gender; sets: {sets}")
E_NOT_CODED = _entry("E502", "统计维度「{dimension}」引用的指标「{field}」不是代码型指标（类型 {type}）",
                     "dimension '{dimension}' reads field '{field}', which is not a coded field (type {type})",
                     "维度只能是代码型（code/codes）、是否型（boolean）或引用代码表的派生指标；年龄段、教龄段等请用 computed。",
                     "A dimension reads a code, codes or boolean field (or a derived one with a code table); "
                     "age and teaching-years bands use 'computed'.")
E_UNKNOWN_CODES = _entry("E503", "统计维度「{dimension}」使用的代码表「{table}」不存在{suggestion_zh}",
                         "dimension '{dimension}' uses code table '{table}', which does not exist{suggestion_en}",
                         "代码表定义在 schemas/codes/ 或省份的 codes/ 目录中。", "Code tables live in schemas/codes/ or a province's codes/.")
E_UNKNOWN_DIMENSION = _entry("E504", "统计表「{table}」使用了未定义的维度「{dimension}」{suggestion_zh}",
                             "table '{table}' uses dimension '{dimension}', which is not defined{suggestion_en}",
                             "可用的维度：{allowed}", "Dimensions: {allowed}")
E_DUPLICATE = _entry("E505", "统计{what_zh}「{key}」重复定义，另一处在 {other}",
                     "{what_en} '{key}' is defined twice; the other is at {other}",
                     "每个键只定义一次；省份新增的键须以省份代码为前缀，例如「{namespace}.…」。",
                     "Define each key once; a province's keys start with its prefix, e.g. '{namespace}.…'.")
E_BAD_CODE = _entry("E506", "统计维度「{dimension}」的分组引用了代码表「{table}」中没有的代码「{code}」{suggestion_zh}",
                    "dimension '{dimension}' groups code '{code}', which code table '{table}' does not have{suggestion_en}",
                    "检查代码（不是名称）。", "Check the code (not its label).")
E_BAD_BANDS = _entry("E507", "统计维度「{dimension}」的分段有误：{detail}", "dimension '{dimension}' has bad bands: {detail_en}",
                     "分段按从小到大排列，不重叠、不留空档，例如 {{code: \"1\", to: 24}}、{{code: \"2\", from: 25, to: 29}}。",
                     "Bands go up without overlaps or gaps, e.g. {{code: \"1\", to: 24}}, {{code: \"2\", from: 25, to: 29}}.")
E_NOT_NAMESPACED = _entry("E508", "省份新增的统计{what_zh}「{key}」必须以「{namespace}.」开头",
                          "{what_en} '{key}' added by a province must start with '{namespace}.'",
                          "改为「{namespace}.{key}」，这样国家以后新增同名统计表也不会冲突。",
                          "Rename it '{namespace}.{key}' so that a later national key can never clash with it.")
E_FILE = _entry("E509", "统计定义文件有误：{detail}", "statistics definition file is wrong: {detail_en}",
                "统计定义文件的顶层键是 statistics:、dimensions: 和 tables:，见 modules/statistics/tables.yaml。",
                "A statistics file's top keys are statistics:, dimensions: and tables:; see modules/statistics/tables.yaml.")


@dataclass(frozen=True)
class StatsProblem(Problem):
    """A definition problem with a code of this module's catalogue (printed by ``tmis check`` like the core's)."""

    def message(self, lang: str = "zh") -> str:
        entry = CATALOGUE[self.code]
        return _fill(entry.en if lang == "en" else entry.zh, self.args)

    def hint(self, lang: str = "zh") -> str:
        entry = CATALOGUE[self.code]
        return _fill(entry.hint_en if lang == "en" else entry.hint_zh, self.args)


def problem(code: str, loc: Any, other: Any = None, **args: Any) -> StatsProblem:
    return StatsProblem(code, loc, args, other)
