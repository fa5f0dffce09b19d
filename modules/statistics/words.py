"""The statistics module's refusals (W475–W489 and, from a cell to its teachers, W620–W629, in
web/errors.py's catalogue). Its definition
problems (E501–E509) are the engine's: engine/statistics.py, engine/errors.py."""

from __future__ import annotations

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

# --- W620–W629: from a cell of a table to its teachers (modules/statistics/drill.py)
W_DRILL_SMALL = _e("W620", 403, "该单元格只有 {n} 名教师（不足 {min} 人），不能查看名单",
                   "This cell counts {n} teachers (fewer than {min}): its list is not shown",
                   "人数很少的单元格会暴露个人信息，只有有权查看完整个人信息（personal.read，如信息管理员、信息审核员）的账号可以查看名单；"
                   "需要时请联系本单位信息管理员。",
                   "A cell this small identifies people: only accounts that may read personal data (personal.read: "
                   "information managers, reviewers) open its list; ask your unit's information manager.")
W_DRILL_NO_LIST = _e("W621", 403, "没有权限查看「{unit}」的教师名单", "Not allowed to list the teachers of '{unit}'",
                     "统计数字可以查看，但查看教师名单需要该单位的「查看教师信息」权限（teacher.read）；请联系本单位系统管理员。",
                     "You read its statistics, but listing its teachers needs teacher.read at that unit; "
                     "ask your unit's system administrator.")
W_BAD_CELL = _e("W622", 422, "单元格参数「{cell}」无效", "The cell '{cell}' is not valid",
                "在统计表中点「查看名单」打开名单；地址中每个维度写作 cell=<维度>:<代码>，例如 cell=gender:2。",
                "Open a list with 'Teachers' beside a cell of a table; the address names each dimension as "
                "cell=<dimension>:<code>, e.g. cell=gender:2.")
W_DRILL_SNAPSHOT = _e("W623", 422, "快照数据不能查看教师名单", "A snapshot's cells do not open a teacher list",
                      "快照是某日冻结的人数；名单只对当前已审核数据提供：请切换到「当前」数据后再点单元格。",
                      "A snapshot holds frozen counts of its day; lists are of the current approved data: "
                      "switch the dashboard to 'Now' and open the cell there.")
