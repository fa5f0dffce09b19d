"""Refusals of the two tiers (W810–W829)."""

from __future__ import annotations

from web.errors import _e

W_NATIONAL_READ_ONLY = _e(
    "W810", 403, "全国库不修改省级数据：「{path}」须在教师所在省份的系统中办理",
    "The national tier never changes province data: '{path}' is done in the teacher's province's system",
    "全国级账号可查看各省数据、核查重复人员、发放正式人员标识；档案、单位、审核、调动等由各省系统办理后同步到全国库。",
    "National accounts read every province, review duplicates and issue formal identifiers; files, units, reviews "
    "and transfers are done in the provinces and replicate here.")
W_DUP_NOT_FOUND = _e("W811", 404, "没有编号为 {id} 的疑似重复记录", "No duplicate group {id}",
                     "请从「全国查重」列表中选择。", "Choose one from the duplicates queue.")
W_DUP_NOT_OPEN = _e("W812", 409, "疑似重复记录 {id} 已处理（{state}）", "Duplicate group {id} is already decided ({state_en})",
                    "刷新列表查看最新状态。", "Reload the queue to see its state.")
W_DUP_DECISION = _e("W813", 422, "核查结论应为 same_person（同一人）或 different（不同人），而不是「{value}」",
                    "The decision must be same_person or different, not '{value}'", "", "")
W_NATIONAL_ONLY = _e("W814", 404, "此页面只在全国库（TMIS_TIER=national）提供", "This page is served by the national tier only "
                     "(TMIS_TIER=national)", "省级系统的数据由全国库订阅；请在全国库中查看。",
                     "The national tier subscribes to this province; look there.")
