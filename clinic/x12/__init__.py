"""The X12 005010 toolkit every transaction the clinic writes or reads is built on.

* ``clinic.x12.elements``: the delimiters, the rule for text inside an element
  (``clean``; ``delimiters_in`` for refusing input up front), element formats
  (amounts, dates, codes) and ``segment`` / ``composite``;
* ``clinic.x12.envelope``: ISA/IEA, GS/GE and ST/SE with their counts and control
  numbers, and the interchange as text;
* ``clinic.x12.reader``: the tokenizer (``split_segments`` into ``Segment``), which
  honours whatever delimiters the ISA declares, and ``X12Error``.

Transaction specifics live with their owners: 270/271 in
``registration.eligibility.x12``, 837P/835/999/277CA in ``billing.x12``.
"""
