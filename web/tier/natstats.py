"""National statistics with the statistics module's tables (issue 19 with issue 16's module).

The national database holds no ``teachers`` or ``records`` of its own: it holds every province's
approved files as replicated (``tier_files``: the four items, the unit, ``left_on`` and the approved
records, set -> documents) and the provinces' unit trees under the ministry (``units`` /
``unit_closure``, built from ``tier_units``). ``rebuild`` turns those files into the statistics
module's live summary (``stat_facts`` one row per file on the roll, ``stat_unit_counts`` rolled up
through the national tree, ``stat_refreshes``) with the module's own definitions, dimension codes and
roll-up. Then the module's API and pages answer on the national tier exactly as in a province:
``GET /api/v1/statistics/{table}?unit=00`` (the whole country) or ``?unit=<a province's unit code>``.

Why facts built from the replicated files and not the provinces' ``stat_facts`` replicated: a
province's facts carry its own teacher and unit ids (they collide between provinces and mean
nothing in the national tree), depend on that province enabling the statistics module and on its
definitions (a province's own dimensions), and would be a second published data set to keep in step
with the files. The files are already replicated, approved, keyed by province; counting them
nationally with the national definitions gives one set of figures for the whole country.

Who is counted: each replicated file (an approved file) on the roll on the day (``left_on`` empty or
later), with its 基本信息 — as the module's facts.py in a province. The national summary is rebuilt
whole (``tmis tier stats``, e.g. from cron after ``tmis tier dedup``); it is not followed row by row.
The statistics module is the module's business: without it (a deployment that does not enable it)
``rebuild`` says so and does nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterator

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from web.db.base import utcnow
from web.db.models import Unit
from web.people import clock
from web.tier.models import TierFile

CHUNK = 2000
# the files on the roll on :day with only the sets and document keys the dimensions read (a file's
# records are a few KiB of JSON: decoding them whole in Python cost about a millisecond a file)
TRIMMED = """
SELECT f.province, f.teacher_key, f.unit_code, f.birth_date,
       (SELECT jsonb_object_agg(s.key, (
          SELECT coalesce(jsonb_agg((SELECT coalesce(jsonb_object_agg(k.key, k.value), '{}'::jsonb)
                                     FROM jsonb_each(d.value) k WHERE k.key = ANY(CAST(:keys AS text[])))), '[]'::jsonb)
          FROM jsonb_array_elements(s.value) d))
        FROM jsonb_each(f.records) s WHERE s.key = ANY(CAST(:sets AS text[])) AND jsonb_typeof(s.value) = 'array')
FROM tier_files f
WHERE f.left_on IS NULL OR f.left_on > :day
ORDER BY f.province, f.teacher_key"""


class NoStatisticsModule(RuntimeError):
    """The statistics module is not part of this deployment."""


def _module() -> Any:
    try:
        from modules.statistics import catalogue, facts, models, refresh
    except ImportError:  # the module's folder is not there
        raise NoStatisticsModule("E571 统计分析模块（modules/statistics）未安装，全国统计无法生成：请在全国库部署中启用该模块 / "
                                 "E571 the statistics module (modules/statistics) is not installed, so there are no "
                                 "national statistics tables: enable it in the national deployment") from None
    return catalogue, facts, models, refresh


def _text(value: Any) -> Any:
    """A document value as a province's facts read it (``->>``: text; lists as lists)."""
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows(db: Session, cat: Any, defs: Any, day: dt.date) -> Iterator[dict[str, Any]]:
    """One fact row per replicated file on the roll on ``day``, as facts.build_rows gives in a
    province: ``teacher_id`` (a national number: the file's place in (province, teacher_key) order),
    ``unit_id`` (the national tree's unit of the file's unit code), school type, birth date, age, dims."""
    _catalogue, facts, _models, _refresh = _module()
    dims = list(defs.dimensions.values())
    plan = facts._plan(cat, dims)
    units = {code: (uid, st, ur) for code, uid, st, ur in db.execute(
        select(Unit.code, Unit.id, Unit.school_type, Unit.urban_rural))}
    # only the sets and document keys the dimensions read leave the database (a file's records are
    # a few KiB of JSON; parsing them whole in Python cost a millisecond a file)
    if db.get_bind().dialect.name == "postgresql":
        q: Any = text(TRIMMED).bindparams(keys=list(plan.keys), sets=list(plan.sets), day=day)
    else:
        q = (select(TierFile.province, TierFile.teacher_key, TierFile.unit_code, TierFile.birth_date, TierFile.records)
             .where((TierFile.left_on.is_(None)) | (TierFile.left_on > day))
             .order_by(TierFile.province, TierFile.teacher_key))
    q = q.execution_options(yield_per=CHUNK)
    number = 0
    wanted = set(plan.keys)
    for _prov, _key, unit_code, birth, records in db.execute(q):
        number += 1
        unit = units.get(unit_code)
        if isinstance(records, str):
            records = json.loads(records)
        if unit is None or not (records or {}).get("basic"):
            continue  # a unit not (yet) in the national tree, or no 基本信息: not counted, as in a province
        uid, school_type, urban_rural = unit
        file = {s: [{k: _text(v) for k, v in doc.items() if k in wanted and v is not None} for doc in docs]
                for s, docs in (records or {}).items() if s in plan.sets}
        yield {"teacher_id": number, "unit_id": uid, "school_type": school_type, "birth_date": birth,
               "age": _years(birth, day), "dims": _dims(facts, plan, dims, file, school_type, urban_rural, birth, day)}


def _years(birth: Any, day: dt.date) -> Any:
    from modules.statistics.catalogue import years_between

    return years_between(birth, day)


def _dims(facts: Any, plan: Any, dims: list[Any], file: dict[str, list[dict[str, Any]]], school_type: Any,
          urban_rural: Any, birth: Any, day: dt.date) -> dict[str, str]:
    """The dimension codes of one file (the same rules as modules/statistics/facts.py ``_rows``)."""
    from modules.statistics.catalogue import month_start, years_between

    basic = (file.get("basic") or [{}])[0]
    out: dict[str, str] = {}
    for d in dims:
        if d.kind == "unit":
            out[d.key] = d.code(school_type if d.spec.unit == "school_type" else urban_rural)
        elif d.kind == "computed":
            if d.spec.computed == "age":
                out[d.key] = d.band(years_between(birth, day))
            else:
                out[d.key] = d.band(years_between(month_start(basic.get("work_start_month")), day))
        else:
            rule = plan.derived.get((d.set_key, d.field_key))
            if rule is not None:
                raw = facts._derive(rule, file.get(rule[0].from_set) or [])
            else:
                raw = ((file.get(d.set_key) or [{}])[0]).get(d.field_key)
            out[d.key] = d.code(raw)
    return out


def rebuild(db: Session, cat: Any, as_of: dt.date | None = None) -> dict[str, Any]:
    """The national live summary from the replicated files, in the caller's transaction."""
    catalogue, _facts, models, refresh = _module()
    defs = catalogue.definitions(cat)
    day = as_of or clock.today()
    started = utcnow()
    for model in (models.StatUnitCount, models.StatFact, models.StatRefresh):
        db.execute(delete(model).where(model.snapshot_id == models.LIVE))
    batch: list[dict[str, Any]] = []
    n = 0
    for row in rows(db, cat, defs, day):
        batch.append(refresh.fact_values(row, models.LIVE))
        if len(batch) >= refresh.BATCH:
            refresh._insert_facts(db, batch)
            n, batch = n + len(batch), []
    if batch:
        refresh._insert_facts(db, batch)
        n += len(batch)
    for table in defs.tables.values():
        refresh.aggregate(db, models.LIVE, table)
    db.add(models.StatRefresh(snapshot_id=models.LIVE, as_of=day, built_at=utcnow(), changed_at=utcnow(),
                              definitions=refresh.digest(defs), teachers=n))
    db.flush()
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("ANALYZE stat_facts"))
        db.execute(text("ANALYZE stat_unit_counts"))
    return {"teachers": n, "seconds": round((utcnow() - started).total_seconds(), 2)}
