"""Words and refusals of the spot-check module (W500–W512; issue 16 gives S3 W500–W519; W707: the
fixes of a new user's walk)."""

from __future__ import annotations

from web.errors import _e

KINDS = {"school": ("学校", "Schools"), "teacher": ("教师", "Teachers")}
RESULTS = {"ok": ("核实无误", "Verified correct"), "wrong": ("有误", "Found wrong")}
STATES = {"open": ("核实中", "Being verified"), "published": ("已通报", "Published")}
MAX_SIZE = 1000
MAX_NOTE = 500
MAX_SUMMARY = 2000
MAX_TITLE = 100
MAX_SEED = 32

W_KIND = _e("W500", 422, "抽查对象「{value}」无效", "Unknown spot-check population '{value}'",
            "可选：school（学校）、teacher（教师）。", "Choose school or teacher.")
W_SIZE = _e("W501", 422, "抽查数量「{value}」无效：须为 1 至 {high} 之间的整数",
            "The sample size '{value}' is invalid: a whole number from 1 to {high}",
            "本次可抽取的总体共 {population} 个；抽查数量不能超过总体，也不超过 {max}。",
            "The population holds {population}; the sample cannot exceed it, nor {max}.")
W_SEED = _e("W502", 422, "随机种子「{value}」无效", "The seed '{value}' is invalid",
            "种子由 1–32 个字母、数字或 - 组成（如 20260331）；留空则由系统生成并显示在抽查结果中。",
            "A seed is 1–32 letters, digits or '-' (e.g. 20260331); leave it blank and the system chooses one and shows it.")
W_EMPTY = _e("W503", 422, "「{unit}」范围内没有可抽查的{kind}", "No {kind_en} to sample within '{unit}'",
             "抽查教师时，总体是在岗且档案已审核通过的教师；抽查学校时，总体是辖区内的学校。",
             "A teacher sample is drawn from teachers on the roll with an approved file; a school sample from the schools of the area.")
W_NOT_FOUND = _e("W504", 404, "没有该抽查，或不在您的查看范围内", "No such spot check, or outside your scope",
                 "抽查由上级教育行政部门发起，通报后下级单位可以查看。",
                 "An authority draws a spot check; the units below see it once it is published.")
W_ITEM = _e("W505", 404, "该抽查中没有第 {item} 项", "The spot check has no item {item}", "", "")
W_RESULT = _e("W506", 422, "核实结果「{value}」无效", "Unknown result '{value}'",
              "可选：ok（核实无误）、wrong（有误）。", "Choose ok (verified correct) or wrong (found wrong).")
W_NO_RESULT = _e("W707", 422, "未选择核实结果，该项仍为「未核实」", "No result was chosen; the item stays not verified",
                 "核实后在「核实结果」中选择「核实无误」或「有误」（有误时写明说明），再点「保存」。",
                 "Once verified, choose 'Verified correct' or 'Found wrong' (with a note when wrong), then Save.")
W_NOTE_NEEDED = _e("W507", 422, "核实结果为「有误」时须填写说明", "A note is required when the result is 'found wrong'",
                   "写明哪项信息有误、实际情况如何，以便被抽查单位更正。",
                   "Say which information is wrong and what is true, so the unit can correct it.")
W_NOTE_LONG = _e("W508", 422, "说明过长（{length} 字，至多 {max} 字）", "The note is too long ({length} characters, at most {max})",
                 "请删减后重新提交。", "Shorten it and submit again.")
W_PUBLISHED = _e("W509", 409, "该抽查已于 {on} 通报，核实结果不能再修改", "The spot check was published on {on}; its results are final",
                 "如需更正，请发起新的抽查。", "Draw a new spot check to correct it.")
W_UNCHECKED = _e("W510", 422, "还有 {count} 项未核实，不能通报", "{count} items are not verified yet; the check cannot be published",
                 "逐项填写核实结果（核实无误或有误）后再通报。", "Record a result for every item first.")
W_TITLE = _e("W511", 422, "抽查名称须为 1–{max} 个字符", "The title must be 1–{max} characters",
             "例如：2026 年春季教师信息随机抽查。", "For example: Spring 2026 spot check of teacher data.")
W_SUMMARY_LONG = _e("W512", 422, "通报内容过长（{length} 字，至多 {max} 字）",
                    "The summary is too long ({length} characters, at most {max})",
                    "请删减后重新提交。", "Shorten it and submit again.")


def word(table: dict[str, tuple[str, str]], key: str | None, lang: str = "zh") -> str:
    zh, en = table.get(key or "", (key or "", key or ""))
    return en if lang == "en" else zh
