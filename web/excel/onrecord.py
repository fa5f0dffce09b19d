"""What an import's rows change in a file already on record (issue 20: export → re-import).

A school exports its teachers, edits a few cells and imports the workbook again. Every row of
such a file is either the same as what is on record or a change, and only the changes concern
the import:

- a teacher all of whose rows match the record is left alone: nothing written, nothing checked
  (what is on record is not the import's to judge; the completeness check before 报送 is), and
  that holds whatever the file's review state, so an approved teacher is no error;
- a changed row of a file the import may not change (审核通过, or 待审核) is reported on that row,
  saying what it would change and what to do instead (V330: a change request, 复本; V331: wait
  for the review);
- a changed 基本信息 row of an editable file is checked as before; its unchanged rows are not.

"The same" compares the documents the import would store: 基本信息 merged with the record and
cleaned, a repeating set's row against the set's records on record (in ``append`` mode a row
already on record adds nothing; in ``replace`` mode the set is unchanged when the file holds the
same records), a single-record set (联系方式) against its record.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from engine import errors as E
from engine.emit.excel_template import ID_FIELD, LINK_ID, MAIN_SET
from web.excel.problems import ImportProblem, problem

APPROVED = "approved"


@dataclass
class RowChange:
    """One row of the file that would change the record."""

    set_key: str
    row: Any                      # pipeline.Row
    zh: str                       # what it changes, for the message
    en: str
    field: str | None = None      # the first changed field (the cell to mark), else the ID cell


def frozen(doc: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in doc.items()))


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k in dict.fromkeys([*after, *before]) if before.get(k) != after.get(k)]


def _labels(plan: Any, keys: Sequence[str], lang: str) -> str:
    view = plan.validator.view
    out = []
    for k in keys[:5]:
        f = view.field(k)
        out.append(f.label(lang) if f is not None else k)  # the family's own label (进本园年月 …)
    more = len(keys) - 5
    if lang == "en":
        return ", ".join(out) + (f" and {more} more" if more > 0 else "")
    return "、".join(f"「{x}」" for x in out) + (f"等 {len(keys)} 项" if more > 0 else "")


def _set_label(plan: Any, lang: str) -> str:
    return plan.validator.view.spec.label.get(lang)


def row_changes(existing_docs: dict[str, list[dict[str, Any]]], main: Any, main_plan: Any,
                basic_doc: dict[str, Any] | None, plans: dict[str, Any],
                new_sets: dict[str, tuple[str, list[dict[str, Any]]]],
                positions: dict[str, list[tuple[Any, int]]]) -> tuple[list[RowChange], set[str]]:
    """The rows of one teacher on record that change the record, and the sets whose rows change
    nothing (to be left out of the write). ``new_sets``/``positions`` as phase 2 made them:
    set → (mode, documents the import adds) and the rows that added them (row, index into the
    set's records after the import: in ``replace`` mode and for a single-record set, where
    nothing on record stays, the index into the documents added)."""
    changes: list[RowChange] = []
    if main is not None and basic_doc is not None:
        before = (existing_docs.get(MAIN_SET) or [{}])[0]
        if before != basic_doc:
            keys = changed_fields(before, basic_doc)
            changes.append(RowChange(MAIN_SET, main, f"会修改{_labels(main_plan, keys, 'zh')}",
                                     f"would change {_labels(main_plan, keys, 'en')}", keys[0] if keys else None))
    unchanged: set[str] = set()
    for set_key, (mode, docs) in new_sets.items():
        plan = plans[set_key]
        on_record = existing_docs.get(set_key) or []
        placed = positions.get(set_key, [])
        if mode == "append":
            if not docs:
                unchanged.add(set_key)
            for r, _ in placed:
                changes.append(RowChange(set_key, r, f"不是档案中已有的「{_set_label(plan, 'zh')}」记录，会新增一条记录",
                                         f"is not one of the {_set_label(plan, 'en')} records on file and would add one"))
            continue
        if Counter(map(frozen, docs)) == Counter(map(frozen, on_record)):
            unchanged.add(set_key)
            continue
        if plan.validator.view.spec.cardinality == "one" and docs and on_record:  # 联系方式: which fields change
            keys = changed_fields(on_record[0], docs[0])
            r = placed[0][0]
            changes.append(RowChange(set_key, r, f"会修改{_labels(plan, keys, 'zh')}",
                                     f"would change {_labels(plan, keys, 'en')}", keys[0] if keys else None))
            continue
        known = Counter(map(frozen, on_record))
        added = []
        for r, i in placed:
            doc = frozen(docs[i])
            if known[doc] > 0:
                known[doc] -= 1
            else:
                added.append(r)
        for r in added:
            changes.append(RowChange(set_key, r, f"不是档案中已有的「{_set_label(plan, 'zh')}」记录，会新增一条记录",
                                     f"is not one of the {_set_label(plan, 'en')} records on file and would add one"))
        gone = len(on_record) - (len(docs) - len(added))
        if gone > 0 and placed:
            changes.append(RowChange(set_key, placed[0][0],
                                     f"按「删除已有数据再追加」会删除档案中 {gone} 条「{_set_label(plan, 'zh')}」记录",
                                     f"would delete {gone} {_set_label(plan, 'en')} records on file (replace mode)"))
    return changes, unchanged


def locked_problems(ident: str, state: str, state_label: str, changes: list[RowChange],
                    plans: dict[str, Any]) -> list[ImportProblem]:
    """A problem on each changed row of a file the import may not change: V330 for an approved
    file (a change request), V331 for one under review."""
    code = E.V_XLSX_APPROVED_CHANGE if state == APPROVED else E.V_XLSX_UNDER_REVIEW_CHANGE
    out = []
    for c in changes:
        plan = plans[c.set_key]
        key = c.field if c.field is not None and c.field in plan.where else (ID_FIELD if c.set_key == MAIN_SET else LINK_ID)
        letter, header = plan.letter(key)
        out.append(problem(code, {"id": ident, "state": state_label, "change_zh": c.zh, "change_en": c.en},
                           sheet=plan.title, row=c.row.row, column=letter, header=header))
    return out

__all__ = ["RowChange", "row_changes", "locked_problems", "frozen", "changed_fields"]
