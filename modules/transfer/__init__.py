"""教师调动 (transfer, issue 15 §3): the receiving school starts, its authority, the sending
school and the sending authority approve (modules/transfer/workflows.yaml; 江西 adds its level-by-level
re-review), completion is web.people.moves.transfer in the same transaction.

Between provinces (issue 19, interprovince.py): 外省调入 on the same page sends a request through the
national tier; the releasing province decides in a 外省调出 case (/cases/transfers-out, workflow
transfer_out); the answer comes back the same way (docs/two-level.md).

It reaches the app through its plugin (plugin.py): the API /api/v1/transfers and the pages /cases/transfers."""

