"""``tmis screenshots``: pictures of the main pages in docs/screenshots/, at 1366×768 and on a phone.

Runs the real app (uvicorn, a fresh SQLite database with the sample school of
``web/forms/sample.py``) and Debian's chromium through Playwright; never downloads a browser.
Run it after changing a page and commit the PNGs, so the docs show what users see.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def take(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from web.app import create_app
    from web.db.migrate import upgrade
    from web.forms import sample
    from web.forms.liveserver import CHROMIUM, CHROMIUM_ARGS, serve
    from web.settings import Settings

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="tmis-shots-"))
    url = f"sqlite:///{tmp / 'shots.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, argon2_time_cost=1, argon2_memory_kib=1024))
    s = sample.seed(app.state.ctx, teachers=8)
    tid = s.teachers[1]
    admin_pages = [
        ("teacher-list", "/forms/teachers"),
        ("basic", f"/forms/teachers/{tid}/sets/basic"),
        ("education", f"/forms/teachers/{tid}/sets/education"),
        ("education-record", f"/forms/teachers/{tid}/sets/education/new"),
        ("assessment", f"/forms/teachers/{tid}/sets/assessment/new"),
        ("completeness", f"/forms/teachers/{tid}/completeness"),
        ("print", f"/forms/teachers/{tid}/print"),
        ("basic-en", f"/forms/teachers/{tid}/sets/basic?lang=en"),
    ]
    written: list[Path] = []
    with serve(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size_name, viewport in SIZES.items():
            page = browser.new_page(viewport=viewport)
            page.goto(base + "/admin/login")
            page.fill("#username", s.manager)
            page.fill("#password", s.password)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            for name, path in admin_pages:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{size_name}.png"
                page.screenshot(path=str(target))
                written.append(target)
            # an error at the field, as the user sees it after leaving the ID number box
            page.goto(base + f"/forms/teachers/{tid}/sets/basic?lang=zh")
            page.fill("#f-id_number", "360102199001011230")
            page.press("#f-id_number", "Tab")
            page.wait_for_selector("#msg-f-id_number .msg-error")
            page.locator("#f-id_number").scroll_into_view_if_needed()
            target = out / f"basic-id-error-{size_name}.png"
            page.screenshot(path=str(target))
            written.append(target)
            # the search-as-you-type list of 3,000+ regions
            page.fill("#f-birth_place-q", "南昌")
            page.wait_for_selector("#f-birth_place-list .opt")
            page.locator("#f-birth_place-q").scroll_into_view_if_needed()
            target = out / f"basic-region-search-{size_name}.png"
            page.screenshot(path=str(target))
            written.append(target)
            page.close()
            # the teacher's own view (first login done in the sample: password set by the school)
            page = browser.new_page(viewport=viewport)
            page.goto(base + "/teacher/login")
            page.fill("#username", s.usernames[tid])
            page.fill("#password", s.password)
            page.click("main button[type=submit]")
            page.wait_for_load_state()
            page.goto(base + f"/forms/teachers/{tid}/sets/assessment")
            target = out / f"teacher-school-set-readonly-{size_name}.png"
            page.screenshot(path=str(target))
            written.append(target)
            page.close()
        browser.close()
    app.state.ctx.engine.dispose()
    return written


def screenshots(out: Path = typer.Option(Path("docs/screenshots"), "--out", help="folder for the PNG files")) -> None:
    """Screenshots of the main pages (1366×768 and phone). 生成主要页面截图。"""
    for path in take(out):
        typer.echo(path)


def register(app: typer.Typer) -> None:
    app.command("screenshots")(screenshots)


if __name__ == "__main__":
    typer.run(screenshots)
