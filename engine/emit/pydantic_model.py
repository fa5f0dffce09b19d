"""Emit a pydantic model of one set as one family sees it (the same structure as the schema)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import ConfigDict, Field, create_model

from engine.emit.jsonschema import is_always_required
from engine.fieldtypes import REGISTRY
from engine.validate import FieldView, SetView


def _annotation(f: FieldView) -> Any:
    s = f.spec
    if s.type in ("code", "codes") and f.codes is not None:
        codes = tuple(c for c in f.codes.by_code if f.codes.selectable(c))
        one = Literal[codes] if codes else str  # type: ignore[valid-type]
        return list[one] if s.type == "codes" else one  # type: ignore[valid-type]
    python = REGISTRY[s.type].python
    return Any if python == "Any" else python


def _constraints(f: FieldView) -> dict[str, Any]:
    s = f.spec
    out: dict[str, Any] = {"alias": s.key, "title": s.label.zh}
    if s.type == "text":
        if s.max_length:
            out["max_length"] = s.max_length
        if s.min_length:
            out["min_length"] = s.min_length
        if s.pattern:
            out["pattern"] = s.pattern
    if s.type in ("integer", "decimal", "year"):
        if s.min is not None:
            out["ge"] = s.min
        if s.max is not None:
            out["le"] = s.max
    if s.type == "date":
        out["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    if s.type == "year_month":
        out["pattern"] = r"^\d{4}-(0[1-9]|1[0-2])$"
    return out


def python_name(key: str) -> str:
    return key.replace(".", "__")


def emit_pydantic_model(view: SetView) -> type:
    fields: dict[str, Any] = {}
    for f in view.fields:
        ann = _annotation(f)
        if is_always_required(f):
            fields[python_name(f.key)] = (ann, Field(..., **_constraints(f)))
        else:
            fields[python_name(f.key)] = (Optional[ann], Field(None, **_constraints(f)))
    name = "".join(part.title() for part in view.key.replace(".", "_").split("_")) + "Record"
    return create_model(name, __config__=ConfigDict(extra="forbid", populate_by_name=True), **fields)
