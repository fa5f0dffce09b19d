"""培训学分与学分银行 (issue 17): training projects, results, hour→credit conversion rules as data,
and an append-only credit ledger per teacher (``modules.credits.ledger``)."""
