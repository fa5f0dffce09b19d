"""Cases with two parties (issue 15 §2): transfers, rotations, status changes.

A case follows a workflow of ``engine/workflow.py`` (YAML): the steps are resolved to units
from the unit tree when the case starts (``service.start``) and stored on the row, so a unit's
queue is one indexed look-up. ``service.act`` is one transition in the caller's transaction:
the row is locked (``SELECT … FOR UPDATE``) and its version checked, the new state written, one
row appended to ``case_transitions`` (who, unit, action, reason, time, names copied in) and, on
the last approval, the kind's side effect run (``web.people.moves`` / ``status``) — all or
nothing. One open case per teacher (``open_teacher_id`` is unique).

Modules (modules/transfer, modules/rotation, modules/status_change) register what a kind does
(``service.register``: what completing it does; ``service.register_pages``: its pages and how
they start one) and reach the app through their plugins only.
"""



def route_handlers() -> list:
    """The generic case pages (/cases/<slug>); each kind's API, menu entry, home-page count and
    page start come from its module's plugin (web/hooks.py: register_routes, menu_entries,
    home_todos; ``service.register_pages``)."""
    from web.cases.pages import CasePages

    return [CasePages]
