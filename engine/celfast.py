"""A compiler from the subset of CEL that rules use into plain Python closures.

Why: the Rust evaluator of the ``common-expression-language`` package costs a
``cel.Context`` per record and a crossing into Rust per rule; a closure tree is about ten
times faster for the short rules of the catalogue. The Rust evaluator stays the oracle:
``tests/engine/test_celfast.py`` runs generated expressions through both and demands the
same value or an error from both.

API
- :func:`compile_fast(src, functions)` → a callable ``f(variables) -> value``, or ``None``
  when ``src`` uses anything outside the subset (the caller then uses the Rust evaluator).
  Evaluation errors (missing key, no such overload, division by zero, overflow, a domain
  function that raised …) all raise :class:`CelEvalError`.
- :func:`field_refs(src)` → the ``record.<key>`` paths an expression reads.

Semantics copied from the package (measured, version 0.10), not from the CEL spec where
they differ:
- no implicit conversion between int, double, string, bool, null; ``==``/``!=`` between
  different kinds is ``false`` (not an error), ``<`` etc. between them is an error;
  int and double compare with each other by converting the int to a double;
  a NaN in ``<``/``<=``/``>``/``>=`` is an error;
- int arithmetic is 64-bit and checked (overflow is an error), ``/`` and ``%`` truncate
  toward zero; unary minus wraps (``-(-2^63)`` is ``-2^63``);
- ``&&`` and ``||`` are commutative over errors: ``false && error`` and ``error && false``
  are ``false``; any non-bool operand otherwise makes an error;
- ``size()`` of a string counts UTF-8 bytes (``size("张三") == 6``);
- the macros ``all``/``exists``/``filter``/``map`` run left to right and stop at the
  first error (no absorption), ``all`` at the first false and ``exists`` at the first true;
- ``string(double)`` prints without exponent (``string(1e21)`` is ``"1000…0"``);
- ``matches`` uses Rust's regex syntax; only literal patterns whose syntax means the same
  in Python's ``re`` are compiled here (``$`` is translated to ``\\Z``), others fall back.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

__all__ = ["CelEvalError", "CelSyntaxError", "compile_fast", "field_refs", "parse"]

Fn = Callable[[Mapping[str, Any]], Any]

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


class CelEvalError(Exception):
    """Evaluating an expression failed (CEL's error value)."""


class CelSyntaxError(ValueError):
    """The text is not an expression this parser understands."""


class _Unsupported(Exception):
    """Inside compile: the node is outside the subset; compile_fast returns None."""


# ====================================================================== tokenizer

_PUNCT = ("<=", ">=", "==", "!=", "&&", "||", "(", ")", "[", "]", "{", "}", ".", ",", "?",
          ":", "!", "-", "+", "*", "/", "%", "<", ">")
_RESERVED = frozenset(
    "as break const continue else for function if import let loop package namespace "
    "return var void while".split()
)
_KEYWORDS = {"true": True, "false": False, "null": None}

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n\f]+|//[^\n]*)
  | (?P<num>(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
           |0[xX][0-9a-fA-F]+[uU]?|[0-9]+[uU]?)
  | (?P<str>(?:[rR][bB]?|[bB][rR]?)?(?:\"\"\"|'''|"|'))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct><=|>=|==|!=|&&|\|\||[()\[\]{}.,?:!\-+*/%<>])
    """,
    re.VERBOSE,
)

_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
               "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?"}


def _read_string(src: str, pos: int, prefix: str, quote: str) -> tuple[str, int]:
    """Decode a string literal body starting at ``pos`` (after the opening quote)."""
    raw = "r" in prefix.lower()
    out: list[str] = []
    n = len(src)
    while True:
        if pos >= n:
            raise CelSyntaxError("unterminated string")
        if src.startswith(quote, pos):
            return "".join(out), pos + len(quote)
        c = src[pos]
        if c in "\r\n" and len(quote) == 1:
            raise CelSyntaxError("newline in string")
        if c != "\\" or raw:
            out.append(c)
            pos += 1
            continue
        e = src[pos + 1: pos + 2]
        if e in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[e])
            pos += 2
        elif e in ("x", "X", "u", "U"):
            width = {"x": 2, "X": 2, "u": 4, "U": 8}[e]
            digits = src[pos + 2: pos + 2 + width]
            if len(digits) != width or not all(ch in "0123456789abcdefABCDEF" for ch in digits):
                raise CelSyntaxError("bad escape")
            cp = int(digits, 16)
            if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
                raise CelSyntaxError("bad code point")
            out.append(chr(cp))
            pos += 2 + width
        elif e in "0123":
            digits = src[pos + 1: pos + 4]
            if len(digits) != 3 or not all(ch in "01234567" for ch in digits):
                raise CelSyntaxError("bad octal escape")
            out.append(chr(int(digits, 8)))
            pos += 4
        else:
            raise CelSyntaxError(f"bad escape \\{e}")


def _tokens(src: str) -> list[tuple[str, Any]]:
    toks: list[tuple[str, Any]] = []
    pos, n = 0, len(src)
    while pos < n:
        m = _TOKEN.match(src, pos)
        if not m:
            raise CelSyntaxError(f"unexpected character {src[pos]!r} at {pos}")
        kind = m.lastgroup
        text = m.group()
        pos = m.end()
        if kind == "ws":
            continue
        if kind == "num":
            if text[-1] in "uU":
                toks.append(("unsupported", "uint literal"))
            elif text[:2] in ("0x", "0X"):
                toks.append(("int", int(text, 16)))
            elif any(c in text for c in ".eE"):
                value = float(text)
                if math.isinf(value):
                    raise CelSyntaxError("double literal out of range")
                toks.append(("double", value))
            else:
                toks.append(("int", int(text)))
        elif kind == "str":
            quote = text.lstrip("rRbB")
            prefix = text[: len(text) - len(quote)]
            value, pos = _read_string(src, pos, prefix, quote)
            toks.append(("unsupported", "bytes literal") if "b" in prefix.lower() else ("str", value))
        elif kind == "ident":
            if text in _KEYWORDS:
                toks.append(("lit", _KEYWORDS[text]))
            elif text == "in":
                toks.append(("op", "in"))
            elif text in _RESERVED:
                raise CelSyntaxError(f"reserved word {text}")
            else:
                toks.append(("ident", text))
        else:
            toks.append(("op", text))
    toks.append(("eof", None))
    return toks


# ====================================================================== parser
# AST nodes are tuples: (kind, ...). Kinds: lit, unsupported, ident, select, has, index,
# call, method, list, map, unary, binary, and, or, cond, macro.

_MACROS = {("all", 2), ("exists", 2), ("exists_one", 2), ("filter", 2), ("map", 2), ("map", 3)}
_RELOPS = frozenset(("<", "<=", ">", ">=", "==", "!=", "in"))
# Binding powers: || 1, && 2, relations 3, + - 4, * / % 5.
_BINARY_POWER = {"||": 1, "&&": 2, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}
_BINARY_POWER.update({op: 3 for op in _RELOPS})
_MAX_DEPTH = 200


class _Parser:
    def __init__(self, src: str) -> None:
        self.toks = _tokens(src)
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, Any]:
        return self.toks[self.i]

    def take(self) -> tuple[str, Any]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def accept(self, op: str) -> bool:
        if self.toks[self.i] == ("op", op):
            self.i += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            raise CelSyntaxError(f"expected {op!r}, got {self.peek()[1]!r}")

    def parse(self) -> tuple:
        node = self.expr()
        if self.peek()[0] != "eof":
            raise CelSyntaxError(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self) -> tuple:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise CelSyntaxError("expression nested too deeply")
        cond = self.binary(1)
        if self.accept("?"):
            yes = self.binary(1)
            self.expect(":")
            no = self.expr()
            cond = ("cond", cond, yes, no)
        self.depth -= 1
        return cond

    def binary(self, min_power: int) -> tuple:
        # Precedence climbing (a Pratt parser restricted to infix operators); all
        # operators are left-associative, relations included (1 < 2 == true parses).
        left = self.unary()
        while True:
            kind, op = self.peek()
            power = _BINARY_POWER.get(op) if kind == "op" else None
            if power is None or power < min_power:
                return left
            self.take()
            right = self.binary(power + 1)
            if op == "&&":
                left = ("and", left, right)
            elif op == "||":
                left = ("or", left, right)
            else:
                left = ("binary", op, left, right)

    def unary(self) -> tuple:
        # CEL's grammar: Unary = Member | "!" {"!"} Member | "-" {"-"} Member, and the
        # parser drops pairs: "!!x" is x itself (even for a non-bool x), "--x" likewise.
        for op in ("!", "-"):
            count = 0
            while self.accept(op):
                count += 1
            if not count:
                continue
            kind, value = self.peek()
            if op == "-" and kind == "int" and value == 2**63:
                # -9223372036854775808 is a literal, not a negated out-of-range literal
                self.take()
                operand = self.member(("lit", INT_MIN))
                count -= 1
            elif op == "-" and self.peek() == ("op", "!"):
                raise CelSyntaxError("'-!' is not an expression")
            elif op == "!" and self.peek() == ("op", "-"):
                operand = self.member(self.signed_literal())
            else:
                operand = self.member(self.primary())
            return ("unary", op, operand) if count % 2 else operand
        return self.member(self.primary())

    def signed_literal(self) -> tuple:
        # "!-1": a Member cannot start with "-" except as the sign of a number literal
        self.expect("-")
        kind, value = self.take()
        if kind == "int" and value <= 2**63:
            return ("lit", -value)
        if kind == "double":
            return ("lit", -value)
        raise CelSyntaxError("'-' here must be the sign of a number")

    def args(self) -> list[tuple]:
        out: list[tuple] = []
        if self.accept(")"):
            return out
        while True:
            out.append(self.expr())
            if self.accept(")"):
                return out
            self.expect(",")

    def member(self, node: tuple) -> tuple:
        while True:
            if self.accept("."):
                kind, name = self.take()
                if kind != "ident":
                    raise CelSyntaxError("expected a field name after '.'")
                if self.accept("("):
                    args = self.args()
                    if (name, len(args)) in _MACROS:
                        var = args[0]
                        if var[0] != "ident":
                            raise CelSyntaxError(f"{name}: the first argument must be a name")
                        node = ("macro", name, node, var[1], args[1:])
                    else:
                        node = ("method", node, name, args)
                else:
                    node = ("select", node, name)
            elif self.accept("["):
                idx = self.expr()
                self.expect("]")
                node = ("index", node, idx)
            else:
                return node

    def primary(self) -> tuple:
        kind, value = self.take()
        if kind in ("int", "double", "str", "lit"):
            if kind == "int" and value > INT_MAX:
                raise CelSyntaxError("int literal out of range")
            return ("lit", value)
        if kind == "unsupported":
            return ("unsupported", value)
        if kind == "ident":
            if self.accept("("):
                args = self.args()
                if value == "has":
                    if len(args) != 1 or args[0][0] != "select":
                        raise CelSyntaxError("has() needs a field selection: has(a.b)")
                    return ("has", args[0][1], args[0][2])
                return ("call", value, args)
            return ("ident", value)
        if (kind, value) == ("op", "("):
            node = self.expr()
            self.expect(")")
            return node
        if (kind, value) == ("op", "["):
            items: list[tuple] = []
            while not self.accept("]"):
                items.append(self.expr())
                if not self.accept(","):
                    self.expect("]")
                    break
            return ("list", items)
        if (kind, value) == ("op", "{"):
            entries: list[tuple[tuple, tuple]] = []
            while not self.accept("}"):
                key = self.expr()
                self.expect(":")
                entries.append((key, self.expr()))
                if not self.accept(","):
                    self.expect("}")
                    break
            return ("map", entries)
        if (kind, value) == ("op", "."):
            raise CelSyntaxError("leading '.' names are not supported")
        raise CelSyntaxError(f"unexpected {value!r}")


def parse(src: str) -> tuple:
    """The AST of ``src`` (tuples); raises CelSyntaxError."""
    return _Parser(src).parse()


# ====================================================================== field_refs


def field_refs(src: str) -> set[str]:
    """The ``record.<key>`` paths ``src`` reads: ``record.a`` → "a",
    ``record.gs.k`` → "gs.k" (keys have at most one dot), ``record["a"]`` → "a".
    A macro variable named ``record`` hides the outer record inside its macro."""
    refs: set[str] = set()

    def path(node: tuple) -> list[str] | None:
        # ["record", k1, k2, ...] for a chain of selects/constant indexes on `record`
        if node[0] == "ident":
            return [node[1]]
        if node[0] in ("select", "has"):
            base = path(node[1])
            return base + [node[2]] if base is not None else None
        if node[0] == "index" and node[2][0] == "lit" and isinstance(node[2][1], str):
            base = path(node[1])
            return base + [node[2][1]] if base is not None else None
        return None

    def walk(node: tuple, hidden: bool) -> None:
        kind = node[0]
        if kind in ("select", "has", "index"):
            p = path(node)
            if p is not None and p[0] == "record" and len(p) > 1 and not hidden:
                refs.add(".".join(p[1:3]))
                return
        if kind == "macro":
            walk(node[2], hidden)
            for sub in node[4]:
                walk(sub, hidden or node[3] == "record")
            return
        for part in node[1:]:
            if isinstance(part, tuple):
                walk(part, hidden)
            elif isinstance(part, list):
                for item in part:
                    if isinstance(item, tuple) and item and isinstance(item[0], tuple):
                        walk(item[0], hidden)
                        walk(item[1], hidden)
                    elif isinstance(item, tuple):
                        walk(item, hidden)

    walk(parse(src), False)
    return refs


# ====================================================================== runtime helpers


def _err(msg: str = "no such overload") -> CelEvalError:
    return CelEvalError(msg)


def _eq(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is list:
            return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
        if ta is dict:
            if len(a) != len(b):
                return False
            for k, v in a.items():
                if k not in b or not _eq(v, b[k]):
                    return False
            return True
        return a == b  # int, float (NaN != NaN), str, bool, None
    if (ta is int and tb is float) or (ta is float and tb is int):
        return float(a) == float(b)
    return False


def _cmp_args(a: Any, b: Any) -> tuple[Any, Any]:
    """Operands for an ordering, converted the way the package converts them."""
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int or ta is bool):
        return a, b
    if (ta is float or ta is int) and (tb is float or tb is int):
        fa, fb = float(a), float(b)
        if fa != fa or fb != fb:
            raise _err("NaN is not ordered")
        return fa, fb
    raise _err()


def _lt(a: Any, b: Any) -> bool:
    x, y = _cmp_args(a, b)
    return x < y


def _le(a: Any, b: Any) -> bool:
    x, y = _cmp_args(a, b)
    return x <= y


def _gt(a: Any, b: Any) -> bool:
    x, y = _cmp_args(a, b)
    return x > y


def _ge(a: Any, b: Any) -> bool:
    x, y = _cmp_args(a, b)
    return x >= y


def _check_int(r: int) -> int:
    if r < INT_MIN or r > INT_MAX:
        raise _err("overflow")
    return r


def _add(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _check_int(a + b)
        if ta is str or ta is float or ta is list:
            return a + b
    elif ta is list and type(b) is dict:
        return a + list(b)  # the package's quirk: list + map appends the map's keys
    raise _err()


def _sub(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _check_int(a - b)
        if ta is float:
            return a - b
    raise _err()


def _mul(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            return _check_int(a * b)
        if ta is float:
            return a * b
    raise _err()


def _div(a: Any, b: Any) -> Any:
    ta = type(a)
    if ta is type(b):
        if ta is int:
            if b == 0:
                raise _err("division by zero")
            q = abs(a) // abs(b)
            return _check_int(q if (a < 0) == (b < 0) else -q)
        if ta is float:
            if b == 0.0:
                if a != a or a == 0.0:
                    return math.nan
                return math.copysign(math.inf, a) * math.copysign(1.0, b)
            return a / b
    raise _err()


def _mod(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if b == 0:
            raise _err("modulo by zero")
        if a == INT_MIN and b == -1:
            raise _err("overflow")
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    raise _err()


def _neg(a: Any) -> Any:
    t = type(a)
    if t is int:
        return a if a == INT_MIN else -a  # the package wraps
    if t is float:
        return -a
    if t is bool:
        return not a  # the package's quirk: -true is false (the spec says error)
    raise _err()


def _not(a: Any) -> bool:
    if a is True:
        return False
    if a is False:
        return True
    raise _err()


def _in(a: Any, c: Any) -> bool:
    tc = type(c)
    if tc is list:
        if type(a) is str:
            return a in c  # str == non-str is False in Python too
        return any(_eq(a, x) for x in c)
    if tc is dict:
        ta = type(a)
        if ta is str:
            return a in c
        if ta is int or ta is bool:
            return any(type(k) is ta and k == a for k in c)
        raise _err("bad map key type")
    raise _err()


def _index(c: Any, i: Any) -> Any:
    tc, ti = type(c), type(i)
    if tc is list:
        if ti is int:
            if 0 <= i < len(c):
                return c[i]
            raise _err("index out of bounds")
        raise _err("bad index type")
    if tc is dict:
        if ti is str:
            try:
                return c[i]
            except KeyError:
                raise _err("no such key") from None
        if ti is int or ti is bool:
            for k, v in c.items():
                if type(k) is ti and k == i:
                    return v
            raise _err("no such key")
        raise _err("bad map key type")
    raise _err()


def _size(v: Any) -> int:
    t = type(v)
    if t is str:
        return len(v) if v.isascii() else len(v.encode("utf-8", "surrogatepass"))
    if t is list or t is dict or t is bytes:
        return len(v)
    raise _err()


_INT_TEXT = re.compile(r"\A[+-]?[0-9]+\Z")
_DOUBLE_TEXT = re.compile(
    r"\A[+-]?(?:inf|infinity|nan|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?"
    r"|\.[0-9]+(?:[eE][+-]?[0-9]+)?)\Z",
    re.IGNORECASE,
)


def _to_int(v: Any) -> int:
    t = type(v)
    if t is int:
        return v
    if t is float:
        if v != v or not (-9223372036854775808.0 < v < 9223372036854775808.0):
            raise _err("integer overflow")
        return int(v)
    if t is str:
        if not _INT_TEXT.match(v):
            raise _err("string parse error")
        return _check_int(int(v))
    raise _err()


def _to_double(v: Any) -> float:
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    if t is str:
        if not _DOUBLE_TEXT.match(v):
            raise _err("string parse error")
        return float(v)
    raise _err()


def _format_double(v: float) -> str:
    # Rust's Display for f64: shortest round-trip digits, never an exponent.
    if v != v:
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return format(Decimal(repr(v)).normalize(), "f")


def _to_string(v: Any) -> str:
    t = type(v)
    if t is str:
        return v
    if t is int:
        return str(v)
    if t is float:
        return _format_double(v)
    raise _err()


def _str_method(name: str) -> Callable[[Any, Any], bool]:
    def method(s: Any, arg: Any) -> bool:
        if type(s) is not str or type(arg) is not str:
            raise _err()
        return getattr(s, name)(arg)

    return method


_STARTS, _ENDS = _str_method("startswith"), _str_method("endswith")


def _contains(s: Any, arg: Any) -> bool:
    if type(s) is not str or type(arg) is not str:
        raise _err()
    return arg in s


# Regex patterns are accepted only from this conservative grammar, where Rust's regex
# crate and Python's re agree. Anything else (look-around, back-references, \p{..},
# POSIX classes, set operations inside [..], a stray '{') falls back to the package.
_RE_ESCAPES = frozenset("dDwWsS.\\-()[]{}*+?|^$/ntr")
_RE_CLASS_ESCAPES = frozenset("dDwWsS\\-[]^ntr.")


def _is_quantifier(tok: str) -> bool:
    return tok in ("*", "+", "?") or tok.startswith("{")


def _translate_regex(pattern: str) -> str | None:
    out: list[str] = []
    i, n = 0, len(pattern)
    depth = 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1: i + 2]
            if e not in _RE_ESCAPES or not e:
                return None
            out.append(c + e)
            i += 2
        elif c == "[":
            j = i + 1
            cls = ["["]
            if pattern[j: j + 1] == "^":
                cls.append("^")
                j += 1
            if pattern[j: j + 1] == "]":  # a leading ']' is literal in both, but keep it simple
                return None
            while j < n and pattern[j] != "]":
                ch = pattern[j]
                if ch == "[" or pattern.startswith(("&&", "--", "~~"), j):
                    return None
                if ch == "\\":
                    e = pattern[j + 1: j + 2]
                    if e not in _RE_CLASS_ESCAPES or not e:
                        return None
                    cls.append(ch + e)
                    j += 2
                    continue
                cls.append(ch)
                j += 1
            if j >= n or len(cls) == 1 or cls == ["[", "^"]:
                return None
            cls.append("]")
            out.append("".join(cls))
            i = j + 1
        elif c == "{":
            m = re.match(r"\{([0-9]+)(,([0-9]*))?\}", pattern[i:])
            if not m or not out or out[-1] in ("(", "(?:", "|", "^", r"\Z") or _is_quantifier(out[-1]):
                return None
            out.append(m.group())
            i += m.end()
        elif c == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern[i + 1: i + 2] == "?":
                return None  # flags, named groups, look-around: let the package decide
            else:
                out.append("(")
                i += 1
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return None
            out.append(")")
            i += 1
        elif c == "$":
            out.append(r"\Z")  # Rust's $ is end of text only; Python's also before a final \n
            i += 1
        elif c in "*+?":
            prev = out[-1] if out else ""
            if prev in ("", "(", "(?:", "|", "^", r"\Z"):
                return None  # nothing to repeat
            if prev in ("*", "+", "?") or prev.startswith("{"):
                # only one lazy '?' may follow a quantifier; '**', '+*', '???' fall back
                if c != "?" or prev == "?" and len(out) > 1 and _is_quantifier(out[-2]):
                    return None
            out.append(c)
            i += 1
        elif c in "]}":
            return None  # a stray closing bracket: literal in Python, not always in Rust
        else:
            out.append(c)
            i += 1
    if depth != 0:
        return None
    return "".join(out)


def _matches_fn(pattern: str) -> Callable[[Any], bool] | None:
    translated = _translate_regex(pattern)
    if translated is None:
        return None
    try:
        rx = re.compile(translated)
    except re.error:
        return None
    search = rx.search

    def matches(s: Any) -> bool:
        if type(s) is not str:
            raise _err()
        return search(s) is not None

    return matches


# ====================================================================== compiler


def _compile(node: tuple, fns: Mapping[str, Callable[..., Any]]) -> Fn:
    kind = node[0]
    handler = _COMPILERS.get(kind)
    if handler is None:
        raise _Unsupported(kind)
    return handler(node, fns)


def _c_lit(node: tuple, fns: Any) -> Fn:
    value = node[1]
    return lambda env: value


def _c_unsupported(node: tuple, fns: Any) -> Fn:
    raise _Unsupported(node[1])


def _c_ident(node: tuple, fns: Any) -> Fn:
    name = node[1]

    def ident(env: Mapping[str, Any]) -> Any:
        try:
            return env[name]
        except KeyError:
            raise _err(f"undefined variable {name}") from None

    return ident


def _c_select(node: tuple, fns: Any) -> Fn:
    target, name = _compile(node[1], fns), node[2]

    def select(env: Mapping[str, Any]) -> Any:
        c = target(env)
        if type(c) is dict:
            try:
                return c[name]
            except KeyError:
                raise _err("no such key") from None
        raise _err()

    return select


def _c_has(node: tuple, fns: Any) -> Fn:
    target, name = _compile(node[1], fns), node[2]

    def has(env: Mapping[str, Any]) -> bool:
        c = target(env)
        if type(c) is dict:
            return name in c
        raise _err()

    return has


def _c_index(node: tuple, fns: Any) -> Fn:
    target, idx = _compile(node[1], fns), _compile(node[2], fns)
    return lambda env: _index(target(env), idx(env))


def _c_list(node: tuple, fns: Any) -> Fn:
    items = [_compile(i, fns) for i in node[1]]
    return lambda env: [f(env) for f in items]


def _c_map(node: tuple, fns: Any) -> Fn:
    # Only string-literal keys: Python dicts would merge 1 and true, which CEL keeps apart.
    entries: list[tuple[str, Fn]] = []
    for key, value in node[1]:
        if key[0] != "lit" or type(key[1]) is not str:
            raise _Unsupported("map key")
        entries.append((key[1], _compile(value, fns)))
    return lambda env: {k: f(env) for k, f in entries}


def _c_unary(node: tuple, fns: Any) -> Fn:
    x = _compile(node[2], fns)
    if node[1] == "!":
        return lambda env: _not(x(env))
    return lambda env: _neg(x(env))


def _const(node: tuple) -> tuple[bool, Any]:
    return (True, node[1]) if node[0] == "lit" else (False, None)


def _c_binary(node: tuple, fns: Any) -> Fn:
    op, left, right = node[1], node[2], node[3]
    a, b = _compile(left, fns), _compile(right, fns)
    is_const, const = _const(right)
    # Fast paths for the shapes rules are made of; each gives exactly the general result.
    if op in ("==", "!=") and is_const and type(const) is str:
        # a str never equals a non-str in CEL, nor in Python
        return (lambda env: a(env) == const) if op == "==" else (lambda env: a(env) != const)
    if op == "in" and right[0] == "list" and right[1] and all(
        i[0] == "lit" and type(i[1]) is str for i in right[1]
    ):
        choices = frozenset(i[1] for i in right[1])

        def in_strings(env: Mapping[str, Any]) -> bool:
            v = a(env)
            if type(v) is str:
                return v in choices
            return False  # only _eq-equal to a str is a str (the list is built without errors)

        return in_strings
    if op in ("<", "<=", ">", ">=", "==", "!="):
        general = {"<": _lt, "<=": _le, ">": _gt, ">=": _ge}.get(op)
        if op == "==":
            return lambda env: _eq(a(env), b(env))
        if op == "!=":
            return lambda env: not _eq(a(env), b(env))
        assert general is not None
        pyop = {"<": str.__lt__, "<=": str.__le__, ">": str.__gt__, ">=": str.__ge__}[op]

        def ordered(env: Mapping[str, Any]) -> bool:
            x, y = a(env), b(env)
            if type(x) is str and type(y) is str:
                return pyop(x, y)
            return general(x, y)

        return ordered
    fn = {"+": _add, "-": _sub, "*": _mul, "/": _div, "%": _mod, "in": _in}[op]
    return lambda env: fn(a(env), b(env))


_ERROR = object()  # an absorbed error inside && / ||


def _c_logic(decisive: bool, symbol: str) -> Callable[[tuple, Any], Fn]:
    """``&&`` (decisive false) and ``||`` (decisive true), CEL-style: an error on one side is
    absorbed when the other side decides; otherwise both sides must be bools."""
    def build(node: tuple, fns: Any) -> Fn:
        a, b = _compile(node[1], fns), _compile(node[2], fns)

        def logic(env: Mapping[str, Any]) -> bool:
            try:
                x = a(env)
            except Exception:
                x = _ERROR
            if x is decisive:
                return decisive
            try:
                y = b(env)
            except Exception:
                y = _ERROR
            if y is decisive:
                return decisive
            if x is (not decisive) and y is (not decisive):
                return not decisive
            raise _err(f"{symbol} needs bool operands")

        return logic
    return build


_c_and = _c_logic(False, "&&")
_c_or = _c_logic(True, "||")


def _c_cond(node: tuple, fns: Any) -> Fn:
    c, yes, no = (_compile(n, fns) for n in node[1:])

    def cond(env: Mapping[str, Any]) -> Any:
        v = c(env)
        if v is True:
            return yes(env)
        if v is False:
            return no(env)
        raise _err("condition is not a bool")

    return cond


def _c_call(node: tuple, fns: Mapping[str, Callable[..., Any]]) -> Fn:
    name, args = node[1], [_compile(a, fns) for a in node[2]]
    builtin = _BUILTIN_CALLS.get((name, len(args)))
    if builtin is not None:
        (x,) = args
        return lambda env: builtin(x(env))
    if name in _BUILTIN_NAMES or name not in fns:
        raise _Unsupported(f"function {name}")
    py = fns[name]

    def call(env: Mapping[str, Any]) -> Any:
        values = [f(env) for f in args]
        try:
            return py(*values)
        except Exception as e:  # a domain function that raised is a CEL error
            raise _err(f"{name} failed: {type(e).__name__}") from None

    return call


def _c_method(node: tuple, fns: Any) -> Fn:
    target_node, name, arg_nodes = node[1], node[2], node[3]
    target = _compile(target_node, fns)
    if name == "size" and not arg_nodes:
        return lambda env: _size(target(env))
    if len(arg_nodes) != 1:
        raise _Unsupported(f"method {name}")
    if name == "matches":
        if arg_nodes[0][0] != "lit" or type(arg_nodes[0][1]) is not str:
            raise _Unsupported("matches with a computed pattern")
        m = _matches_fn(arg_nodes[0][1])
        if m is None:
            raise _Unsupported("regex syntax")
        return lambda env: m(target(env))
    method = {"startsWith": _STARTS, "endsWith": _ENDS, "contains": _contains}.get(name)
    if method is None:
        raise _Unsupported(f"method {name}")
    arg = _compile(arg_nodes[0], fns)
    return lambda env: method(target(env), arg(env))


def _iterable(v: Any) -> Iterator[Any]:
    t = type(v)
    if t is list:
        return iter(v)
    if t is dict:
        return iter(list(v))
    raise _err("macro needs a list or map")


def _c_macro(node: tuple, fns: Any) -> Fn:
    kind, var = node[1], node[3]
    target = _compile(node[2], fns)
    body = [_compile(n, fns) for n in node[4]]
    if kind == "exists_one":
        raise _Unsupported("exists_one")

    def scope(env: Mapping[str, Any]) -> dict[str, Any]:
        return dict(env)

    if kind in ("all", "exists"):
        (p,) = body
        decisive = kind == "exists"  # all() stops at the first false, exists() at the first true

        def quantifier(env: Mapping[str, Any]) -> bool:
            items = _iterable(target(env))
            inner = scope(env)
            for item in items:
                inner[var] = item
                r = p(inner)
                if r is decisive:
                    return decisive
                if r is not (not decisive):
                    raise _err("predicate is not a bool")
            return not decisive

        return quantifier
    if kind == "filter":
        (p,) = body

        def filter_(env: Mapping[str, Any]) -> list[Any]:
            items = _iterable(target(env))
            inner = scope(env)
            out = []
            for item in items:
                inner[var] = item
                r = p(inner)
                if r is True:
                    out.append(item)
                elif r is not False:
                    raise _err("predicate is not a bool")
            return out

        return filter_
    if len(body) == 1:
        (e,) = body

        def map_(env: Mapping[str, Any]) -> list[Any]:
            items = _iterable(target(env))
            inner = scope(env)
            out = []
            for item in items:
                inner[var] = item
                out.append(e(inner))
            return out

        return map_
    p, e = body

    def map3(env: Mapping[str, Any]) -> list[Any]:
        items = _iterable(target(env))
        inner = scope(env)
        out = []
        for item in items:
            inner[var] = item
            r = p(inner)
            if r is True:
                out.append(e(inner))
            elif r is not False:
                raise _err("predicate is not a bool")
        return out

    return map3


_BUILTIN_CALLS: dict[tuple[str, int], Callable[[Any], Any]] = {
    ("size", 1): _size,
    ("int", 1): _to_int,
    ("double", 1): _to_double,
    ("string", 1): _to_string,
}
# Names the package defines itself: a domain function may not shadow them here.
_BUILTIN_NAMES = frozenset(
    "size int double string uint bool bytes dyn type duration timestamp matches has "
    "startsWith endsWith contains max min".split()
)

_COMPILERS: dict[str, Callable[[tuple, Any], Fn]] = {
    "lit": _c_lit,
    "unsupported": _c_unsupported,
    "ident": _c_ident,
    "select": _c_select,
    "has": _c_has,
    "index": _c_index,
    "list": _c_list,
    "map": _c_map,
    "unary": _c_unary,
    "binary": _c_binary,
    "and": _c_and,
    "or": _c_or,
    "cond": _c_cond,
    "call": _c_call,
    "method": _c_method,
    "macro": _c_macro,
}


def compile_fast(src: str, functions: Mapping[str, Callable[..., Any]]) -> Fn | None:
    """A closure evaluating ``src`` exactly as the CEL package would, or None.

    None means "outside the subset" (or not parseable here): use the package instead.
    The closure takes the variables (``{"record": {...}, "today": ...}``) and returns
    the value or raises CelEvalError.
    """
    try:
        fn = _compile(parse(src), functions)
    except (CelSyntaxError, _Unsupported, RecursionError):
        return None

    def run(variables: Mapping[str, Any]) -> Any:
        try:
            return fn(variables)
        except CelEvalError:
            raise
        except Exception as e:  # anything Python raised inside is a CEL error too
            raise CelEvalError(f"{type(e).__name__}") from e

    run.__doc__ = src
    run.raw = fn  # type: ignore[attr-defined]  # for callers that catch every exception themselves
    return run
