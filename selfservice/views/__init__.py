"""The patient's link pages (``links``: no log-in) and the front desk's intake
pages (``intakes``)."""
