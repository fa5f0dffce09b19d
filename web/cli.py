"""The ``tmis`` command. Each area registers its commands from its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tmis",
    help="教师管理信息系统 Teacher Management Information System: check definitions, run the system, import data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _register() -> None:
    # Imports are local so that `tmis check` does not load the web stack.
    from web import cli_engine

    for module in (cli_engine,):
        module.register(app)
    for name in ("cli_db", "cli_excel", "cli_review", "cli_forms", "cli_people", "cli_impact", "cli_tier"):
        try:
            module = __import__(f"web.{name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != f"web.{name}":
                raise
            continue
        module.register(app)
    _register_modules()


def _register_modules() -> None:
    """Each business module's commands: ``modules/<name>/cli.py`` with ``register(app)`` (e.g.
    ``tmis stats``); a module deleted takes its commands with it."""
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "modules"
    for cli in sorted(root.glob("*/cli.py")):
        module = importlib.import_module(f"modules.{cli.parent.name}.cli")
        if hasattr(module, "register"):
            module.register(app)


_register()

if __name__ == "__main__":
    app()
