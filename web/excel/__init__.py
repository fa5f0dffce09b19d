"""Excel: generated templates (engine.emit.excel_template), import with errors written back, export.

Modules: ``limits`` (configurable bounds), ``safety`` (refuse bad files before reading them),
``problems`` (one error with sheet, row, column), ``reader`` (calamine, header matching),
``pipeline`` (coerce → clean → validate, duplicates), ``store`` (writing teachers and records),
``report`` (the user's workbook annotated), ``jobs`` (background state in the database),
``export`` and ``service`` (what the CLI and the web call).
"""


def route_handlers() -> list:
    """The Excel API and pages (registered by web.app.feature_handlers)."""
    from web.excel.api import ExcelAPI
    from web.excel.pages import ExcelPages

    return [ExcelAPI, ExcelPages]
