"""``tmis demo``: the demo province 江西 (36) on an empty database.

2 cities, 4 counties, 12 schools of six school types (among them ``3601020001``, a 小学 in
南昌市东湖区), about 600 synthetic teachers (faker zh_CN, valid ID numbers) with records in every
set, accounts for every role on the chain province → 南昌市 → 东湖区 → 3601020001, a system
administrator at every unit, and a teacher account for every teacher (username = ID number).
Every demo password is the one given (default ``Demo@2024``); only one teacher has to change it
at first sign-in (``FIRST_LOGIN``, named in the README's demo accounts), so a trainer can show that
step.

Records come from ``fill_records`` (the hook): it walks the province's compiled catalogue and
makes plausible values per field (web/demo_values.py says what a value looks like, field by
field), then runs the catalogue's own validator and repairs or drops what it rejects, so the demo
data passes the same rules as real data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import func, insert, select

from engine import idnumber
from web import audit
from web import demo_values as values
from web.context import AppContext
from web.db.base import utcnow
from web.db.models import Account, Grant, Record, Teacher, Unit
from web.services import units as unit_service
from web.settings import Settings


class DemoError(RuntimeError):
    pass


PROVINCE = ("36", "江西省")
CITIES = [("3601", "南昌市"), ("3604", "九江市")]
COUNTIES = [("360102", "东湖区", "3601"), ("360111", "青山湖区", "3601"),
            ("360402", "濂溪区", "3604"), ("360403", "浔阳区", "3604")]
# code, name, county, school type, urban/rural (1 城区, 2 镇区, 3 乡村)
SCHOOLS = [
    ("3601020001", "南昌市东湖区第一小学", "360102", "primary", "1"),
    ("3601020002", "南昌市东湖区育新学校", "360102", "nine_year", "1"),
    ("3601020003", "南昌市东湖区实验幼儿园", "360102", "kindergarten", "1"),
    ("3601110001", "南昌市青山湖区第二中学", "360111", "junior", "1"),
    ("3601110002", "南昌市青山湖区高级中学", "360111", "senior", "2"),
    ("3601110003", "南昌市青山湖区特殊教育学校", "360111", "special", "1"),
    ("3604020001", "九江市濂溪区中心小学", "360402", "primary", "3"),
    ("3604020002", "九江市濂溪区职业中学", "360402", "vocational", "2"),
    ("3604020003", "九江市濂溪区乡村幼儿园", "360402", "kindergarten", "3"),
    ("3604030001", "九江市浔阳区完全中学", "360403", "complete_secondary", "1"),
    ("3604030002", "九江市浔阳区第三小学", "360403", "primary", "1"),
    ("3604030003", "九江市浔阳区初级中学", "360403", "junior", "2"),
]
# (username, role, unit code, real name) — the chain of issue 3, plus every other role
CHAIN_ACCOUNTS = [
    ("province-admin", "system_admin", "36", "省级管理员"),
    ("province-manager", "info_manager", "36", "省级信息管理员"),
    ("province-reviewer", "info_reviewer", "36", "省级审核员"),
    ("province-viewer", "info_viewer", "36", "省级查询员"),
    ("city-admin", "system_admin", "3601", "市级管理员"),
    ("city-reviewer", "info_reviewer", "3601", "市级审核员"),
    ("city-viewer", "info_viewer", "3601", "市级查询员"),
    ("county-admin", "system_admin", "360102", "区级管理员"),
    ("county-reviewer", "info_reviewer", "360102", "区级审核员"),
    ("county-manager", "info_manager", "360102", "区级信息管理员"),
    ("county-viewer", "info_viewer", "360102", "区级查询员"),
    ("school-admin", "system_admin", "3601020001", "学校系统管理员"),
    ("school-manager", "info_manager", "3601020001", "学校信息管理员"),
    ("school-entry", "info_entry", "3601020001", "学校信息录入员"),
    ("school-reviewer", "info_reviewer", "3601020001", "学校信息审核员"),
    ("school-viewer", "info_viewer", "3601020001", "学校信息查询员"),
]

# 甘肃 (62), for the national tier's demo (docs/two-level.md): one province → city → county →
# school chain like 江西's, its own codes; the same account names at its own units.
GANSU_PROVINCE = ("62", "甘肃省")
GANSU_CITIES = [("6201", "兰州市"), ("6205", "天水市")]
GANSU_COUNTIES = [("620102", "城关区", "6201"), ("620103", "七里河区", "6201"), ("620502", "秦州区", "6205")]
GANSU_SCHOOLS = [
    ("6201020001", "兰州市城关区第一小学", "620102", "primary", "1"),
    ("6201020002", "兰州市城关区实验幼儿园", "620102", "kindergarten", "1"),
    ("6201030001", "兰州市七里河区第二中学", "620103", "junior", "1"),
    ("6205020001", "天水市秦州区乡村小学", "620502", "primary", "3"),
    ("6205020002", "天水市秦州区高级中学", "620502", "senior", "2"),
]
_GANSU_CHAIN = {"36": "62", "3601": "6201", "360102": "620102", "3601020001": "6201020001"}


@dataclass(frozen=True)
class Geography:
    province: tuple[str, str]
    cities: list[tuple[str, str]]
    counties: list[tuple[str, str, str]]
    schools: list[tuple[str, str, str, str, str]]
    chain: list[tuple[str, str, str, str]]
    seed: int


GEOGRAPHIES = {
    "36": Geography(PROVINCE, CITIES, COUNTIES, SCHOOLS, CHAIN_ACCOUNTS, 36),
    "62": Geography(GANSU_PROVINCE, GANSU_CITIES, GANSU_COUNTIES, GANSU_SCHOOLS,
                    [(u, r, _GANSU_CHAIN[c], n) for u, r, c, n in CHAIN_ACCOUNTS], 62),
}


@dataclass
class Person:
    name: str
    gender: str
    birth: date
    id_number: str
    school_type: str | None = None   # what the values depend on (教师资格, 专业技术职务)
    rural: bool = False              # a 乡村 school (乡村教师生活补助)


# The demo teacher who must change the password at first sign-in (README, demo accounts): a
# fixed person at 3601020001, so the README can name her.
FIRST_LOGIN = Person("林晓燕", "2", date(1990, 5, 20), idnumber.make("360102", "1990-05-20", 152), "primary")
FIRST_LOGIN_SCHOOL = "3601020001"


def _people(n: int, rng: random.Random, fake: Any, regions: list[str]) -> list[Person]:
    out: list[Person] = []
    used: set[str] = {FIRST_LOGIN.id_number}
    while len(out) < n:
        male = rng.random() < 0.35  # most school teachers are women
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        idn = idnumber.make(rng.choice(regions), birth, seq)
        if idn in used:
            continue
        used.add(idn)
        name = fake.name_male() if male else fake.name_female()
        out.append(Person(name, "1" if male else "2", birth, idn))
    return out


# ------------------------------------------------------------------ the records hook


def _text(set_key: str, spec: Any, draw: values.Draw) -> str | None:
    value = values.text(set_key, spec.key, draw, required=spec.required is True)
    if value is not None and spec.max_length:
        value = value[: spec.max_length]
    return value


def _value(set_key: str, ft: Any, draw: values.Draw, record: dict[str, Any], cursor: list[date]) -> Any:
    """A plausible value for one field. ``cursor`` moves forward so dates in a record ascend."""
    s = ft.spec
    t = s.type
    rng = draw.rng
    if t in ("derived", "photo", "attachment") or s.readonly:
        return None
    if t == "text":
        return _text(set_key, s, draw)
    if t == "integer":  # counts and hours: at least 1 (a 0 reads as a placeholder)
        lo, hi = max(int(s.min if s.min is not None else 1), 1), int(s.max if s.max is not None else 40)
        return rng.randint(lo, max(lo, min(hi, lo + 40)))
    if t == "decimal":
        lo, hi = max(s.min if s.min is not None else 1000.0, 1.0), (s.max if s.max is not None else 9000.0)
        return round(rng.uniform(lo, min(hi, lo + 8000)), s.places if s.places is not None else 2)
    if t in ("date", "year_month", "year"):
        step = timedelta(days=rng.randrange(30, 3 * 365))
        cursor[0] = min(cursor[0] + step, date.today() - timedelta(days=31))
        d = cursor[0]
        return d.isoformat() if t == "date" else (f"{d.year:04d}-{d.month:02d}" if t == "year_month" else d.year)
    if t == "boolean":
        return rng.random() < 0.3
    if t in ("code", "codes") and ft.codes is not None:
        parent = record.get(s.cascade.field) if s.cascade else None
        options = ft.codes.options(parent, s.cascade.by if s.cascade else None)
        options = [o for o in options if o not in (s.exclusive or [])] or options
        if not options:
            return None
        chosen = values.code(set_key, s.key, options, ft.codes.label, draw)
        if chosen is not None:
            return chosen if t == "code" else [chosen]
        return rng.choice(options) if t == "code" else [rng.choice(options)]
    return None


def _make_record(cat: Any, set_key: str, family: str, person: Person, rng: random.Random, fake: Any,
                 start: date, file: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any] | None:
    validator = cat.validator(set_key, family)
    view = cat.view(set_key, family)
    draw = values.Draw(rng, fake, person.birth, person.school_type, person.rural)
    none = view.spec.none
    for _attempt in range(4):
        record: dict[str, Any] = dict(validator.defaults(file=file))
        if none is not None and record.get(none.field) == none.code:
            del record[none.field]  # a real record here (无 records are made apart): choose its type
        cursor = [start]
        for ft in view.fields:
            if ft.key in record and record[ft.key] not in (None, "", []):
                continue
            value = _value(set_key, ft, draw, record, cursor)
            if none is not None and ft.key == none.field and value == none.code:
                value = _value(set_key, ft, draw, record, cursor)  # once more: not 无
            if value is not None:
                record[ft.key] = value
        fill_set = values.SET_VALUES.get(set_key)
        if fill_set is not None:
            fill_set(record, draw)
        if none is not None and record.get(none.field) == none.code:
            record[none.field] = None  # still 无: the check below fails and the next attempt draws again
        record = validator.clean(record, records=records, file=file)
        problems = [v for v in validator.validate(record, records=records + [record], file=file) if v.severity == "error"]
        for v in problems:  # an optional field a rule rejects: leave it empty
            f = view.field(v.field) if v.field else None
            if f is not None and f.spec.required is not True:
                record[v.field] = None
        record = {k: v for k, v in record.items() if v is not None}
        problems = [v for v in validator.validate(record, records=records + [record], file=file) if v.severity == "error"]
        if not problems:
            return record
    return None


def fill_records(cat: Any, family: str, person: Person, rng: random.Random, fake: Any) -> dict[str, list[dict[str, Any]]]:
    """THE HOOK: records of every set for one synthetic teacher, valid under the catalogue.

    Returns {set key: [record, …]} in catalogue order. 基本信息 takes the person's four items;
    repeating sets get one or two records, or a 无 record where the set has the 无 convention.
    Records the generator cannot make valid are left out (the completeness check will show them).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    adult = date(person.birth.year + 18, 9, 1)
    file: dict[str, Any] = {}
    for set_key in cat.set_keys(family):
        spec = cat.sets[set_key]
        if set_key == "basic":
            base = {"name": person.name, "gender": person.gender, "id_type": "1", "id_number": person.id_number,
                    "birth_date": person.birth.isoformat(), "nationality": "156"}
            rec = _make_basic(cat, family, person, rng, fake, base, file)
            out[set_key] = [rec]
            file[set_key] = rec
            continue
        records: list[dict[str, Any]] = []
        if spec.none is not None and set_key not in values.ALWAYS_FILLED and rng.random() < 0.35:
            records.append({spec.none.field: spec.none.code})
        else:
            for i in range(1 if spec.cardinality == "one" or set_key in values.ONE_RECORD else rng.choice([1, 1, 2])):
                start = adult + timedelta(days=365 * 4 * i)
                rec = _make_record(cat, set_key, family, person, rng, fake, start, file, records)
                if rec is not None:
                    records.append(rec)
            if not records and spec.none is not None:
                records.append({spec.none.field: spec.none.code})  # 无, rather than a hole
        if records:
            out[set_key] = records
            file[set_key] = records[0] if spec.cardinality == "one" else records
    return out


def _on_file_since(filled: dict[str, list[dict[str, Any]]]) -> datetime:
    """When a demo teacher's file (and so the appointment at the school, web.people.history.file_start)
    began: the month the teacher joined the school (进本校年月), else the month work started, at
    noon UTC on its first day; years back, as for a real school's teachers, so a backdated
    retirement or leave can be recorded. Without either, now."""
    basic = (filled.get("basic") or [{}])[0]
    for key in ("entry_month", "work_start_month"):
        text = str(basic.get(key) or "")
        try:
            return datetime(int(text[:4]), int(text[5:7]), 1, 12, tzinfo=timezone.utc)
        except ValueError:
            continue
    return utcnow()


def _make_basic(cat: Any, family: str, person: Person, rng: random.Random, fake: Any,
                base: dict[str, Any], file: dict[str, Any]) -> dict[str, Any]:
    validator = cat.validator("basic", family)
    view = cat.view("basic", family)
    record = {**validator.defaults(file=file), **base}
    work = date(person.birth.year + rng.randint(21, 24), 9, 1)
    cursor = [work]
    draw = values.Draw(rng, fake, person.birth, person.school_type, person.rural)
    for ft in view.fields:
        if ft.key in record:
            continue
        if ft.key == "work_start_month":
            record[ft.key] = f"{work.year:04d}-09"
            continue
        value = _value("basic", ft, draw, record, cursor)
        if value is not None:
            record[ft.key] = value
    record = validator.clean(record, file=file)
    for v in validator.validate(record, file=file):
        if v.severity == "error" and v.field and v.field not in base:
            record[v.field] = None
    return {k: v for k, v in record.items() if v is not None}


# ------------------------------------------------------------------ the province


def approve_files(db: Any, cat: Any, teachers: list[Teacher]) -> None:
    """Files the demo shows as having passed review (审核通过): the file and its records approved,
    an approved first-submission case along the province's route, and the teacher number the
    province gives on approval, as the review's last level leaves them (web/review/service.py)."""
    from sqlalchemy import update

    from web.review.models import APPROVED, ReviewCase
    from web.review.service import resolve_route
    from web.services.teachers import assign_teacher_number

    now = utcnow()
    routes: dict[int, tuple[list[str], list[int | None]]] = {}
    for t in teachers:
        if t.unit_id not in routes:
            routes[t.unit_id] = resolve_route(db, cat, "first_submission", t.unit_id)
        levels, units = routes[t.unit_id]
        db.add(ReviewCase(teacher_id=t.id, unit_id=t.unit_id, kind="first_submission", status=APPROVED,
                          levels=levels, units=units, step=len(levels), submitted_at=now, decided_at=now,
                          record_ids=[], snapshot={}))
        t.state = APPROVED
        if cat.teacher_number is not None:
            assign_teacher_number(db, t, cat.teacher_number.format)
    ids = [t.id for t in teachers]
    for start in range(0, len(ids), 1000):
        db.execute(update(Record).where(Record.teacher_id.in_(ids[start:start + 1000]), Record.copy_of_id.is_(None))
                   .values(state=APPROVED).execution_options(synchronize_session=False))
    db.flush()


def is_empty(settings: Settings) -> bool:
    """Whether the database holds no unit yet (the demo is built only on an empty database)."""
    ctx = AppContext.build(settings)
    try:
        with ctx.sessions() as db:
            return not db.scalar(select(func.count()).select_from(Unit))
    finally:
        ctx.engine.dispose()


def build_demo(settings: Settings, *, password: str = "Demo@2024", teachers: int = 600, seed: int | None = None,
               progress: Callable[[str], None] = lambda _: None) -> str:
    from faker import Faker

    # Demo accounts are made here directly, not through the password policy: the README's
    # Demo@2024 is a known password, which the policy refuses as a new one (first-login change).
    if not password or password != password.strip():
        raise DemoError("演示密码不能为空或以空格开头、结尾 / the demo password must not be empty or begin or end with a space")
    geo = GEOGRAPHIES.get(settings.province)
    if geo is None:
        raise DemoError(f"没有省份 {settings.province} 的演示数据（有：{'、'.join(GEOGRAPHIES)}）/ no demo for province "
                        f"{settings.province} (there are: {', '.join(GEOGRAPHIES)})")
    seed = geo.seed if seed is None else seed
    ctx = AppContext.build(settings)
    cat = ctx.catalogue
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    with ctx.sessions() as db:
        if db.scalar(select(func.count()).select_from(Unit)):
            raise DemoError("数据库不是空的：演示数据只建在空数据库上 / the database is not empty: the demo needs an empty database")
        progress("单位 / units …")
        province = unit_service.create_unit_raw(db, code=geo.province[0], name=geo.province[1], level="province",
                                                parent=None)
        units = {province.code: province}
        for code, name in geo.cities:
            units[code] = unit_service.create_unit_raw(db, code=code, name=name, level="city", parent=province)
        for code, name, city in geo.counties:
            units[code] = unit_service.create_unit_raw(db, code=code, name=name, level="county", parent=units[city])
        for code, name, county, st, ur in geo.schools:
            units[code] = unit_service.create_unit_raw(db, code=code, name=name, level="school", parent=units[county],
                                                       school_type=st, urban_rural=ur)
        # one hash for every demo account: they share the demo password anyway, and hashing 600
        # passwords at production cost would take minutes
        pw_hash = ctx.hasher.hash(password)

        def account(username: str, real_name: str, unit: Unit, role: str, kind: str = "staff",
                    teacher_id: int | None = None, must_change: bool = False) -> None:
            acc = Account(username=username, real_name=real_name, unit_id=unit.id, kind=kind, teacher_id=teacher_id,
                          password_hash=pw_hash, must_change_password=must_change, failed_attempts=0, enabled=True)
            db.add(acc)
            db.flush()
            db.add(Grant(account_id=acc.id, unit_id=unit.id, role_key=role))

        progress("账号 / accounts …")
        chain = {(role, code) for _, role, code, _ in geo.chain}
        for username, role, code, real_name in geo.chain:
            account(username, real_name, units[code], role)
        for code, unit in units.items():
            if ("system_admin", code) not in chain:
                account(f"admin-{code}", f"{unit.name}系统管理员", unit, "system_admin")
            # every unit's 信息管理员 and 信息审核员 too (issue 15), to try work across units at once
            account(f"manager-{code}", f"{unit.name}信息管理员", unit, "info_manager")
            account(f"reviewer-{code}", f"{unit.name}信息审核员", unit, "info_reviewer")

        progress(f"教师 / {teachers} teachers …")
        first_login = FIRST_LOGIN_SCHOOL in units
        extra = ["360121", "360421", "361002"] if geo.province[0] == "36" else ["620121", "620503"]
        people = _people(teachers - (1 if first_login else 0), rng, fake, [c for c, _, _ in geo.counties] + extra)
        record_rows: list[dict[str, Any]] = []
        schools = [units[c] for c, *_ in geo.schools]
        placed = [(p, schools[i % len(schools)]) for i, p in enumerate(people)]
        if first_login:
            placed.append((FIRST_LOGIN, units[FIRST_LOGIN_SCHOOL]))
        rural = {code for code, *_, ur in geo.schools if ur == "3"}
        made: list[Teacher] = []
        for i, (person, school) in enumerate(placed):
            person = replace(person, school_type=school.school_type, rural=school.code in rural)
            family = cat.family_of(school.school_type)
            filled = fill_records(cat, family, person, rng, fake)
            t = Teacher(id_type="1", id_number=person.id_number, name=person.name, gender=person.gender,
                        birth_date=person.birth, unit_id=school.id, created_at=_on_file_since(filled))
            db.add(t)
            db.flush()
            made.append(t)
            account(person.id_number, person.name, school, "teacher", kind="teacher", teacher_id=t.id,
                    must_change=person.id_number == FIRST_LOGIN.id_number)
            for set_key, recs in filled.items():
                for pos, doc in enumerate(recs):
                    record_rows.append({"teacher_id": t.id, "set_key": set_key, "position": pos, "document": doc,
                                        "catalogue_version": cat.version, "version": 1, "state": "draft"})
            if (i + 1) % 100 == 0:
                progress(f"  {i + 1}/{teachers}")
        for start in range(0, len(record_rows), 2000):
            db.execute(insert(Record), record_rows[start:start + 2000])
        # most files have passed review, so statistics and change requests have approved data to
        # show; one teacher in five of every school (its first, sixth, …) is still 未报送
        approved = [t for k, t in enumerate(made) if (k // len(schools)) % 5 and t.id_number != FIRST_LOGIN.id_number]
        approve_files(db, cat, approved)
        audit.record(db, "demo.create", actor_name="cli",
                     detail={"units": len(units), "teachers": len(placed), "records": len(record_rows)})
        db.commit()
        cases: dict[str, int] = {}
        if geo.province[0] == "36":  # the cases name 江西's units
            progress("调动、交流轮岗、在职变动 / mobility cases …")
            from web.cases.demo import build as demo_cases

            cases = demo_cases(db, ctx, cat, pw_hash, skip_ids={FIRST_LOGIN.id_number})
            db.commit()
        module_lines: list[str] = []
        if geo.province[0] == "36":  # the modules' demos name 江西's units too
            progress("业务模块 / business modules …")
            from web.modules import Registry

            registry = Registry.build(settings.repo_root, settings.province)
            module_lines = [line for lines in registry.pm.hook.build_demo(ctx=ctx, db=db, cat=cat,
                                                                          password_hash=pw_hash)
                            for line in (lines or [])]
            db.commit()
    ctx.engine.dispose()
    lines = [f"演示数据已创建 / demo created: {len(units)} 单位 units, {len(placed)} 教师 teachers, "
             f"{len(record_rows)} 条记录 records.",
             f"密码 / password: {password}",
             "账号 / accounts: " + ", ".join(u for u, *_ in geo.chain),
             "各单位 / every unit: admin-<单位代码> 系统管理员, manager-<单位代码> 信息管理员, "
             "reviewer-<单位代码> 信息审核员; 教师 / teachers: 身份证件号",
             f"首次登录须修改密码的教师 / the teacher who must change the password at first sign-in: "
             f"{FIRST_LOGIN.id_number}（{FIRST_LOGIN.name}）",
             "业务 / cases: " + ", ".join(f"{k} {n}" for k, n in sorted(cases.items())), *module_lines]
    return "\n".join(lines)
