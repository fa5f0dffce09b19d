"""在职变动 (status changes, 教师〔2017〕2号 art. 22): 长期不在岗, 离职, 退休, 死亡, 返岗, one
teacher at a time or from an Excel sheet (``batch``). The effects are web.people.moves.set_status."""


def route_handlers() -> list:
    """/api/v1/status-changes (one change as a case; the Excel batch is ``batch``)."""
    from modules.status_change.api import StatusChangeController

    return [StatusChangeController]
