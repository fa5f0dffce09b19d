"""Reading a page in English (?lang=en) for Chinese left in it: ``han_left`` returns the page's
visible lines (text and the title/placeholder/aria-label/alt attributes) that still hold a Han
character or full-width punctuation once the given names are taken out (people's, units' and
projects' names and other text people typed are theirs to write in Chinese). The language switch
(中文) is no leak."""

from __future__ import annotations

import html
import re
from typing import Iterable

HAN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_SWITCH = re.compile(r'<a class="lang"[^>]*>中文</a>')
_HIDDEN = re.compile(r"<script.*?</script>|<style.*?</style>", re.S)
_ATTRS = re.compile(r'(?:title|placeholder|aria-label|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    page = _HIDDEN.sub("", _SWITCH.sub("", page))
    return html.unescape(re.sub(r"<[^>]+>", "\n", page) + "\n" + "\n".join(_ATTRS.findall(page)))


def han_left(page: str, allowed: Iterable[str]) -> list[str]:
    text = visible_text(page)
    for name in sorted({a for a in allowed if a}, key=len, reverse=True):
        text = text.replace(name, " ")
    return [line.strip() for line in text.splitlines() if HAN.search(line)]
