"""Fixtures of the forms tests: the web tier's real database, app and world (tests/web/conftest.py),
plus helpers to drive the HTML forms the way a browser does (CSRF cookie + hidden field)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("tmis_web_conftest", Path(__file__).parent.parent / "web" / "conftest.py")
_web = importlib.util.module_from_spec(_spec)
sys.modules["tmis_web_conftest"] = _web
assert _spec.loader is not None
_spec.loader.exec_module(_web)

# the same fixtures (their own instances for this folder: a database of its own)
pg_admin_url = _web.pg_admin_url
db_url = _web.db_url
settings = _web.settings
app = _web.app
ctx = _web.ctx
db = _web.db
world = _web.world
as_user = _web.as_user
anon = _web.anon
pytest_configure = _web.pytest_configure
PASSWORD = _web.PASSWORD
Client = _web.Client
four_items = _web.four_items
new_id_number = _web.new_id_number

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF field on the page"
    return m.group(1)


def post_form(client, page_url: str, action: str, data: dict, **kw):
    """GET the page (for the CSRF token), then POST the form as a browser would."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text[:500]
    body = {"_csrf_token": csrf_of(page.text), **data}
    return client.post(action, data=body, follow_redirects=False, **kw)
