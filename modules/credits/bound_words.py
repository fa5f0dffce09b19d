"""Refusals of dates, filters and plausibility in the credits module (W708–W716, W718; the walk's
findings 11, 17, 18 and 19). Registration's own are in modules/registration/words.py (W717–W719)."""

from __future__ import annotations

from web.errors import _e

W_DATE_RANGE = _e("W708", 422, "「{field}」{value} 超出范围：须在 {low} 至 {high} 之间",
                  "'{field_en}' {value} is out of range: it must lie between {low} and {high}",
                  "写成 yyyy-MM-dd，例如 {example}。", "Write it as yyyy-MM-dd, e.g. {example}.")
W_AS_OF_FUTURE = _e("W709", 422, "「截至日期」{value} 晚于今天（{today}）：学分银行只显示截至某日已记入的学分，未来的日期没有意义",
                    "The 'as of' day {value} is after today ({today}): the credit bank shows the credits recorded in it "
                    "by a day, and a future day has none yet",
                    "不填写即为截至今天；查看过去某日的情况，请填写今天或以前的日期。",
                    "Leave it empty for today; for an earlier state, write today or an earlier day.")
W_START_AFTER_END = _e("W710", 422, "开始日期 {start} 晚于结束日期 {end}", "The start {start} is after the end {end}",
                       "把开始日期改为不晚于结束日期（start ≤ end）。", "Make the start no later than the end (start ≤ end).")
W_YEAR_RANGE = _e("W711", 422, "年份「{value}」无效：须为 {low} 至 {high} 之间的年份",
                  "The year '{value}' is not valid: it must be a year from {low} to {high}",
                  "不填写即为今年。", "Leave it empty for this year.")
W_UNKNOWN_PARAM = _e("W712", 422, "不认识的查询参数「{name}」：本接口不按它筛选", "Unknown query parameter '{name}': this endpoint does not filter by it",
                     "可用的参数：{allowed}。", "Parameters it takes: {allowed}.")
W_UNIT_FILTER = _e("W713", 404, "单位「{value}」不存在或不在您的管理范围内", "The unit '{value}' does not exist or is outside your scope",
                   "填写您管辖范围内单位的代码（如学校代码），或不填显示全部。",
                   "Give the code of a unit within your scope (such as a school's code), or leave it empty for all.")
W_HOURS_PER_DAY = _e("W714", 422, "{what}的学时 {hours} 超过起止日期内可能的学时（{days} 天 × {per_day} 小时 = {most}）",
                     "The {what_en}'s {hours} hours exceed what its dates allow ({days} day(s) × {per_day} hours = {most})",
                     "核对学时与起止日期：学时按实际参训时间填写，多日项目填写开始和结束日期。",
                     "Check the hours and the dates: hours are the time actually spent; a project of several days gives its first and last day.")
W_DUPLICATE_CLAIM = _e("W715", 409, "已有同名、同起止日期的自主研修申报（#{id}，{state}）",
                       "A self-study claim with the same title and dates exists already (#{id}, {state_en})",
                       "同一研修只申报一次；如需改正，请在原申报被退回后修改重新提交。",
                       "A study is claimed once; to correct it, edit the first claim when it is returned and resubmit it.")
W_DUPLICATE_PROJECT = _e("W716", 409, "本单位已登记同名、同起止日期的培训项目「{name}」（#{id}，{start} 至 {end}）",
                         "Your unit has registered a training project of the same name and dates already: '{name}' (#{id}, {start} to {end})",
                         "不要重复登记：在培训项目列表中打开已有项目；确是另一期，请在名称中写明期次（如「第二期」）。",
                         "Do not register it twice: open the existing project from the list; if it is another round, say so in the name (e.g. 'round 2').")
W_NOT_STARTED = _e("W718", 409, "培训项目「{name}」{start} 才开始，还不能提交成绩", "The training project '{name}' starts on {start}: it takes no results yet",
                   "项目开始后再提交参训学员的成绩；如日期登记有误，请项目主办单位核对。",
                   "Submit the participants' results once the project has begun; if its dates are wrong, ask its organiser.")
