"""Copying a record's fields into a new one (a replacement claim, a resent message,
an automation's copy)."""


def fields_of(record, names: str) -> dict:
    """``{name: record.<name>}`` for each of the space-separated ``names`` (as
    ``namedtuple`` takes them), to pass to a new record."""
    return {name: getattr(record, name) for name in names.split()}
