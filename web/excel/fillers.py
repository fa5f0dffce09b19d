"""Fields a province gives to the teacher one by one (issue 18 point 11, ``fields_filled_by``) are the
teacher's alone, in an import as in the school's form (web/forms/locks.py): a row may carry them as
they are on record (an export imported again), never fill or change them (V400 on the cell). A
field the teacher fills because the whole set is the teacher's stays open to the school's import."""

from __future__ import annotations

from typing import Any

from engine import errors as E
from engine.emit.excel_template import MAIN_SET
from engine.fieldtypes import is_empty
from web.excel.problems import ImportProblem, problem

_KEYS: dict[int, tuple[Any, frozenset[str]]] = {}  # id(set spec) → (spec, its teacher-only fields)


def teachers_fields(plan: Any) -> frozenset[str]:
    """The columns of ``plan``'s sheet the school may not fill."""
    spec = plan.validator.view.spec
    hit = _KEYS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _KEYS[id(spec)] = (spec, frozenset(k for k in spec.not_fillable_by("school") if k in plan.where))
    return hit[1]


def _norm(value: Any) -> Any:
    if is_empty(value):
        return None
    return tuple(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def problems(ident: str, existing_docs: dict[str, list[dict[str, Any]]], main: Any, main_plan: Any,
             basic_doc: dict[str, Any] | None, plans: dict[str, Any],
             new_sets: dict[str, tuple[str, list[dict[str, Any]]]], positions: dict[str, list[tuple[Any, int]]]
             ) -> list[ImportProblem]:
    """V400 on each cell that fills or changes a field given to the teacher (``existing_docs``: the
    file on record, {} for a new teacher; the rest as web.excel.onrecord.row_changes takes them)."""
    out: list[ImportProblem] = []

    def check(plan: Any, row: Any, doc: dict[str, Any], before: dict[str, Any]) -> None:
        for key in sorted(teachers_fields(plan)):
            if _norm(doc.get(key)) != _norm(before.get(key)):
                f = plan.validator.view.field(key)
                letter, header = plan.letter(key)
                out.append(problem(E.V_XLSX_TEACHERS_FIELD, {"label": f.label("zh"), "label_en": f.label("en"), "id": ident},
                                   sheet=plan.title, row=row.row, column=letter, header=header))

    if main is not None and main_plan is not None and basic_doc is not None and teachers_fields(main_plan):
        check(main_plan, main, basic_doc, (existing_docs.get(MAIN_SET) or [{}])[0])
    for set_key, (_mode, docs) in new_sets.items():
        plan = plans[set_key]
        if not teachers_fields(plan):
            continue
        single = plan.validator.view.spec.cardinality == "one"
        before = (existing_docs.get(set_key) or [{}])[0] if single else {}  # a new record has nothing yet
        for (r, _), doc in zip(positions.get(set_key, []), docs):
            check(plan, r, doc, before)
    return out
