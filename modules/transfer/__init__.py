"""教师调动 (transfer, issue 15 §3): the receiving school starts, its authority, the sending
school and the sending authority approve (modules/transfer/workflows.yaml; 江西 adds its level-by-level
re-review), completion is web.people.moves.transfer in the same transaction.

It reaches the app through its plugin (plugin.py): the API /api/v1/transfers and the pages /cases/transfers."""

