"""Review (issue 5): submission (报送), level-by-level approval (审核通过 / 退回), additions and
change requests through copies (复本) with field diffs, reviewer queues, timelines, progress and
collection windows.

Layers as elsewhere in web/: ``api`` and ``pages`` (thin handlers) → ``service``, ``changes``,
``queue``, ``progress`` → ``models`` (own tables) and C's tables, every query through web.scope.
"""


def route_handlers() -> list:
    """The review module's API and pages (registered by web.app.feature_handlers)."""
    from web.review.api import ReviewController
    from web.review.pages import ReviewPages

    return [ReviewController, ReviewPages]
