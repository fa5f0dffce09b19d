"""People move, files do not: where a teacher belongs, over time.

A teacher's file is one set of rows that never moves or gets copied. What changes is *ownership*:
``teachers.unit_id`` is the unit holding the teacher's personnel relation (人事关系) today, and
every query of scope (web/scope.py) filters on it, so access follows the current assignment by
itself. ``teacher_assignments`` keeps the history as dated rows (``models``): a transfer end-dates
the appointment at the old unit and opens one at the new unit; a secondment (交流轮岗 without a
change of personnel relation) is a second, time-boxed row whose working unit differs from the
personnel unit; leaving, retiring or dying ends the appointment.

- ``history``: the dated rows, written by the services below, and read "as of" a date
  (``unit_on``, ``units_on``) for statistics.
- ``roll``: who counts as active ("on the roll"), in one place.
- ``moves``: the completion effects of a transfer, a secondment and a status change, each in the
  caller's transaction, audited.
- ``clock``: today's date, frozen in tests.
"""
