"""Reading figures: from the summary tables when they have been built (refresh.py), otherwise
directly from the approved records (service.Direct)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from modules.statistics import words as W
from web.errors import Refusal


def reader(db: Session, snapshot: Any = None) -> Any:
    from modules.statistics.service import Direct

    if snapshot not in (None, "", 0, "0"):
        from modules.statistics import snapshots  # a frozen snapshot's rows (S3); W481 for an unknown id

        return snapshots.reader(db, snapshot)
    return Direct()
