"""交流轮岗 (exchange rotation, issue 15 §4; art. 24): the sending school starts.

- without a change of personnel relation (``relation: false``, workflow ``rotation``): its
  authority confirms; completion is a time-boxed secondment (web.people.moves.second) and the
  交流轮岗 record written from the case; it ends by itself on its end date;
- with one (``relation: true``, workflow ``rotation_relation``): sending school → its authority →
  receiving school → its authority; completes as a transfer, with its 交流轮岗 record.

It reaches the app through its plugin (plugin.py): the API /api/v1/rotations and the pages /cases/rotations."""

