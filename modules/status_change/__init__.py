"""在职变动 (status changes, 教师〔2017〕2号 art. 22): 长期不在岗, 离职, 退休, 死亡, 返岗, one
teacher at a time or from an Excel sheet (``batch``). The effects are web.people.moves.set_status."""

