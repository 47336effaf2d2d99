"""The lean field reader (diagnostics.hl7v2.segments) reads every field of a
message as python-hl7's ``hl7.parse`` did before it: the fixtures, hand-made
awkward messages and messages hypothesis makes up."""

from pathlib import Path

import hl7
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.hl7v2.checks import ack_for
from diagnostics.hl7v2.parsing import parse_oru, split_messages
from diagnostics.hl7v2.segments import Segments

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "MSH|^~\\&|LAB|ACME|CLINICOPS|CLINIC|20261127083000||ORU^R01|M-1|P|2.5.1"
STANDARD = "|^~\\&"
ODD = "#*$!@"  # field, component, repetition, escape, subcomponent


def _library_reps(message, segment, number: int) -> list[list[str]]:
    """How parse_oru read a field through python-hl7 until the lean reader."""
    if len(segment) <= number:
        return []
    field = segment[number]
    if isinstance(field, str):
        reps = [[field]]
    else:
        reps = [[r] if isinstance(r, str) else [str(c) for c in r] for r in field]
    return [[message.unescape(c) for c in rep] for rep in reps if any(rep)]


def _assert_read_alike(text: str) -> None:
    library = hl7.parse(text)
    lean = Segments(text)
    assert len(lean.all) == len(library)
    for segment, fields in zip(library, lean.all, strict=True):
        assert fields[0] == str(segment[0])
        assert len(fields) == len(segment)
        header = fields[0] in ("MSH", "BHS", "FHS") and len(fields) > 1
        for number in range(3 if header else 1, len(fields) + 2):
            reps = _library_reps(library, segment, number)
            assert lean.reps(fields, number) == reps
            for component in (1, 2, 3, 5):
                first = reps[0] if reps else []
                value = first[component - 1].strip() if len(first) >= component else ""
                assert lean.get(fields, number, component) == value


def _fixture_messages() -> list[str]:
    messages = []
    for path in sorted(FIXTURES.glob("*.hl7")):
        messages += split_messages(path.read_text(encoding="utf-8"))
    return messages


def test_every_fixture_message_reads_as_python_hl7_read_it():
    messages = _fixture_messages()
    assert len(messages) >= 7
    for text in messages:
        _assert_read_alike(text)


AWKWARD = [
    "PID|1||12345^^^CLINIC^MR~99^^^OTHER||O\\T\\Brien^Ann\\S\\Marie||19800101",
    "OBX|1|TX|1-8^Note^LN||line one\\.br\\line two~~second \\F\\ rep\\E\\|",
    "OBX|2|ST|1-8||\\X41422043\\ and \\H\\bold\\N\\ \\Zunknown\\ \\\\ end",
    "OBX|3|SN|1-8||>^5&x^^|mg&unit|1-2&3~4^5||||F",
    "NTE",
    "NTE^1",
    "ZZZ|a&b&c|^^|~~|",
    "OBR||||",
    "\rPID|1",
    "",
]


def test_awkward_fields_read_as_python_hl7_read_them():
    for encoding in (STANDARD, ODD):
        swap = str.maketrans(STANDARD, encoding)
        for line in AWKWARD:
            _assert_read_alike(f"{HEADER}\r{line}\r".translate(swap))
    _assert_read_alike(HEADER.replace("\\&", "\\&#") + "\rPID|1")


def test_the_ack_made_from_the_header_alone_is_the_one_from_the_whole_message():
    for text in _fixture_messages():
        try:
            parsed = parse_oru(text)
        except Exception:  # noqa: BLE001 - refused messages are answered from the text
            continue
        for code, note in (("AA", ""), ("AE", "OBX 2 needs a number|^~\\&")):
            lean = ack_for(text, code, note, "ACK7", parsed.message).split("\r")
            whole = ack_for(text, code, note, "ACK7", hl7.parse(text)).split("\r")
            # MSH-7 is the moment the ACK was made.
            assert [s.split("|")[:6] + s.split("|")[7:] for s in lean] == [
                s.split("|")[:6] + s.split("|")[7:] for s in whole
            ]


PIECES = st.sampled_from(
    ["a", "7", " ", "|", "^", "~", "&", "\\F\\", "\\S\\", "\\T\\", "\\R\\", "\\E\\"]
    + ["\\X4142\\", "\\.br\\", "\\", "\\H\\", "\\.sp2\\", "\\Cxx\\"]
)
SEGMENT = st.tuples(
    st.sampled_from(["PID", "OBR", "OBX", "NTE", "ZXX", "OB"]),
    st.lists(PIECES, max_size=25).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([STANDARD, ODD]),
    st.lists(SEGMENT, min_size=1, max_size=6),
    st.sampled_from(["\r", "", "\r  ", " \r\r"]),
)
def test_made_up_messages_read_as_python_hl7_reads_them(encoding, segments, tail):
    lines = [f"{seg}|{body}" for seg, body in segments]
    text = "\r".join([HEADER, *lines]).translate(str.maketrans(STANDARD, encoding))
    _assert_read_alike(text + tail)
