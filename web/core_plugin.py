"""The core's own features as a plugin of web/hooks.py: their menu entries come through the same
``menu_entries`` hook as a module's, so there is one way a feature appears in the app. (The core's
routes stay in web/app.py; its actions are web/permissions.py's table; its events web/events.py.)"""

from __future__ import annotations

from typing import Any

from web.hooks import AUTHORITIES, MenuEntry, hookimpl

ALL = ("ministry", "province", "city", "county", "school")

CORE_MENU = (
    # 教师信息管理
    MenuEntry("teachers", "teachers", "/forms/teachers", "教师信息", "Teacher files", permission="teacher.read",
              order=10),
    MenuEntry("my_file", "teachers", "/forms/me", "填写我的信息", "Fill in my file", kinds=("teacher",), order=10),
    MenuEntry("recheck", "teachers", "/admin/recheck", "规则调整后需核实的记录", "Records to check after a rule change",
              permission="teacher.read", levels=("province", "city", "county", "school"), order=20),
    MenuEntry("impact", "teachers", "/admin/impact/", "影响评估", "Impact of a rule change", permission="teacher.read",
              levels=("province",), order=30),
    # 审核
    MenuEntry("review_submit", "review", "/review/school", "教师信息报送", "Submit files", action="review.submit_page",
              levels=("school",), order=10),
    MenuEntry("review_queue", "review", "/review/queue", "信息审核", "Review queue", action="review.queue", order=20),
    MenuEntry("review_progress", "review", "/review/progress", "上报进展", "Progress", action="review.progress",
              order=30),
    # 数据导入导出
    MenuEntry("excel_import", "excel", "/excel/import", "数据导入", "Import from Excel", action="excel.import",
              order=10),
    MenuEntry("excel_export", "excel", "/forms/teachers#export-selected", "数据导出", "Export to Excel",
              action="excel.export", order=20),
    # 系统管理 (the keys are the ids the admin pages and their tests use: #menu-<key>)
    MenuEntry("accounts", "system", "/admin/accounts", "用户权限管理", "Users and roles", permission="account.manage",
              order=10),
    MenuEntry("teacher_accounts", "system", "/admin/teacher-accounts", "教师用户管理", "Teacher accounts",
              permission="grant.teacher", levels=("school",), order=20),
    MenuEntry("units", "system", "/admin/units", "单位管理", "Units", permission="unit.manage", levels=AUTHORITIES,
              order=30),
    MenuEntry("audit", "system", "/admin/audit", "安全审计", "Audit log", permission="audit.read", order=40),
)


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return list(CORE_MENU)
