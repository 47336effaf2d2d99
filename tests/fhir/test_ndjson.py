"""NDJSON lines of a bulk export (fhir/ndjson.py): orjson's bytes are json's,
except small floats, which still parse to the same numbers."""

import json

from fhir.ndjson import ndjson_line


def _json(resource) -> bytes:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_line_is_what_json_writes():
    resource = {
        "resourceType": "Patient",
        "name": [{"family": 'O\'Brien "Ñúñez"\t½ 😀\u2028', "given": ["Zoë"]}],
        "note": "line\nbreak\r\x00\x1f\x7f</script>",
        "active": False,
        "valueQuantity": {"value": 4.2, "big": 1.2345678901234568e16, "n": -3},
    }
    assert ndjson_line(resource) == _json(resource)


def test_small_floats_differ_in_spelling_only():
    for value in (1e-05, 3e-07, 0.0001, 2.5e-10):
        line = ndjson_line({"value": value})
        assert json.loads(line) == {"value": value}


def test_a_number_orjson_cannot_write_goes_through_json():
    resource = {"value": 10**30}
    assert ndjson_line(resource) == _json(resource)
