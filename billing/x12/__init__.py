"""X12 005010 for billing: the 837P writer, the 835 reader, 999 / 277CA readers and
the payer-side writers that demo data, tests and benchmarks use. Delimiters,
element text, envelopes and the tokenizer are the shared toolkit's (``clinic.x12``),
the same the 270/271 use."""
