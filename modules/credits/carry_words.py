"""Refusals of carried-over credits (结转学分, carry_over.py; W640–W649) and its rows' problems."""

from __future__ import annotations

from web.errors import _e

W_CARRY_ROWS = _e("W640", 422, "结转学分有 {count} 处问题，未保存任何一行", "{count} problem(s) in the carried-over credits; no row was saved",
                  "按每行的说明改正后重新导入（全部正确才会保存）。",
                  "Correct each row as described and import again (all rows are saved only when all are right).")
W_CARRY_BODY = _e("W641", 422, "结转学分的请求内容无效：{detail}", "Invalid carried-over credits: {detail_en}",
                  "写成 {{\"rows\": [{{\"id_number\": …, \"name\": …, \"category\": …, \"credits\": …, \"hours\": …, "
                  "\"earned_on\": \"2024-06-30\", \"source\": \"原省继续教育平台\"}}]}}，或上传结转学分模板（.xlsx）。",
                  "Send {{\"rows\": [{{\"id_number\": …, \"name\": …, \"category\": …, \"credits\": …, \"hours\": …, "
                  "\"earned_on\": \"2024-06-30\", \"source\": \"previous platform\"}}]}}, or upload the carried-over credits template (.xlsx).")
W_CARRY_NO_FILE = _e("W642", 422, "没有选择要上传的文件", "No file was chosen to upload",
                     "先下载结转学分模板，填好后选择该文件再上传。", "Download the carried-over credits template, fill it in, choose it and upload it.")
W_CARRY_NOT_YOURS = _e("W643", 403, "结转学分由县级及以上教育行政部门的审核员办理，您的账号不能",
                       "Carried-over credits are imported by a reviewer of a county or higher education authority; your account cannot",
                       "学校收集教师的学分证明后报主管教育行政部门，由其审核员导入；查看学分请打开「学分银行」。",
                       "A school collects its teachers' credit certificates and passes them to its authority, whose reviewer imports them; "
                       "see credits on 'Credit bank'.")
W_CARRY_RACE = _e("W644", 409, "其中的结转记录刚刚已由他人导入，本次未保存任何一行", "Some of these rows were just imported by someone else; no row was saved",
                  "刷新后重新导入同一文件：已导入的行会标为重复，删去这些行后再导入。",
                  "Import the same file again: the rows already imported are marked as duplicates; remove them and import again.")

# the rows' problems: (message, message_en, hint, hint_en), formatted with the problem's args
ROW = {
    "required": ("{label}必填", "{label_en} is required", "填写该教师的{label}。", "Fill in the teacher's {label_en}."),
    "unmatched": ("证件号码与姓名不符，或不是您管理范围内的教师", "the ID number and name do not match a teacher within your scope",
                  "核对身份证件号与姓名（须与教师信息一致）；只能结转本单位所辖学校教师的学分，调入的教师先办理调动。",
                  "Check the ID number and the name (as in the teacher's record); only teachers of the schools under your unit "
                  "can be credited: a teacher moving in is transferred first."),
    "category": ("学分类别「{value}」不是本省的类别", "credit category '{value}' is not one of the province's",
                 "可选：{allowed}", "One of: {allowed_en}"),
    "credits": ("学分应为大于 0、不超过 {max} 的数字，最多两位小数", "credits must be a number above 0 and at most {max}, with at most 2 decimals",
                "例如 12 或 2.5。", "For example 12 or 2.5."),
    "hours": ("学时应为 0 到 {max} 之间的数字，最多两位小数", "hours must be a number from 0 to {max}, with at most 2 decimals",
              "没有学时记录填 0。", "Write 0 when the certificate gives no hours."),
    "date": ("获得日期应为日期，例如 2024-06-30", "the date earned must be a date such as 2024-06-30",
             "写成 年-月-日，或使用 Excel 的日期格式。", "Write year-month-day, or use an Excel date."),
    "early": ("获得日期不能早于 {first}", "the date earned cannot be before {first}", "核对学分证明上的日期。", "Check the date on the certificate."),
    "future": ("获得日期 {value} 晚于今天", "the date earned {value} is after today",
               "结转的是已经获得的学分：写学分证明上的获得日期。", "Carried-over credits are already earned: write the date on the certificate."),
    "source": ("来源须为 1–100 个字符", "the source must be 1–100 characters",
               "写明学分来自哪里，如「原省继续教育平台」或「湖南省学分证明 2023-0012」。",
               "Say where the credits come from, e.g. the previous platform or the certificate's number."),
    "twice": ("与第 {first} 行重复（同一教师、类别、日期、学分、来源）", "the same as row {first} (teacher, category, date, credits, source)",
              "删除重复的行。", "Remove the repeated row."),
    "duplicate": ("这条学分已经结转过（同一教师、类别、日期、学分、来源），不会重复记入",
                  "these credits were already carried over (same teacher, category, date, credits, source) and are not added twice",
                  "删除这一行；如确是另一笔学分，在来源中写明区别（如证明编号）。",
                  "Remove the row; if they really are other credits, make the source say how (e.g. the certificate's number)."),
}
