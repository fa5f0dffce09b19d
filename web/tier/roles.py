"""The national app's database role: it reads everything and writes only the national tier's own
tables. Province data (the replicated tier_* tables, and the unit tree the trigger builds from them)
is written by the subscriptions alone, which apply as the subscription's owner."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

# what the national app itself writes: sign-in, sessions, its accounts, the audit log, the queue and
# identifiers, and the national statistics summary it builds from the replicated files (natstats.py)
NATIONAL_WRITES = ("accounts", "grants", "web_sessions", "audit_log", "audit_head", "tier_duplicates",
                   "tier_identifiers", "login_attempts", "stat_facts", "stat_unit_counts", "stat_refreshes")
ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant(db: Session, role: str) -> None:
    if not ROLE.match(role):
        raise ValueError(f"角色名只能含小写字母、数字和下划线 / a role name is lower-case letters, digits, underscores: {role!r}")
    if not db.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}):
        db.execute(text(f"CREATE ROLE {role} LOGIN"))
    db.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
    db.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    db.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    db.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    have = set(db.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    for table in NATIONAL_WRITES:
        if table in have:
            db.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {table} TO {role}"))
