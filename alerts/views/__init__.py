"""alerts' pages: the staff inbox (``inbox``), the outbox (``outbox``) and the old
reminder-rule addresses that redirect to automations (``rules``)."""
