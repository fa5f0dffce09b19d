"""Refusals of the credits pages' forms that the walk found losing input (W731–W739; W730, the
upload limit a page states, is the core's: web/errors.py)."""

from __future__ import annotations

from web.errors import _e

W_ACCOUNT_FIELD = _e("W731", 422, "机构账号的「{field}」{detail}", "The institution account's {field_en} {detail_en}",
                     "在该机构的「新建账号」表单中改正后重新创建；其他已填内容已保留。",
                     "Correct it in the institution's new-account form and create it again; the rest you typed is kept.")
