"""A clinic morning under load (``make loadtest``) and under faults (``make chaos``).

Not part of the app and not part of ``make test``: ``scripts/test.sh --load`` starts
the throwaway PostgreSQL, Redis and S3 server of the suite, and ``python -m
loadtest`` (``run.py``) seeds the clinic, starts the production processes (gunicorn,
two ``rqworker``, ``dispatch_due --loop``, a fake Twilio) and drives them with
locust (``locustfile.py``). See README.md, "Load and faults".
"""
