"""The credit pages in English (?lang=en): labels that have an English form show it — a project's
level and type from engine.credits (LEVELS/TYPES), and a label's colon is the English ': ', not '：'."""

from __future__ import annotations

import re

from modules.credits.tests.test_api import _project

HAN_LABEL = re.compile(r"[A-Za-z)]：")  # an English label followed by the full-width colon


def test_projects_page_in_english_shows_english_levels_types_and_colons(as_user):
    manager = as_user("info_manager@360102")
    p = _project(manager, name="English labels project", level="county", type="blended")
    for url in ("/credits/projects/?lang=en", f"/credits/projects/{p['id']}?lang=en", "/credits/?lang=en"):
        page = manager.get(url)
        assert page.status_code == 200, url
        assert not HAN_LABEL.search(page.text), (url, HAN_LABEL.search(page.text))
        # the list may hold other tests' projects, whose names are Chinese: only this project's row is read
        own = page.text.split(f'<tr id="project-{p["id"]}">')[1].split("</tr>")[0] if "/projects/?" in url else page.text
        for zh in ("县级", "混合式", "集中面授"):
            assert zh not in own, (url, zh)
    listed = manager.get("/credits/projects/?lang=en").text
    assert "County" in listed and "Blended" in listed and "Training projects: " in listed
    assert "县级" in manager.get("/credits/projects/?lang=zh").text
