"""Refusals of self-study claims (自主研修) and of the 国内培训 records the credit bank writes
(W650–W669, brief B's range)."""

from __future__ import annotations

from web.errors import _e

W_CLAIM_FIELD = _e("W650", 422, "自主研修申报的「{field}」无效：{detail}", "Self-study claim field '{field_en}' is invalid: {detail_en}",
                   "在「我的学分」的申报表中改正该项后重新提交。", "Correct it in the claim form on 我的学分 (My credits) and submit again.")
W_EVIDENCE_MISSING = _e("W651", 422, "没有上传证明材料，或文件为空", "No evidence file was uploaded, or the file is empty",
                        "选择一份 PDF、JPG 或 PNG 格式的证明材料（如结业证书、学习记录）再提交。",
                        "Choose a PDF, JPG or PNG evidence file (a certificate, a study record) and submit again.")
W_EVIDENCE_TYPE = _e("W652", 415, "证明材料「{name}」不是 PDF、JPG 或 PNG 文件（按文件内容判断，与扩展名无关）",
                     "The evidence file '{name}' is not a PDF, JPG or PNG file (judged by its content, not its name)",
                     "把材料另存为或扫描成 PDF、JPG 或 PNG 后重新上传；改扩展名不能改变文件类型。",
                     "Save or scan it as a PDF, JPG or PNG and upload that; renaming a file does not change its type.")
W_EVIDENCE_SIZE = _e("W653", 413, "证明材料「{name}」超过 {limit} MB", "The evidence file '{name}' is larger than {limit} MB",
                     "压缩图片或只上传关键页后重新提交。", "Compress the image or upload only the pages that matter.")
W_CLAIM_NOT_FOUND = _e("W654", 404, "没有该自主研修申报，或不在您的管理范围内", "No such self-study claim within your scope",
                       "在自主研修申报列表中选择。", "Choose the claim from the list of self-study claims.")
W_CLAIM_STATE = _e("W655", 409, "该申报{state}，不能{action}", "The claim is {state_en}; it cannot {action_en}",
                   "刷新列表查看申报的当前状态。", "Reload the list to see the claim's current state.")
W_CLAIM_REASON = _e("W656", 422, "退回申报须写明原因", "Returning a claim needs a reason",
                    "在「退回原因」中写明教师需要改正什么（例如“证明材料看不清”）。",
                    "Write what the teacher should correct in the reason (e.g. 'the evidence is unreadable').")
W_CLAIM_WHO = _e("W657", 403, "只有教师本人可以申报自主研修", "Only the teacher may file a self-study claim",
                 "请教师以本人账号登录「我的学分」申报。", "The teacher signs in with their own account and files it on 我的学分 (My credits).")
W_CLAIM_REVIEWER = _e("W658", 403, "{action}须由{who}办理", "{action_en} is done by {who_en}",
                      "学校审核（通过/退回），学校的主管教育行政部门确认学分。",
                      "The school reviews (approve/return); the school's education authority confirms the credits.")
# W659 (a 国内培训 record from the credit bank is changed or deleted by no one) is web.services.records.W_OWNED_RECORD
W_EVIDENCE_PERSONAL = _e(
    "W663", 403, "证明材料可能含有身份证件号等完整个人信息，您的账号不能查看完整个人信息，不能下载",
    "The evidence file may show an ID number and other personal data unmasked; your account does not see personal data unmasked",
    "请由教师所在学校或主管部门的审核人员（可查看完整个人信息）下载查看。",
    "A reviewer of the teacher's school or authority (who sees personal data unmasked) can open it.")
