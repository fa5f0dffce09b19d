"""Refusals of a transfer between provinces (W860–W868), Chinese and English, each saying what is
wrong and how to fix it. Reasons a releasing province gives back are written in words here too."""

from __future__ import annotations

from web.errors import _e

W_XFER_PROVINCE = _e("W860", 422, "「{province}」不是其他省份的代码", "'{province}' is not the code of another province",
                     "外省调入请填写教师人事关系所在省份的两位代码（如甘肃 62）；本省教师请直接发起调动（不选外省调入）。",
                     "Give the two-digit code of the teacher's province (e.g. 62 for Gansu); for a teacher of this "
                     "province start an ordinary transfer (not 外省调入).")
W_XFER_NOT_CONNECTED = _e("W861", 409, "本省系统尚未接入全国教师管理信息系统，不能办理外省调入",
                          "This province is not connected to the national tier; a transfer from another province "
                          "cannot be started", "请省级系统管理员运行 tmis tier publish 和 tmis tier subscribe（见 docs/two-level.md）。",
                          "The provincial system administrator runs tmis tier publish and tmis tier subscribe "
                          "(docs/two-level.md).")
W_XFER_ON_FILE = _e("W862", 409, "该身份证件号的教师已在本省「{unit}」有档案，请办理省内调动",
                    "A teacher with this ID number is on file in this province at '{unit}'; start an ordinary transfer",
                    "在「教师调动」中不选外省调入，直接填写身份证件号和姓名发起。",
                    "On the transfers page leave 外省调入 unticked and give the ID number and name.")
W_XFER_OPEN = _e("W863", 409, "本校已有一件该教师的外省调入申请在办理中（申请号 {request}）",
                 "Your school already has an open request from another province for this teacher (request {request})",
                 "请等待调出省份答复（在本页「外省调入申请」中查看）。",
                 "Wait for the releasing province's answer (see 外省调入申请 on this page).")
W_XFER_BAD_ID = _e("W864", 422, "身份证件号或姓名为空", "The ID number or the name is empty",
                   "填写教师的身份证件号和姓名（须与调出省份档案一致）。",
                   "Give the teacher's ID number and name (both must match the file in the releasing province).")
W_XFER_NOT_FOUND = _e("W865", 404, "本校没有申请号为 {request} 的外省调入申请", "Your school has no request {request} to another province",
                      "请在「教师调动」页的「外省调入申请」中选择。", "Choose one under 外省调入申请 on the transfers page.")
W_XFER_CLOSED = _e("W866", 409, "外省调入申请 {request} 已有答复或已撤回，不能再撤回",
                   "Request {request} has been answered or withdrawn already; it cannot be withdrawn",
                   "刷新页面查看其状态；调出省份已同意的，教师将调入本校。",
                   "Reload to see where it stands; if the releasing province approved it, the teacher arrives here.")
# Reasons written into a refusal the releasing province sends back (kept as text in the message).
R_NOT_FOUND = ("调出省份没有身份证件号和姓名都相符的教师", "no teacher with that ID number and that name in the releasing province")
R_RELEASE_REFUSED = ("调出省份{unit}不同意：{reason}", "the releasing province ({unit}) refused: {reason}")
