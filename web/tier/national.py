"""The national side: set-up, subscriptions, the province units in the national unit tree, lag.

``init_national`` names the database the national tier, creates the ministry (部级) unit and the
trigger that keeps ``units``/``unit_closure`` equal to the replicated ``tier_units`` (so the
national unit tree is the ministry with every province's tree below it, as replicated), and the
national accounts. ``subscribe`` creates, per province, the subscription to its publication and the
publication of that province's formal identifiers (a row filter: a province receives its own
identifiers only). ``subscribe_identifiers`` is the province's half of the way back.

Subscriptions are created with ``CREATE SUBSCRIPTION`` outside a transaction (PostgreSQL requires
it when it creates the replication slot on the publisher).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


from web.db.models import Account, Grant, Unit, UnitClosure
from web.tier.models import TierConfig
from web.tier.province import PUBLICATION, config

MINISTRY = ("00", "中华人民共和国教育部")
NATIONAL_ROLES = (("ministry-admin", "system_admin", "部级系统管理员"),
                  ("ministry-reviewer", "info_reviewer", "部级信息审核员"),
                  ("ministry-viewer", "info_viewer", "部级信息查询员"))
PROVINCE_CODE = re.compile(r"^[1-9][0-9]$")

# Replicated tier_units rows become units of the national tree (ENABLE ALWAYS: the trigger fires for
# rows the subscription applies, and for the initial copy). Never raises: a row that cannot become a
# unit (a code another province already uses) is reported as a warning and still replicates.
UNITS_TRIGGER = """
CREATE OR REPLACE FUNCTION tier_units_to_units() RETURNS trigger LANGUAGE plpgsql
SET search_path = public AS $$
DECLARE uid int; pid int; ministry int;
BEGIN
  IF TG_OP = 'DELETE' THEN
    BEGIN
      DELETE FROM units WHERE code = OLD.code AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = units.id);
    EXCEPTION WHEN others THEN RAISE WARNING 'tier: unit % kept: %', OLD.code, SQLERRM;
    END;
    RETURN NULL;
  END IF;
  BEGIN
    SELECT id INTO ministry FROM units WHERE level = 'ministry' ORDER BY id LIMIT 1;
    IF NEW.parent_code IS NULL THEN pid := ministry;
    ELSE SELECT id INTO pid FROM units WHERE code = NEW.parent_code; END IF;
    INSERT INTO units (code, name, level, school_type, urban_rural, parent_id, teacher_login_enabled, created_at, updated_at)
    VALUES (NEW.code, NEW.name, NEW.level, NEW.school_type, NEW.urban_rural, pid, false, now(), now())
    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, level = EXCLUDED.level, school_type = EXCLUDED.school_type,
      urban_rural = EXCLUDED.urban_rural, parent_id = EXCLUDED.parent_id, updated_at = now()
    RETURNING id INTO uid;
    -- children that arrived before their parent (the initial copy has no order) join it now
    UPDATE units u SET parent_id = uid FROM tier_units t
     WHERE t.province = NEW.province AND t.parent_code = NEW.code AND u.code = t.code AND u.parent_id IS DISTINCT FROM uid;
    -- the closure of the unit's subtree, again
    WITH RECURSIVE sub(id) AS (SELECT uid UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)
    DELETE FROM unit_closure WHERE descendant_id IN (SELECT id FROM sub);
    INSERT INTO unit_closure (ancestor_id, descendant_id, depth)
    WITH RECURSIVE sub(id) AS (SELECT uid UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id),
      anc(d, a, depth) AS (SELECT id, id, 0 FROM sub
                           UNION ALL SELECT anc.d, u.parent_id, anc.depth + 1 FROM anc JOIN units u ON u.id = anc.a
                           WHERE u.parent_id IS NOT NULL)
    SELECT a, d, depth FROM anc;
  EXCEPTION WHEN others THEN RAISE WARNING 'tier: unit % of province % not in the national tree: %', NEW.code, NEW.province, SQLERRM;
  END;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS tier_units_to_units ON tier_units;
CREATE TRIGGER tier_units_to_units AFTER INSERT OR UPDATE OR DELETE ON tier_units
  FOR EACH ROW EXECUTE FUNCTION tier_units_to_units();
ALTER TABLE tier_units ENABLE ALWAYS TRIGGER tier_units_to_units;
"""


class TierError(RuntimeError):
    """A set-up step that cannot be done; the message says why and what to do (zh / en)."""


def _pg(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        raise TierError("两级建设须使用 PostgreSQL（逻辑复制）/ the two tiers need PostgreSQL (logical replication)")


def init_national(db: Session, *, password_hash: str | None = None, must_change: bool = True) -> dict[str, Any]:
    """Name this database the national tier; the ministry unit, the units trigger, national accounts."""
    _pg(db)
    row = config(db)
    if row is not None and row.tier == "province" and row.published_at:
        raise TierError(f"该数据库是已发布的省级库（{row.province}），不能再作为全国库 / this database publishes "
                        f"province {row.province}; the national tier needs a database of its own")
    if row is None:
        row = TierConfig(tier="national")
        db.add(row)
    row.tier, row.province = "national", None
    ministry = db.scalar(select(Unit).where(Unit.level == "ministry"))
    if ministry is None:
        ministry = Unit(code=MINISTRY[0], name=MINISTRY[1], level="ministry", parent_id=None, teacher_login_enabled=False)
        db.add(ministry)
        db.flush()
        db.add(UnitClosure(ancestor_id=ministry.id, descendant_id=ministry.id, depth=0))
    db.execute(text("DROP TRIGGER IF EXISTS tier_units_from_units ON units"))  # the province's trigger: not here
    db.execute(text(UNITS_TRIGGER))
    made = []
    if password_hash:
        for username, role, real_name in NATIONAL_ROLES:
            if db.scalar(select(Account.id).where(Account.username == username)) is None:
                acc = Account(username=username, real_name=real_name, unit_id=ministry.id, kind="staff",
                              password_hash=password_hash, must_change_password=must_change, failed_attempts=0,
                              enabled=True)
                db.add(acc)
                db.flush()
                db.add(Grant(account_id=acc.id, unit_id=ministry.id, role_key=role))
                made.append(username)
    db.flush()
    return {"ministry": ministry.code, "accounts": made}


def tier_of(db: Session) -> str:
    row = config(db)
    return row.tier if row is not None else "province"


def subscription_name(province: str) -> str:
    return f"tmis_from_{province}"


def identifiers_publication(province: str) -> str:
    return f"tmis_ids_{province}"


def xfer_publication(province: str) -> str:
    """The national tier's relay to one province: the transfer requests for it and the decisions
    on its own requests (row filters; inserts only: the messages are never updated)."""
    return f"tmis_xfer_to_{province}"


def _publish_xfer(db: Session, province: str) -> None:
    from web.tier.province import ensure_publication, xfer_tables_exist

    if xfer_tables_exist(db):
        ensure_publication(db, xfer_publication(province), {
            "tier_xfer_requests": f"target_province = '{province}'",
            "tier_xfer_decisions": f"request_province = '{province}'",
            "tier_xfer_withdrawals": f"target_province = '{province}'"}, " WITH (publish = 'insert')")


def _has_publication(conninfo: str, name: str) -> bool:
    """Whether the publisher at ``conninfo`` has publication ``name`` (a province set up before
    transfers between provinces existed has not: its subscription then omits it)."""
    import psycopg

    try:
        with psycopg.connect(conninfo, connect_timeout=5, autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (name,)).fetchone() is not None
    except Exception:
        return False


def _autocommit(db: Session) -> Engine:
    return create_engine(db.get_bind().url, isolation_level="AUTOCOMMIT")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _create_subscription(conn: Any, sql: str) -> None:
    from sqlalchemy.exc import DBAPIError

    try:
        conn.execute(text(sql))
    except DBAPIError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise TierError(f"无法创建订阅：{first}。请检查 --conninfo（主机、端口、数据库、用户）、对方是否已运行 tmis tier publish "
                        f"（或 subscribe --province）、对方 wal_level=logical / cannot create the subscription: {first}. "
                        f"Check --conninfo (host, port, database, user), that the other side has run tmis tier publish "
                        f"(or subscribe --province) and runs with wal_level=logical") from None


def subscribe(db: Session, province: str, conninfo: str) -> str:
    """On the national database: subscribe to ``province``'s publication; publish its identifiers."""
    _pg(db)
    if not PROVINCE_CODE.match(province or ""):
        raise TierError(f"省份代码应为两位数字（如 36），而不是「{province}」/ a province code is two digits (e.g. 36), "
                        f"not '{province}'")
    if tier_of(db) != "national":
        raise TierError("请先在全国库运行 tmis tier init-national / run tmis tier init-national on the national "
                        "database first")
    pub = identifiers_publication(province)
    if not db.scalar(text("SELECT 1 FROM pg_publication WHERE pubname = :n"), {"n": pub}):
        db.execute(text(f"CREATE PUBLICATION {pub} FOR TABLE tier_identifiers WHERE (province = '{province}')"))
    _publish_xfer(db, province)
    db.commit()
    from web.tier.province import XFER_PUBLICATION

    pubs = [PUBLICATION] + ([XFER_PUBLICATION] if _has_publication(conninfo, XFER_PUBLICATION) else [])
    return _ensure_subscription(db, subscription_name(province), conninfo, pubs, " WITH (copy_data = true)")


def _ensure_subscription(db: Session, name: str, conninfo: str, pubs: list[str], options: str = "") -> str:
    """Create the subscription; when it exists, add the publications it lacks (a province set up
    before transfers between provinces: ADD PUBLICATION, which copies their rows and follows them)."""
    engine = _autocommit(db)
    try:
        with engine.connect() as conn:
            have = conn.scalar(text("SELECT subpublications FROM pg_subscription WHERE subname = :n"), {"n": name})
            if have is not None:
                missing = [p for p in pubs if p not in have]
                if not missing:  # the publications may have gained tables (tmis tier publish again): follow them
                    _create_subscription(conn, f"ALTER SUBSCRIPTION {name} REFRESH PUBLICATION")
                    return f"{name}: 已存在 / exists"
                _create_subscription(conn, f"ALTER SUBSCRIPTION {name} ADD PUBLICATION {', '.join(missing)}")
                return f"{name}: 已加入 / added {', '.join(missing)}"
            _create_subscription(conn, f"CREATE SUBSCRIPTION {name} CONNECTION {_literal(conninfo)} "
                                       f"PUBLICATION {', '.join(pubs)}{options}")
    finally:
        engine.dispose()
    return name


def subscribe_identifiers(db: Session, conninfo: str) -> str:
    """On a province database: subscribe to the national tier's publication of its identifiers."""
    from web.tier.province import publishing_province

    _pg(db)
    province = publishing_province(db)
    if province is None:
        raise TierError("请先运行 tmis tier publish / run tmis tier publish first")
    name = f"tmis_identifiers_{province}"  # the slot on the national server is named after it: one per province
    pubs = [identifiers_publication(province)]
    if _has_publication(conninfo, xfer_publication(province)):  # and the transfers relayed to it
        pubs.append(xfer_publication(province))
    return _ensure_subscription(db, name, conninfo, pubs)


def drop_subscriptions(db: Session) -> list[str]:
    """Drop this database's tmis subscriptions (their slots on the publishers too, when reachable)."""
    engine = _autocommit(db)
    dropped = []
    try:
        with engine.connect() as conn:
            for (name,) in conn.execute(text("SELECT subname FROM pg_subscription WHERE subname LIKE 'tmis%'")):
                try:
                    conn.execute(text(f"DROP SUBSCRIPTION {name}"))
                except Exception:  # publisher unreachable: detach the slot, then drop
                    conn.execute(text(f"ALTER SUBSCRIPTION {name} DISABLE"))
                    conn.execute(text(f"ALTER SUBSCRIPTION {name} SET (slot_name = NONE)"))
                    conn.execute(text(f"DROP SUBSCRIPTION {name}"))
                dropped.append(name)
    finally:
        engine.dispose()
    return dropped


