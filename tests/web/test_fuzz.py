"""Fuzzing the JSON API against its own OpenAPI document (issue 14): as an information manager and
as a teacher, every documented operation, generated requests: 0 server errors and 0 answers that
the document does not describe (status, content type, body schema). On SQLite, and on PostgreSQL
in the PostgreSQL pass. A bounded run (at most a minute; fewer examples on a busy machine); ``benchmarks/fuzz.py`` is the larger one."""

from __future__ import annotations

from tests.web.conftest import fresh_database, make_settings
from web.app import create_app
from web.fuzzing import run


def test_fuzzing_finds_no_server_error_and_no_undocumented_answer(tmp_path) -> None:
    with fresh_database(tmp_path) as url:
        app = create_app(make_settings(url))
        try:
            out = run(app, examples=12, seconds=60, seed=0)
        finally:
            app.state.ctx.engine.dispose()
    assert out.calls >= out.operations * 2, out.summary()  # every operation, as each of the two accounts
    assert out.server_errors == [], "\n".join(out.server_errors[:10])
    assert out.violations == [], "\n".join(out.violations[:10])
