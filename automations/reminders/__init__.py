"""Reminders: the messages of automations triggered "N hours before the
appointment", written ahead into the outbox with the booking.

A reminder rule (``alerts.ReminderRule``) holds only the message: its text,
language variants, channel and quiet hours. When it fires, whether it is on and
which visits it applies to belong to its automation (offset, enabled, conditions).

- ``rules``: which reminders a visit gets, and their text in one language;
- ``sync``: the outbox follows the visit and the automation (scheduling calls
  ``reminders_sync`` in its booking transactions);
- ``grouping``: one text naming each visit, for reminders that go to one number
  on one day (``alerts.outbox.grouping`` gathers them), and the C1/C2 choices;
- ``editing``: saving a rule with its automation (the rule pages);
- ``forms`` / ``views``: the reminder-rule pages.
"""
