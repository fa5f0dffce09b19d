"""Why an expression a clerk wrote is wrong, in the clerk's own terms.

A rule written with a field's Chinese label (``record.粤港澳大湾区人才认定``) or a code's name
(``== 是``) does not parse; CEL's own message ("token recognition error at: '粤'") tells a clerk
nothing. ``label_problems`` finds every such word outside quotes and says which field key or
which code it means (E315, E316), or that Chinese text must be quoted (E317).
"""

from __future__ import annotations

import re
from typing import Mapping

from engine import errors as E
from engine.errors import Problem
from engine.source import SourceLoc
from engine.spec import CodeTable, SetSpec

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_WORD = re.compile(r"[^\x00-\x7f]+")  # a run of non-ASCII characters: a label written as a word
_RECORD_DOT = re.compile(r"\brecord\s*\.\s*$")


def unquoted_words(src: str) -> list[tuple[int, str, bool]]:
    """(offset, word, after ``record.``) of every non-ASCII word outside string literals."""
    blank = _STRING.sub(lambda m: " " * len(m[0]), src)
    return [(m.start(), m[0].strip("「」“”‘’（）()，。 "), bool(_RECORD_DOT.search(blank[:m.start()])))
            for m in _WORD.finditer(blank) if m[0].strip("「」“”‘’（）()，。 ")]


def _field_by_label(spec: SetSpec) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in spec.all_fields():
        for label in [f.label.zh, *(v.label.zh for v in f.variants.values() if v.label)]:
            out.setdefault(label, f.key)
    return out


def _codes_by_name(spec: SetSpec, tables: Mapping[str, CodeTable], prefer: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    """Code name → [(field key, table, code)], the fields the expression reads first."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    fields = sorted((f for f in spec.all_fields() if f.codes in tables), key=lambda f: f.key not in prefer)
    for f in fields:
        for item in tables[f.codes or ""].items:
            for name in (item.zh, *item.aliases):
                hits = out.setdefault(name, [])
                if not any(t == f.codes and c == item.code for _, t, c in hits):
                    hits.append((f.key, f.codes or "", item.code))
    return out


def label_problems(src: str, loc: SourceLoc, spec: SetSpec, tables: Mapping[str, CodeTable],
                   reads: set[str]) -> list[Problem]:
    """E315/E316/E317 for each label written where CEL needs a key or a quoted code."""
    words = unquoted_words(src)
    if not words:
        return []
    labels = _field_by_label(spec)
    codes = _codes_by_name(spec, tables, reads)
    out: list[Problem] = []
    seen: set[str] = set()
    for offset, word, after_record in words:
        if word in seen:
            continue
        seen.add(word)
        where = SourceLoc(loc.file, loc.line, loc.col)
        if word in labels and (after_record or word not in codes):
            out.append(Problem(E.E_CEL_LABEL_FIELD, where, {"label": word, "key": labels[word], "set": spec.set}))
        elif word in codes:
            key, table, code = codes[word][0]
            out.append(Problem(E.E_CEL_LABEL_CODE, where, {"label": word, "code": code, "table": table, "field": key}))
        else:
            near = E.suggestion(word, list(labels) + list(codes))
            out.append(Problem(E.E_CEL_CHINESE, where, {"word": word, **near}))
    return out


__all__ = ["label_problems", "unquoted_words"]
