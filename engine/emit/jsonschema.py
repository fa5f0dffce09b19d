"""Emit a JSON Schema (Draft 2020-12) of one set as one family sees it.

Structure only: types, formats, lengths, ranges, code lists and the unconditional required
fields. Conditions (``required`` as CEL, ``shown``) and rules are the validator's business; the
schema is for API clients and other systems that want a static contract.
"""

from __future__ import annotations

from typing import Any

from engine.fieldtypes import REGISTRY
from engine.validate import FieldView, SetView

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _nullable(frag: dict[str, Any]) -> dict[str, Any]:
    t = frag.get("type")
    if isinstance(t, str):
        out = dict(frag, type=[t, "null"])
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [frag, {"type": "null"}]} if frag else frag


def field_schema(f: FieldView, required: bool) -> dict[str, Any]:
    s = f.spec
    frag = dict(REGISTRY[s.type].json(s))
    if s.type == "code" and f.codes is not None:
        frag["enum"] = [c for c in f.codes.by_code if f.codes.selectable(c)]
    elif s.type == "codes" and f.codes is not None:
        frag["items"] = {"type": "string", "enum": [c for c in f.codes.by_code if f.codes.selectable(c)]}
    if not required:
        frag = _nullable(frag)
    frag["title"] = s.label.zh
    if s.label.en:
        frag["x-label-en"] = s.label.en
    if s.help:
        frag["description"] = s.help.zh
    if s.type == "derived" or s.readonly:
        frag["readOnly"] = True
    return frag


def is_always_required(f: FieldView) -> bool:
    return f.spec.required is True and not f.spec.shown and f.spec.type != "derived"


def emit_json_schema(view: SetView, province: str, version: str) -> dict[str, Any]:
    required = [f.key for f in view.fields if is_always_required(f)]
    return {
        "$schema": DRAFT,
        "$id": f"urn:tmis:{province}:{view.key}:{view.family}:{version}",
        "title": view.spec.label.zh,
        "description": view.spec.label.en or view.spec.label.zh,
        "type": "object",
        "properties": {f.key: field_schema(f, f.key in required) for f in view.fields},
        "required": required,
        "additionalProperties": False,
    }
