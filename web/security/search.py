"""Searches never carry what was typed in the URL (issue 14, finding 9).

A search box may hold an ID number (or a name): typed into a GET form it would travel in the
address, the browser history, the Referer and every access log on the way. So the pages' search
forms POST what was typed; the server answers with a redirect to the same list whose ``q`` is a
*search token*: ``~`` followed by the search text encrypted (Fernet: AES-128-CBC + HMAC-SHA256,
under a key derived by HKDF from ``TMIS_SECRET_KEY``), bound to the signed-in account and valid
for ``TTL`` seconds — long enough to page through the results, useless in a log. The API takes
searches by POST (``POST /api/v1/teachers/search``) and refuses an ID number in a query string
(W420). ``looks_like_id_number`` is the one test of "is this an ID number" for URLs.
"""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from typing import Any, Mapping
from urllib.parse import urlencode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "~"
TTL = 30 * 60  # seconds a search token stays valid
# a run of 15 or more digits (X at the end allowed): an ID number, whole or nearly whole
_ID_RUN = re.compile(r"[0-9０-９]{14,}[0-9０-９XxＸｘ]")


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tmis-search-token",
               info=b"fernet-v1").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, account_id: int | None, text: str) -> str:
    """The token standing for ``text`` in a URL ('' for nothing typed)."""
    if not text:
        return ""
    body = json.dumps([account_id, text], ensure_ascii=False).encode()
    return PREFIX + _fernet(secret_key).encrypt(body).decode()


def unseal(secret_key: str, account_id: int | None, value: str | None) -> str:
    """What a list's ``q`` stands for: the text of a token (its own account's, not expired; else
    ''), or a plain value as it is (a name typed into a link by hand)."""
    if not value:
        return ""
    if not value.startswith(PREFIX):
        return value
    try:
        owner, text = json.loads(_fernet(secret_key).decrypt(value[len(PREFIX):].encode(), ttl=TTL))
    except (InvalidToken, ValueError, TypeError):
        return ""
    return str(text) if owner == account_id else ""


def looks_like_id_number(text: str | None) -> bool:
    return bool(text) and _ID_RUN.search(text.replace(" ", "")) is not None


# ------------------------------------------------------------------ pages


def query(ctx: Any, principal: Any, value: str | None) -> tuple[str, str]:
    """A list page's ``q``: (the search text, the token for the page's own links)."""
    text = unseal(ctx.settings.secret_key, principal.account_id, (value or "").strip())
    return text, seal(ctx.settings.secret_key, principal.account_id, text)


def redirect(path: str, ctx: Any, principal: Any, form: Mapping[str, list[str]], keep: tuple[str, ...] = ()) -> Any:
    """The answer to a search form's POST: the list again, ``q`` as a token (303)."""
    from litestar.response import Redirect

    text = ((form.get("q") or [""])[0]).strip()
    params = {"q": seal(ctx.settings.secret_key, principal.account_id, text)} if text else {}
    params.update({k: (form.get(k) or [""])[0] for k in keep if (form.get(k) or [""])[0]})
    return Redirect(path=f"{path}?{urlencode(params)}" if params else path, status_code=303)
