"""web.people tests reuse the review tests' fixtures (real database, the world, complete files)
and add an approved teacher (with its 江西 teacher number) and a frozen clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.review.conftest import *  # noqa: E402,F401,F403
from tests.review.conftest import add_teacher  # noqa: E402,F401

from web.review import service as review  # noqa: E402

JX_ROUTE = {"3601020001": ["3601020001", "360102", "3601", "36"],
            "3601020002": ["3601020002", "360102", "3601", "36"],
            "3601030001": ["3601030001", "360103", "3601", "36"],
            "3602020001": ["3602020001", "360202", "3602", "36"]}


def approve_file(db, cat, who, teacher_id: int, school: str) -> None:
    """Submit the file and approve it at every level of 江西's route (it gets its number)."""
    case = review.submit(db, cat, who(db, f"info_manager@{school}"), teacher_id)
    for unit in JX_ROUTE[school]:
        case = review.approve(db, cat, who(db, f"info_reviewer@{unit}"), case.id)


@pytest.fixture()
def approved_teacher(ctx, cats, who):
    """``approved_teacher("3601020001")`` → id of a committed teacher with an approved file."""
    def make(school: str = "3601020001") -> int:
        cat = cats["36"]
        with ctx.sessions() as db:
            tid = add_teacher(db, cat, school)
            approve_file(db, cat, who, tid, school)
            db.commit()
        return tid
    return make
