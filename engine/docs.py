"""Generated parts of docs/rule-language.md: the field types, the domain functions and the error
catalogue come from their registries, so the reference can never drift from the code.

``python -m engine.docs`` rewrites the generated blocks in place; a test fails when they are stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from engine.celfuncs import all_functions
from engine.errors import CATALOGUE
from engine.fieldtypes import REGISTRY

DOC = Path(__file__).resolve().parent.parent / "docs" / "rule-language.md"


def field_types_block() -> str:
    rows = ["| type | 中文 | English | constraints 约束 | Excel format | example |", "|---|---|---|---|---|---|"]
    for t in REGISTRY.values():
        cons = ", ".join(sorted(t.constraints)) or "—"
        extra = {"code": "codes, cascade", "codes": "codes, exclusive, cascade", "derived": "derived"}.get(t.name)
        if extra:
            cons = extra if cons == "—" else f"{cons}, {extra}"
        rows.append(f"| `{t.name}` | {t.zh} | {t.en} | {cons} | {t.excel_format or '—'} | {t.example or '—'} |")
    return "\n".join(rows)


def functions_block() -> str:
    rows = ["| function | 说明 | description | example |", "|---|---|---|---|"]
    for f in all_functions():
        ex = f.examples[0] if f.examples else None
        example = f"`{ex.expr}` → `{ex.expected!r}`" if ex else ""
        rows.append(f"| `{f.signature}` | {f.zh} | {f.en} | {example.replace('|', '∣')} |")
    return "\n".join(rows)


def errors_block() -> str:
    rows = ["| code | 信息 | message | 修改建议 / fix |", "|---|---|---|---|"]
    for e in CATALOGUE.values():
        hint = " / ".join(h for h in (e.hint_zh, e.hint_en) if h)
        rows.append(f"| {e.code} | {e.zh} | {e.en} | {hint} |".replace("\n", " "))
    return "\n".join(rows)


def function_params_block() -> str:
    from engine.exprtypes import FUNCTIONS

    rows = ["| function | 参数接受的指标类型 · field types each argument takes | 结果 · result |", "|---|---|---|"]
    for name, sig in FUNCTIONS.items():
        params = ", ".join(" \\| ".join(sorted(p - {"string"}) or ["string"]) for p in sig.params)
        rows.append(f"| `{name}` | {params} | {sig.returns} |")
    return "\n".join(rows)


BLOCKS = {"field-types": field_types_block, "functions": functions_block, "function-params": function_params_block,
          "errors": errors_block}


def render(text: str) -> str:
    for name, build in BLOCKS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m: m[1] + build() + "\n" + m[2], text)
    return text


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
