"""Units: the tree, its closure table, maintenance within scope, and spreadsheet import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from functools import lru_cache
from typing import Any, Iterable, Mapping

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from web import audit, scope
from web.db.models import UNIT_LEVELS, Unit, UnitClosure
from web.errors import (W_UNIT_BAD, W_UNIT_CODE_TAKEN, W_UNIT_IMPORT_ROW,
                        W_UNIT_NOT_FOUND, Refusal)
from web.permissions import denied
from web.principal import Principal

ABOVE = ("由上级单位维护", "maintained by the unit above")  # one's own unit is maintained from above

LEVEL_RANK = {level: i for i, level in enumerate(UNIT_LEVELS)}
LEVEL_WORDS = {  # what people type in a spreadsheet
    "ministry": "ministry", "部": "ministry", "国家": "ministry", "教育部": "ministry",
    "province": "province", "省": "province", "省级": "province",
    "city": "city", "市": "city", "地市": "city", "市级": "city",
    "county": "county", "县": "county", "区县": "county", "县级": "county", "区": "county",
    "school": "school", "学校": "school", "校": "school", "校级": "school",
}
URBAN_RURAL_WORDS = {"城区": "1", "镇区": "2", "乡村": "3", "1": "1", "2": "2", "3": "3"}


def school_type_words(repo_root: Path) -> dict[str, str]:
    """School type keys and their Chinese labels → key (from schemas/school_types.yaml)."""
    from engine.load import load_repo

    st = load_repo(repo_root).national.school_types
    out: dict[str, str] = {}
    for t in st.school_types if st else []:
        out[t.key] = t.key
        out[t.label.zh] = t.key
    # common short names
    out.update({k: v for k, v in {"小学": "primary", "初中": "junior", "高中": "senior",
                                    "中职": "vocational", "特教": "special"}.items() if v in out})
    return out


def lock_paths(db: Session, unit_ids: Iterable[int]) -> None:
    """Lock the rows of these units and all their ancestors, in id order (no deadlocks).

    Moving a unit and adding a unit below it both read a path of the closure and write rows
    that depend on it; whoever changes the tree first locks the paths it depends on, so two
    moves can never build a cycle and a new unit never keeps the links of a path just moved
    away (PostgreSQL; SQLite serialises writers anyway)."""
    ids = select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id.in_(list(unit_ids)))
    # FOR NO KEY UPDATE: lockers wait for each other, but not for foreign-key checks of rows
    # being inserted below these units (FOR KEY SHARE), which would deadlock with a plain FOR UPDATE
    db.execute(select(Unit.id).where(Unit.id.in_(ids)).order_by(Unit.id).with_for_update(key_share=True))


def add_closure(db: Session, unit: Unit) -> None:
    """Rows (ancestor, unit, depth) for the new unit: its parent's ancestors + itself."""
    db.flush()
    if unit.parent_id is not None and db.get_bind().dialect.name != "sqlite":
        lock_paths(db, [unit.parent_id])
    rows = [{"ancestor_id": unit.id, "descendant_id": unit.id, "depth": 0}]
    if unit.parent_id is not None:
        for anc, depth in db.execute(select(UnitClosure.ancestor_id, UnitClosure.depth)
                                     .where(UnitClosure.descendant_id == unit.parent_id)):
            rows.append({"ancestor_id": anc, "descendant_id": unit.id, "depth": depth + 1})
    db.execute(insert(UnitClosure), rows)


def rebuild_closure(db: Session) -> int:
    """Recompute the whole closure table from parent links (after bulk loads or a repair)."""
    db.execute(delete(UnitClosure))
    parents = dict(db.execute(select(Unit.id, Unit.parent_id)).all())
    rows: list[dict[str, int]] = []
    for uid in parents:
        node, depth = uid, 0
        while node is not None:
            rows.append({"ancestor_id": node, "descendant_id": uid, "depth": depth})
            node, depth = parents.get(node), depth + 1
    for i in range(0, len(rows), 5000):
        db.execute(insert(UnitClosure), rows[i:i + 5000])
    return len(rows)


def _check_child(parent: Unit | None, level: str) -> None:
    if level not in LEVEL_RANK:
        raise Refusal(W_UNIT_BAD, detail=f"level '{level}'")
    if parent is not None and LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
        raise Refusal(W_UNIT_BAD, detail=f"{level} 不能位于 {parent.level} 之下",
                      detail_en=f"{level} cannot sit below {parent.level}")


def by_code(db: Session, code: str) -> Unit | None:
    return db.scalar(select(Unit).where(Unit.code == code))


def create_unit_raw(db: Session, *, code: str, name: str, level: str, parent: Unit | None,
                    school_type: str | None = None, urban_rural: str | None = None) -> Unit:
    """No scope check: for the CLI, imports and the demo. The API goes through ``create``."""
    _check_child(parent, level)
    existing = by_code(db, code)
    if existing is not None:
        raise Refusal(W_UNIT_CODE_TAKEN, code=code, name=existing.name)
    unit = Unit(code=code, name=name, level=level, parent_id=parent.id if parent else None,
                school_type=school_type, urban_rural=urban_rural)
    db.add(unit)
    add_closure(db, unit)
    return unit


def check_values(values: Mapping[str, Any], school_types: Iterable[str] | None = None) -> None:
    """A unit's own fields against the catalogue (issue 14, finding 11b: a blank name and a
    school type "bogus<x>" were stored): the name is required, the school type is one of the
    catalogue's (schemas/school_types.yaml), 城乡 one of 1/2/3. Refused with W303 naming the field."""
    problems: list[tuple[str, str]] = []
    if "name" in values and not str(values["name"] or "").strip():
        problems.append(("「单位名称」必填", "Name is required"))
    st = values.get("school_type")
    known = set(school_types) if school_types is not None else set(school_type_words(_repo()).values())
    if st is not None and st not in known:
        problems.append(("「办学类型」的值不在办学类型代码表中（" + "、".join(sorted(known)) + "）",
                         "School type: the value is not in the list of school types (" + ", ".join(sorted(known)) + ")"))
    ur = values.get("urban_rural")
    if ur is not None and ur not in ("1", "2", "3"):
        problems.append(("「城乡分类」的值应为 1（城区）、2（镇区）或 3（乡村）",
                         "Urban or rural: the value must be 1 (urban), 2 (town) or 3 (rural)"))
    if problems:
        raise Refusal(W_UNIT_BAD, detail="；".join(p[0] for p in problems),
                      detail_en="; ".join(p[1] for p in problems))


@lru_cache(maxsize=1)
def _repo() -> Path:
    from engine.catalogue import repo_root

    return repo_root()


def create(db: Session, principal: Principal, *, code: str, name: str, level: str, parent_code: str,
           school_type: str | None = None, urban_rural: str | None = None,
           school_types: Iterable[str] | None = None) -> Unit:
    check_values({"name": name, "school_type": school_type, "urban_rural": urban_rural}, school_types)
    parent = scope.require_unit(db, principal, by_code(db, parent_code), "unit.manage")
    unit = create_unit_raw(db, code=code, name=name, level=level, parent=parent,
                           school_type=school_type, urban_rural=urban_rural)
    audit.record(db, "unit.create", actor=principal, target_type="unit", target_id=unit.code,
                 unit_id=unit.id, detail={"after": unit_dict(unit)})
    return unit


EDITABLE = ("name", "school_type", "urban_rural")


def update(db: Session, principal: Principal, code: str, changes: dict[str, Any], *,
           school_types: Iterable[str] | None = None) -> Unit:
    unit = scope.require_unit(db, principal, by_code(db, code), "unit.manage")
    check_values(changes, school_types)
    if unit.id in principal.roots("unit.manage"):
        # one's own unit is maintained from above (a school does not rename itself)
        raise denied(principal, "unit.manage", ABOVE)
    before = unit_dict(unit)
    for key, value in changes.items():
        if key not in EDITABLE:
            raise Refusal(W_UNIT_BAD, detail=f"「{key}」不可修改",
                          detail_en=f"'{key}' cannot be changed")
        setattr(unit, key, value)
    db.flush()
    audit.record(db, "unit.update", actor=principal, target_type="unit", target_id=unit.code,
                 unit_id=unit.id, detail={"before": before, "after": unit_dict(unit)})
    return unit


def get(db: Session, principal: Principal, code: str) -> Unit:
    return scope.require_unit(db, principal, by_code(db, code), "unit.read")


def listing(db: Session, principal: Principal, *, parent_code: str | None = None, level: str | None = None,
            q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Unit]]:
    scope.require(principal, "unit.read")
    stmt = scope.units(principal, "unit.read")
    if parent_code:
        parent = get(db, principal, parent_code)
        stmt = stmt.where(Unit.parent_id == parent.id)
    if level:
        stmt = stmt.where(Unit.level == level)
    if q:
        stmt = stmt.where(Unit.name.contains(q) | Unit.code.startswith(q))
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(db.scalars(stmt.order_by(Unit.code).limit(limit).offset(offset)))
    return total, rows


def path(db: Session, unit_id: int) -> list[Unit]:
    """Ancestors from the top down to the unit itself."""
    stmt = (select(Unit).join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
            .where(UnitClosure.descendant_id == unit_id).order_by(UnitClosure.depth.desc()))
    return list(db.scalars(stmt))


def path_text(db: Session, unit_id: int) -> str:
    return " / ".join(u.name for u in path(db, unit_id))


def move(db: Session, principal: Principal, code: str, new_parent_code: str) -> Unit:
    """Put a unit (with everything below it) under another parent within the mover's subtree.

    The closure rows of the moved subtree are rebuilt in the caller's transaction: links from
    the old ancestors are deleted, links from the new parent's ancestors inserted; links inside
    the subtree stay. Refused: one's own unit (maintained from above), a parent outside scope,
    a parent inside the unit's own subtree (a cycle), a parent at a level that cannot hold it.
    """
    unit = scope.require_unit(db, principal, by_code(db, code), "unit.manage")
    if unit.id in principal.roots("unit.manage"):
        raise denied(principal, "unit.manage", ABOVE)
    parent = scope.require_unit(db, principal, by_code(db, new_parent_code), "unit.manage")
    lock_paths(db, [unit.id, parent.id])
    db.refresh(unit)  # what a move committed while we waited for the locks
    inside = db.scalar(select(func.count()).select_from(UnitClosure).where(
        UnitClosure.ancestor_id == unit.id, UnitClosure.descendant_id == parent.id))
    if inside:
        raise Refusal(W_UNIT_BAD, detail="不能移到自身或其下级单位之下",
                      detail_en=f"cannot move '{unit.code}' below itself")
    _check_child(parent, unit.level)
    old_parent = unit.parent
    if unit.parent_id == parent.id:
        return unit  # already there: nothing to change, nothing to log
    subtree_ids = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit.id).scalar_subquery()
    db.execute(delete(UnitClosure).where(UnitClosure.descendant_id.in_(subtree_ids),
                                         UnitClosure.ancestor_id.not_in(subtree_ids))
               .execution_options(synchronize_session=False))
    above = db.execute(select(UnitClosure.ancestor_id, UnitClosure.depth)
                       .where(UnitClosure.descendant_id == parent.id)).all()
    below = db.execute(select(UnitClosure.descendant_id, UnitClosure.depth)
                       .where(UnitClosure.ancestor_id == unit.id)).all()
    rows = [{"ancestor_id": a, "descendant_id": d, "depth": da + dd + 1} for a, da in above for d, dd in below]
    for i in range(0, len(rows), 5000):
        db.execute(insert(UnitClosure), rows[i:i + 5000])
    unit.parent_id = parent.id
    db.flush()
    db.refresh(unit)
    audit.record(db, "unit.move", actor=principal, target_type="unit", target_id=unit.code, unit_id=unit.id,
                 detail={"before": {"parent_code": old_parent.code if old_parent else None},
                         "after": {"parent_code": parent.code}, "units_moved": len(below)})
    return unit


def set_teacher_login(db: Session, principal: Principal, code: str, enabled: bool) -> Unit:
    """A school switches its teachers' self-service logins off (window closed) or on."""
    unit = scope.require_unit(db, principal, by_code(db, code), "grant.teacher")
    if not principal.holds_at("grant.teacher", unit.id):
        raise denied(principal, "grant.teacher", ("本校", "own school"))
    unit.teacher_login_enabled = enabled
    audit.record(db, "unit.teacher_login", actor=principal, target_type="unit", target_id=unit.code,
                 unit_id=unit.id, detail={"enabled": enabled})
    return unit


def unit_dict(u: Unit) -> dict[str, Any]:
    return {"code": u.code, "name": u.name, "level": u.level, "school_type": u.school_type,
            "urban_rural": u.urban_rural, "parent_code": u.parent.code if u.parent else None,
            "teacher_login_enabled": u.teacher_login_enabled}


# ------------------------------------------------------------------ spreadsheet import

HEADERS = {
    "code": ("code", "代码", "单位代码", "学校代码", "标识码"),
    "name": ("name", "名称", "单位名称", "学校名称"),
    "level": ("level", "层级", "级别", "单位层级"),
    "parent_code": ("parent_code", "上级代码", "上级单位代码", "主管单位代码"),
    "school_type": ("school_type", "办学类型", "学校类型"),
    "urban_rural": ("urban_rural", "城乡类型", "城乡分类"),
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, zh, en)


def _rows_from_xlsx(path: Path) -> list[tuple[int, dict[str, str]]]:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    if not sheet:
        return []
    header = [str(h).strip() for h in sheet[0]]
    columns: dict[int, str] = {}
    for i, h in enumerate(header):
        for key, names in HEADERS.items():
            if h in names:
                columns[i] = key
    out = []
    for n, row in enumerate(sheet[1:], start=2):
        values = {columns[i]: _cell(v) for i, v in enumerate(row) if i in columns}
        if any(values.values()):
            out.append((n, values))
    return out


def _cell(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip() if v is not None else ""


def import_rows(db: Session, rows: Iterable[tuple[int, dict[str, str]]], repo_root: Path,
                actor: Principal | None = None) -> ImportResult:
    """Create or update units by code. Rows may come in any order; parents are resolved first.

    All or nothing: the caller commits only when ``problems`` is empty.
    """
    types = school_type_words(repo_root)
    result = ImportResult()
    pending = []
    for n, r in rows:
        level = LEVEL_WORDS.get(r.get("level", ""))
        st_word = r.get("school_type", "")
        st = types.get(st_word) if st_word else None
        ur_word = r.get("urban_rural", "")
        ur = URBAN_RURAL_WORDS.get(ur_word, ur_word) if ur_word else None
        if not r.get("code") or not r.get("name"):
            result.problems.append((n, "缺少代码或名称", "code or name is missing"))
        elif level is None:
            result.problems.append((n, f"层级「{r.get('level', '')}」无效（省/市/县/学校）",
                                    f"unknown level '{r.get('level', '')}' (province/city/county/school)"))
        elif st_word and st is None:
            result.problems.append((n, f"办学类型「{st_word}」无效", f"unknown school type '{st_word}'"))
        else:
            pending.append((n, r, level, st, ur))
    pending.sort(key=lambda p: LEVEL_RANK[p[2]])
    for n, r, level, st, ur in pending:
        existing = by_code(db, r["code"])
        parent = by_code(db, r["parent_code"]) if r.get("parent_code") else None
        if r.get("parent_code") and parent is None:
            result.problems.append((n, f"上级代码「{r['parent_code']}」不存在", f"parent code '{r['parent_code']}' does not exist"))
            continue
        if actor is not None and not scope.unit_in_scope(db, actor, (parent or existing).id if (parent or existing) else -1, "unit.manage"):
            result.problems.append((n, "上级单位不在您的管理范围内", "the parent unit is outside your scope"))
            continue
        try:
            if existing is not None:
                if existing.parent_id != (parent.id if parent else None) or existing.level != level:
                    result.problems.append((n, "已有单位的上级或层级不能通过导入修改",
                                            "an existing unit's parent or level cannot be changed by import"))
                    continue
                existing.name, existing.school_type, existing.urban_rural = r["name"], st, ur
                result.updated += 1
            else:
                create_unit_raw(db, code=r["code"], name=r["name"], level=level, parent=parent,
                                school_type=st, urban_rural=ur)
                result.created += 1
        except Refusal as ref:
            result.problems.append((n, ref.message("zh"), ref.message("en")))
    if not result.problems:
        audit.record(db, "unit.import", actor=actor, actor_name=None if actor else "cli",
                     detail={"created": result.created, "updated": result.updated})
    return result


def import_xlsx(db: Session, path: Path, repo_root: Path, actor: Principal | None = None) -> ImportResult:
    return import_rows(db, _rows_from_xlsx(path), repo_root, actor)


def upload_refusal(path: Path) -> tuple[str, str] | None:
    """Why an uploaded workbook is refused before it is read (web/excel/safety.py with the
    ``TMIS_IMPORT_*`` limits), in Chinese and English; None when it may be read. An old .xls
    (which calamine reads too) gets the size limit only."""
    from web.excel.limits import Limits
    from web.excel.problems import BadFile
    from web.excel.safety import MB, OLE_MAGIC, check_file, check_size

    limits = Limits.from_env()
    with path.open("rb") as fh:
        old_xls = fh.read(8).startswith(OLE_MAGIC)
    try:
        if old_xls:
            if path.stat().st_size > limits.max_file_mb * MB:
                return (f"文件超过 {limits.max_file_mb} MB", f"the file is over {limits.max_file_mb} MB")
            return None
        sizes = check_file(path, limits, "upload")
        if sizes:
            check_size(sizes[0].name, sizes[0].rows, sizes[0].columns, limits)
    except BadFile as exc:
        return "无法读取该文件：" + exc.problems[0].message_zh, "cannot read the file: " + exc.problems[0].message_en
    return None


def import_upload(db: Session, principal: Principal, content: bytes, repo_root: Path) -> ImportResult:
    """An uploaded spreadsheet, by an administrator: every row within the uploader's subtree,
    all or nothing (nothing is kept when any row has a problem)."""
    import tempfile

    scope.require(principal, "unit.manage")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        tmp.write(content)
        tmp.flush()
        refused = upload_refusal(Path(tmp.name))
        if refused is not None:  # the Excel import's limits and refusals (size, zip bomb, rows, columns)
            result = ImportResult()
            result.problems.append((1, *refused))
            return result
        try:
            rows = _rows_from_xlsx(Path(tmp.name))
        except Exception:  # not a spreadsheet calamine can read
            result = ImportResult()
            result.problems.append((1, "无法读取该文件，请上传 xlsx 或 xls 表格", "cannot read the file: upload an xlsx or xls workbook"))
            return result
    savepoint = db.begin_nested()
    result = import_rows(db, rows, repo_root, principal)
    if result.problems:
        savepoint.rollback()
    else:
        savepoint.commit()
    return result
