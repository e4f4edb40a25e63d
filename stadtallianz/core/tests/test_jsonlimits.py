"""The bounded JSON parser: every limit refuses several members of its class with InvalidJson
naming the limit and the place, and what is within the limits parses as json.loads would."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stadtallianz.core.jsonlimits import (
    MAX_DEPTH,
    MAX_INTEGER,
    MAX_MEMBERS,
    MAX_STRING_LENGTH,
    InvalidJson,
    JsonLimits,
    check_value,
    parse_json,
    safe_excerpt,
)

LIMITS = JsonLimits(max_bytes=8 * 1024 * 1024)


def refused(raw, limits=LIMITS) -> InvalidJson:
    with pytest.raises(InvalidJson) as caught:
        parse_json(raw, limits)
    assert caught.value.limit in caught.value.message or caught.value.limit == "syntax"
    return caught.value


def nested(depth: int, opening="[", closing="]", inner="1") -> bytes:
    return (opening * depth + inner + closing * depth).encode()


@pytest.mark.parametrize("raw", [
    nested(MAX_DEPTH + 1),
    nested(5000),
    nested(100_000),  # json.loads alone raises RecursionError here
    b'{"a":' * 40 + b"1" + b"}" * 40,
    b'[{"a":' * 20 + b"1" + b"}]" * 20,
    b"[" * 200_000,  # unbalanced: still refused by depth, not by recursion
    b'{"x":"[[[[", "y":' + nested(MAX_DEPTH + 1) + b"}",
    b'["\\\\"' + b"," + nested(MAX_DEPTH + 1) + b"]",  # an escaped backslash before a quote
])
def test_depth_is_refused_without_recursion(raw):
    error = refused(raw)
    assert error.limit == "depth"
    assert f"deeper than {MAX_DEPTH}" in error.message


def test_depth_at_the_limit_and_brackets_inside_strings_are_accepted():
    assert parse_json(nested(MAX_DEPTH)) is not None
    deep_text = json.dumps({"text": "[" * 1000 + "{" * 1000, "quote": '\\"[[[['})
    assert parse_json(deep_text.encode())["text"].startswith("[[[")


@pytest.mark.parametrize("raw,path", [
    (json.dumps({"a": "x" * (MAX_STRING_LENGTH + 1)}), "$.a"),
    (json.dumps(["ok", "é" * (MAX_STRING_LENGTH + 1)]), "$[1]"),
    (json.dumps({"k" * (MAX_STRING_LENGTH + 1): 1}), "$"),
    (json.dumps({"result": {"deep": ["y" * (MAX_STRING_LENGTH + 5)]}}), "$.result.deep[0]"),
])
def test_string_length(raw, path):
    error = refused(raw.encode())
    assert (error.limit, error.path) == ("string length", path)
    assert str(MAX_STRING_LENGTH) in error.message and path in error.message


@pytest.mark.parametrize("raw,path", [
    ("[" + ",".join(["0"] * (MAX_MEMBERS + 1)) + "]", "$"),
    ('{"a":[' + ",".join(["null"] * (MAX_MEMBERS + 1)) + "]}", "$.a"),
    ("{" + ",".join(f'"k{i}":1' for i in range(MAX_MEMBERS + 1)) + "}", "$"),
])
def test_members(raw, path):
    error = refused(raw.encode())
    assert (error.limit, error.path) == ("members", path)


@pytest.mark.parametrize("raw,limit,path", [
    (b"[NaN]", "number", "$"),
    (b'{"a": Infinity}', "number", "$"),
    (b"-Infinity", "number", "$"),
    (b'{"a": [1e999]}', "number", "$.a[0]"),
    (b'{"a": -1e400}', "number", "$.a"),
    (b'{"n": 9223372036854775808}', "integer range", "$.n"),
    (b'{"n": -9223372036854775808}', "integer range", "$.n"),
    (b'{"n": [0, 1' + b"0" * 5000 + b"]}", "integer range", "$.n[1]"),  # over Python's 4,300
    (b'{"n": -' + b"9" * 100_000 + b"}", "integer range", "$.n"),
])
def test_number_ranges(raw, limit, path):
    error = refused(raw)
    assert (error.limit, error.path) == (limit, path)


def test_integers_keep_type_and_precision():
    value = parse_json(b'{"a": 9007199254740993, "b": -9223372036854775807, "c": 1, "d": 1.0}')
    assert value == {"a": 9007199254740993, "b": -MAX_INTEGER, "c": 1, "d": 1.0}
    assert type(value["c"]) is int and type(value["d"]) is float


@pytest.mark.parametrize("raw,path", [
    (b'"\\ud800"', "$"),
    (b'{"a": "x\\udfffy"}', "$.a"),
    (b'{"\\udbff": 1}', "$"),
    (b'["\\ud83d"]', "$[0]"),  # the high half of a pair alone
    (b'["\\ude00\\ud83d"]', "$[0]"),  # a pair in the wrong order
    (b'{"a": "\\u0000"}', "$.a"),
    (b'{"a\\u0000b": {"c": 1}}', "$"),
    (b'[[["ok", "nul \\u0000 inside"]]]', "$[0][0][1]"),
])
def test_characters_that_cannot_be_stored(raw, path):
    error = refused(raw)
    assert (error.limit, error.path) == ("characters", path)


@pytest.mark.parametrize("raw", [b"\xff", b'"\xc3"', b'"\xed\xa0\x80"', b'["a", "\x80"]',
                                 '"\ud800"', "[\x00]"])
def test_invalid_utf8_and_raw_bad_characters(raw):
    assert refused(raw).limit == "characters"


def test_valid_pairs_and_text_are_accepted():
    assert parse_json(b'["\\ud83d\\ude00", "\xc3\xa4", "\\u00e4"]') == ["😀", "ä", "ä"]
    assert parse_json(b"\xef\xbb\xbf[1]") == [1]  # a UTF-8 byte order mark is tolerated


def test_size():
    limits = JsonLimits(max_bytes=100)
    error = refused(b"[" + b"1," * 60 + b"1]", limits)
    assert error.limit == "size" and "100" in error.message
    assert refused("[" + "1," * 60 + "1]", limits).limit == "size"
    assert parse_json(b"[" + b"1," * 40 + b"1]", limits)[0] == 1


def test_size_defaults_to_the_upload_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50
    assert refused(b"[" + b'"abc",' * 20 + b"1]", JsonLimits()).limit == "size"


@pytest.mark.parametrize("raw", [b"", b"{", b"[1,]", b"{'a': 1}", b"nul", b'"' + b'\\"' * 50_000,
                                 b'{"a" 1}', b"[1] [2]"])
def test_syntax(raw):
    assert refused(raw).limit == "syntax"


def test_check_value_on_decoded_values():
    check_value({"a": [1, 2.5, "x", None, True]})
    value: list = []
    inner = value
    for _level in range(5000):  # deep enough to break a recursive checker
        inner.append([])
        inner = inner[0]
    with pytest.raises(InvalidJson) as caught:
        check_value(value)
    assert caught.value.limit == "depth"
    with pytest.raises(InvalidJson) as caught:
        check_value({"a": {"b": float("nan")}})
    assert caught.value.path == "$.a.b"
    with pytest.raises(InvalidJson) as caught:
        check_value({"a": object()})
    assert caught.value.limit == "syntax"


def test_path_of_hostile_keys_stays_short_and_printable():
    key = "\n" * 10_000
    error = refused(json.dumps({key: {"b": "\u0000"}}).encode())
    assert len(error.path) < 300 and "\n" not in error.path and "\\\\x0a" in error.path


def test_safe_excerpt():
    assert safe_excerpt(b'\x00ab\xff\n"') == '\\x00ab\ufffd\\x0a"'
    assert safe_excerpt("x\ud800y") == "x\ufffdy"
    assert len(safe_excerpt(b"a" * 10_000)) == 500
    assert safe_excerpt("<b>") == "<b>"  # made storable, not HTML-escaped (templates escape)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_INTEGER, MAX_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_values_within_the_limits_parse_like_json_loads(value):
    raw = json.dumps(value, ensure_ascii=False)
    try:
        expected = json.loads(raw)
    except RecursionError:  # pragma: no cover - hypothesis keeps values shallow
        return
    text_ok = all("\x00" not in s and not any("\ud800" <= c <= "\udfff" for c in s)
                  for s in _strings(value))
    if text_ok:
        assert parse_json(raw.encode("utf-8")) == expected
        assert parse_json(json.dumps(value).encode()) == expected  # with \\u escapes too
    else:
        assert refused(json.dumps(value).encode()).limit == "characters"


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
