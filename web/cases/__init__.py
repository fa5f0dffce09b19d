"""Cases with two parties (issue 15 §2): transfers, rotations, status changes.

A case follows a workflow of ``engine/workflow.py`` (YAML): the steps are resolved to units
from the unit tree when the case starts (``service.start``) and stored on the row, so a unit's
queue is one indexed look-up. ``service.act`` is one transition in the caller's transaction:
the row is locked (``SELECT … FOR UPDATE``) and its version checked, the new state written, one
row appended to ``case_transitions`` (who, unit, action, reason, time, names copied in) and, on
the last approval, the kind's side effect run (``web.people.moves`` / ``status``) — all or
nothing. One open case per teacher (``open_teacher_id`` is unique).

Modules (modules/transfer, modules/rotation, modules/status_change) register what a kind does
(``service.register``): who starts it and what completing it does.
"""

MODULES = ("modules.transfer", "modules.rotation", "modules.status_change")


def route_handlers() -> list:
    """The mobility modules' handlers (each module's own ``route_handlers()``), registered by
    web.app.feature_handlers until the module platform's hooks collect them."""
    from importlib import import_module

    from web.cases.pages import CasePages

    return [*(h for name in MODULES for h in import_module(name).route_handlers()), CasePages]
