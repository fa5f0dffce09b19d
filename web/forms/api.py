"""JSON counterpart of every form action: ``/api/v1/teachers/{id}/sets/{set}``.

    GET    /api/v1/teachers/{id}/sets/{set}                 the set: records with id and version
    POST   /api/v1/teachers/{id}/sets/{set}                 create a record (single set: create or replace)
    PUT    /api/v1/teachers/{id}/sets/{set}                 update the record of a single-record set
    GET    /api/v1/teachers/{id}/sets/{set}/records/{rid}   one record
    PUT    /api/v1/teachers/{id}/sets/{set}/records/{rid}   update one record
    DELETE /api/v1/teachers/{id}/sets/{set}/records/{rid}   delete one record
    POST   /api/v1/teachers/{id}/sets/{set}/validate        validate without saving

Request body: ``{"values": {...}, "version": 3}`` (values keyed by field key or label; codes as
code, label or alias; dates as text). Reads return the version (``version`` of each record, and
an ``ETag`` header for one record or a single set's record); every change of an existing record
(PUT, POST replacing a single set's record, DELETE) must name it, as ``If-Match: "3"`` or
``version`` in the body (issue 14, finding 5): without it 428 W440, nothing saved. Answers:
422 with ``{"code": "V000", "errors": [{field, rule, severity, message, message_en, path}],
"warnings": [...]}`` when the engine finds errors (nothing saved); 409 W410 with the current
version and values when the record changed since it was read. Same engine, same rules as the
forms, through the one write path (``web.services.records.write``).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, post, put
from sqlalchemy.orm import Session

from engine.validate import Violation
from web.security.edge import as_int
from web.context import AppContext
from web.errors import W_BAD_REQUEST, Refusal
from web.forms import service
from web.forms.pages import _check, _masked, _sanitize_photos, _stored_safe
from web.forms.viewmodel import Input
from web.principal import Principal


def violation_json(v: Violation) -> dict[str, Any]:
    return {"field": v.field, "rule": v.code, "severity": v.severity, "message": v.message_zh,
            "message_en": v.message_en, "path": v.path, "index": v.index}


def record_json(row: Any, document: dict[str, Any], editable: bool | None = None) -> dict[str, Any]:
    out = {"id": row.id, "position": row.position, "version": row.version, "state": row.state,
           "catalogue_version": row.catalogue_version, "values": document}
    if editable is not None:
        out["editable"] = editable
    return out


def _body(data: Any) -> tuple[dict[str, Any], int | None]:
    if not isinstance(data, dict):
        raise Refusal(W_BAD_REQUEST, detail='body must be {"values": {...}, "version": n}')
    values = data.get("values", {k: v for k, v in data.items() if k != "version"})
    if not isinstance(values, dict):
        raise Refusal(W_BAD_REQUEST, detail="'values' must be an object")
    version = data.get("version")
    if version is not None and not isinstance(version, int):
        raise Refusal(W_BAD_REQUEST, detail="'version' must be an integer")
    return values, version


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: Request) -> int | None:
    raw = request.headers.get("if-match", "").strip().strip('"').removeprefix("W/").strip('"')
    return as_int(raw)


class RecordsAPI(Controller):
    path = "/api/v1/teachers/{tid:int}/sets/{set_key:str}"
    tags = ["records"]

    def _file(self, db: Session, ctx: AppContext, me: Principal, tid: int, set_key: str) -> service.TeacherFile:
        cat = ctx.catalogue
        tf = service.load_file(db, cat, me, tid)
        if set_key not in cat.set_keys(tf.family):
            raise Refusal(W_BAD_REQUEST, detail=f"no set '{set_key}' for this teacher's school type")
        return tf

    @get("/", sync_to_thread=True, summary="The records of one set of one teacher")
    def read_set(self, tid: int, set_key: str, db: Session, ctx: AppContext, me: Principal) -> Response:
        cat = ctx.catalogue
        tf = self._file(db, ctx, me, tid, set_key)
        spec = cat.sets[set_key]
        service.audit_read(db, me, tf.teacher, f"api:{set_key}")
        rows = tf.rows(set_key)
        # editable: may write the set now (a repeating set: add a record; a single set: save it);
        # may_add: a new record would be accepted (on an approved file: an addition, submitted by the
        # school through /api/v1/review/files/{id}/additions/submit); each record says its own
        one = spec.cardinality == "one"
        may_add = not one and service.may_write(db, cat, me, tf.teacher, set_key, None)
        body = {"teacher": tid, "set": set_key, "cardinality": spec.cardinality, "filled_by": spec.filled_by,
                "file_state": tf.teacher.state,
                "editable": service.may_write(db, cat, me, tf.teacher, set_key, rows[0] if one and rows else None),
                "may_add": may_add, "catalogue_version": cat.version,
                "records": [record_json(r, _masked(cat, db, me, tf, set_key, r.document),
                                        service.may_write(db, cat, me, tf.teacher, set_key, r)) for r in rows]}
        # a single set's record: its version as the ETag (send it back as If-Match to change it)
        return Response(body, headers={"ETag": etag(rows[0].version)} if one and rows else {})

    @get("/records/{rid:int}", sync_to_thread=True, summary="One record")
    def read_record(self, tid: int, set_key: str, rid: int, db: Session, ctx: AppContext, me: Principal) -> Response:
        cat = ctx.catalogue
        tf = self._file(db, ctx, me, tid, set_key)
        try:
            row = tf.row(set_key, rid)
        except service.NotFound:
            raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None
        service.audit_read(db, me, tf.teacher, f"api:{set_key}")
        return Response(record_json(row, _masked(cat, db, me, tf, set_key, row.document)),
                        headers={"ETag": etag(row.version)})

    @post("/", sync_to_thread=True, summary="Create a record (single-record set: create or replace)")
    def create(self, request: Request, tid: int, set_key: str, data: Any, db: Session, ctx: AppContext,
               me: Principal) -> Response:
        return self._write(request, tid, set_key, None, data, db, ctx, me, creating=True)

    @put("/", sync_to_thread=True, summary="Update the record of a single-record set")
    def update_one(self, request: Request, tid: int, set_key: str, data: Any, db: Session, ctx: AppContext,
                   me: Principal) -> Response:
        if ctx.catalogue.sets.get(set_key) is not None and ctx.catalogue.sets[set_key].cardinality == "many":
            raise Refusal(W_BAD_REQUEST, detail="a repeating set: PUT /records/<id>")
        return self._write(request, tid, set_key, None, data, db, ctx, me)

    @put("/records/{rid:int}", sync_to_thread=True, summary="Update one record")
    def update(self, request: Request, tid: int, set_key: str, rid: int, data: Any, db: Session, ctx: AppContext,
               me: Principal) -> Response:
        return self._write(request, tid, set_key, rid, data, db, ctx, me)

    @post("/validate", sync_to_thread=True, summary="Validate values without saving")
    def validate(self, tid: int, set_key: str, data: Any, db: Session, ctx: AppContext, me: Principal,
                 rid: int | None = None) -> dict[str, Any]:
        cat = ctx.catalogue
        tf = self._file(db, ctx, me, tid, set_key)
        values, _ = _body(data)
        stored, rid_, _v = _stored_safe(tf, set_key, cat, rid)
        checked = _check(cat, tf, set_key, rid_, Input({**values}, {}))
        return {"record": checked.record, "errors": [violation_json(v) for v in checked.errors],
                "warnings": [violation_json(v) for v in checked.warnings]}

    @delete("/records/{rid:int}", sync_to_thread=True, status_code=200, summary="Delete one record")
    def remove(self, request: Request, tid: int, set_key: str, rid: int, db: Session, ctx: AppContext,
               me: Principal) -> Response:
        cat = ctx.catalogue
        tf = self._file(db, ctx, me, tid, set_key)
        try:
            service.delete(db, cat, me, tf, set_key, rid, version=if_match(request), require_version=True)
        except service.NotFound:
            raise Refusal(W_BAD_REQUEST, detail=f"no record {rid}") from None
        except service.Conflict as c:
            return _conflict(db, ctx, me, tf, set_key, c)
        return Response({"deleted": rid}, status_code=200)

    def _write(self, request: Request, tid: int, set_key: str, rid: int | None, data: Any, db: Session,
               ctx: AppContext, me: Principal, creating: bool = False) -> Response:
        cat = ctx.catalogue
        tf = self._file(db, ctx, me, tid, set_key)
        spec = cat.sets[set_key]
        values, version = _body(data)
        version = version if version is not None else if_match(request)
        stored, rid, _current = _stored_safe(tf, set_key, cat, rid if not (creating and spec.cardinality == "many") else None)
        if creating and spec.cardinality == "many":
            stored, rid = {}, None
        # a partial update keeps the fields it does not name (PUT of a form's worth of values)
        merged = {**({} if creating else stored), **values}
        inp = Input(merged, {})
        _sanitize_photos(cat.view(set_key, tf.family), inp, stored)
        checked = _check(cat, tf, set_key, rid, inp)
        try:
            row, violations = service.save(db, cat, me, tf, set_key, checked.record, record_id=rid, version=version,
                                           violations=checked.violations, require_version=True)
        except service.Refused as refused:
            errs = [v for v in refused.violations if v.severity == "error"]
            db.rollback()
            return Response({"code": "V000", "message": f"未保存：有 {len(errs)} 处错误",
                             "message_en": f"Not saved: {len(errs)} error(s)",
                             "errors": [violation_json(v) for v in errs],
                             "warnings": [violation_json(v) for v in refused.violations if v.severity == "warning"]},
                            status_code=422)
        except service.Conflict as c:
            db.rollback()
            return _conflict(db, ctx, me, tf, set_key, c)
        body = record_json(row, dict(row.document))
        body["warnings"] = [violation_json(v) for v in violations if v.severity == "warning"]
        return Response(body, status_code=201 if (creating and spec.cardinality == "many") else 200,
                        headers={"ETag": etag(row.version)})


def _conflict(db: Session, ctx: AppContext, me: Principal, tf: service.TeacherFile, set_key: str,
              c: service.Conflict) -> Response:
    """409 W410 with the current version and values (masked as the reader would see them)."""
    stale = c.refusal(_masked(ctx.catalogue, db, me, tf, set_key, c.current))
    return Response(stale.as_json(), status_code=409, headers={"ETag": etag(c.theirs)})
