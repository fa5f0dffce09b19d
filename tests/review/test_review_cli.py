"""``tmis review`` acts as a named account through the same services (scope, audit)."""

from __future__ import annotations

from typer.testing import CliRunner

from web.cli import app as cli


def test_window_progress_and_queue_from_the_command_line(db_url, world, new_teacher):
    run = CliRunner().invoke
    r = run(cli, ["review", "window", "--as", "info_manager@3602", "--unit", "3602", "--title", "年度信息更新",
                  "--due", "2099-03-31", "--database-url", db_url])
    assert r.exit_code == 0, r.output
    assert "年度信息更新" in r.output
    r = run(cli, ["review", "window", "--as", "info_viewer@3602", "--unit", "3602", "--title", "x",
                  "--due", "2099-03-31", "--database-url", db_url])
    assert r.exit_code == 1 and "W201" in r.output
    r = run(cli, ["review", "progress", "--as", "info_manager@3602", "--database-url", db_url])
    assert r.exit_code == 0 and "昌江区" in r.output and "还剩" in r.output
    r = run(cli, ["review", "queue", "--as", "info_reviewer@3602020001", "--database-url", db_url])
    assert r.exit_code == 0 and "waiting" in r.output
