"""The one way a JSON body is read: `parse_json` is json.loads with bounds, so no single message
or request can exhaust the parser, the worker or the database (docs/api.md "Input limits").

Every JSON body is read through it: the MQTT payloads (sensorthings/mqtt/payload.py), the
SensorThings HTTP writes (sensorthings/write/values.py) and the /api/v1/ API (config/api.py's
parser). A value over a limit raises `InvalidJson`, whose message names the limit and where in
the document (a JSON path such as `$.result[3].name`) it was exceeded; callers answer it with
their own error shape (SensorThings 400, /api/v1/ 422).

The limits:
- size: the body in bytes (by default DATA_UPLOAD_MAX_MEMORY_SIZE; MQTT uses its own);
- depth: arrays and objects nested at most 32 levels. Checked on the raw text *before* json.loads,
  whose C scanner recurses once per level and would raise RecursionError on deep input;
- string length: every string (keys too) at most 100,000 characters;
- members: an array or object at most 100,000 items;
- integer range: |n| <= 2**63 - 1 (what both databases' JSON can hold), kept as int;
- number: floats finite (a literal like 1e999 is refused, so are NaN and Infinity, which
  Python accepts but JSON does not);
- characters: valid UTF-8, and no string holding a lone surrogate (`"\\ud800"`) or U+0000, which
  cannot be encoded to UTF-8 and PostgreSQL's text and jsonb cannot hold.
"""

import json
import math
import re
from dataclasses import dataclass, replace
from itertools import accumulate

MAX_DEPTH = 32
MAX_STRING_LENGTH = 100_000
MAX_MEMBERS = 100_000
MAX_INTEGER = 2**63 - 1
# An integer literal longer than this is out of range anyway; refusing it by its length first
# keeps int() (and Python's own 4,300-digit limit) from ever seeing it.
MAX_INTEGER_DIGITS = len(str(MAX_INTEGER)) + 1
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# A string in the raw text once its escaped backslashes and quotes are gone, closing quote
# optional: an unterminated string is swallowed to the end in one linear match.
_STRING = re.compile(r'"[^"]*"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Characters a decoded string must not hold: U+0000 and the surrogate code points, which occur
# only alone (from an escape like \ud800; a valid pair is decoded to one character).
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_SIMPLE_KEY = re.compile(r"[A-Za-z_@][A-Za-z0-9_@.]*\Z")


@dataclass(frozen=True)
class JsonLimits:
    """The bounds of one kind of input. max_bytes None: DATA_UPLOAD_MAX_MEMORY_SIZE."""

    max_bytes: int | None = None
    max_depth: int = MAX_DEPTH
    max_string_length: int = MAX_STRING_LENGTH
    max_members: int = MAX_MEMBERS
    max_integer: int = MAX_INTEGER

    def body_bytes(self) -> int:
        if self.max_bytes is not None:
            return self.max_bytes
        from django.conf import settings

        return (getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or DEFAULT_MAX_BYTES)

    def with_bytes(self, max_bytes: int) -> "JsonLimits":
        return replace(self, max_bytes=max_bytes)


DEFAULT_LIMITS = JsonLimits()


class InvalidJson(ValueError):
    """A body that is not JSON or exceeds a limit. `limit` names the rule ("size", "depth",
    "string length", "members", "integer range", "number", "characters" or "syntax"), `path`
    where in the document (a JSON path, "$" for the whole; for the raw-text checks the
    character offset), `message` says both. `location` is the path as keys and indices (empty
    when the place is not known from the decoded value)."""

    def __init__(self, limit: str, message: str, path: str = "$",
                 location: tuple[str | int, ...] = ()):
        self.limit, self.path, self.message, self.location = limit, path, message, location
        super().__init__(message)


def parse_json(raw: bytes | bytearray | memoryview | str, limits: JsonLimits = DEFAULT_LIMITS):
    """The value of a JSON text, every limit checked; InvalidJson otherwise. Integers stay int
    (with their full precision), other numbers are float."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
        if len(raw) > limits.body_bytes():
            raise _too_large(len(raw), limits)
        try:
            # RFC 8259: JSON exchanged between systems is UTF-8 (a leading BOM is tolerated).
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidJson("characters", "The body is not valid UTF-8 at byte "
                              f"{error.start} (limit: characters).",
                              f"byte {error.start}") from None
    else:
        text = raw
        if len(text) > limits.body_bytes():  # characters: at least as many bytes
            raise _too_large(len(text), limits)
        if bad := _BAD_CHARACTER.search(text):
            # Raw (unescaped) NUL or surrogates in a str; json.loads would let surrogates through.
            raise InvalidJson("characters", "The body holds a character that is not valid "
                              f"Unicode text (U+{ord(bad.group()):04X}; limit: characters).",
                              f"character {bad.start()}")
    if text.startswith("\ufeff"):
        text = text[1:]
    _check_depth(text, limits.max_depth)
    try:
        value = _DECODER.decode(text)
    except InvalidJson:
        raise
    except ValueError as error:  # JSONDecodeError is a ValueError
        raise InvalidJson("syntax", f"The body is not valid JSON: {error}.") from None
    except RecursionError:  # pragma: no cover - _check_depth bounds the nesting first
        raise InvalidJson("depth", f"The JSON is nested deeper than {limits.max_depth} "
                          "levels.") from None
    # Decoded UTF-8 holds no surrogate, and json.loads refuses a raw control character: NUL and
    # lone surrogates can only come from \\u escapes, so the strings are searched only then.
    check_value(value, limits, characters=_RISKY_ESCAPE.search(text) is not None)
    return value


def check_value(value, limits: JsonLimits = DEFAULT_LIMITS, path: str = "$", *,
                characters: bool = True) -> None:
    """Checks an already decoded value (from json.loads elsewhere, a form, a file) against the
    limits other than size; InvalidJson naming the limit and the path. Iterative, so a deep
    value cannot exhaust the stack here either. `characters` False skips the search for NUL and
    lone surrogates (parse_json knows when the text cannot hold them)."""
    max_string, max_integer = limits.max_string_length, limits.max_integer
    containers: list[tuple[object, int, tuple | None]] = []
    _check_item(value, 0, None, limits, path, containers, characters)
    while containers:
        item, depth, trail = containers.pop()
        if depth >= limits.max_depth:
            raise _error("depth", f"The JSON is nested deeper than {limits.max_depth} levels at "
                         "{path} (limit: depth).", path, trail)
        if len(item) > limits.max_members:
            kind = "object" if type(item) is dict else "array"
            raise _error("members", f"The {kind} at {{path}} has {len(item)} members, more "
                         f"than {limits.max_members} (limit: members).", path, trail)
        pairs = item.items() if type(item) is dict else enumerate(item)
        for key, child in pairs:
            if type(key) is not int:
                if type(key) is not str:
                    raise _error("syntax", "A key at {path} is not a string.", path, trail)
                if len(key) > max_string or (characters and _BAD_CHARACTER.search(key)):
                    _check_string(key, limits, path, trail, is_key=True)
            # The common scalars inline (this loop runs for every value of a large body).
            kind = type(child)
            if kind is str:
                if len(child) <= max_string and not (characters and _BAD_CHARACTER.search(child)):
                    continue
            elif kind is float:
                if child - child == 0:  # finite (inf - inf and nan - nan are nan)
                    continue
            elif kind is int and -max_integer <= child <= max_integer:
                continue
            _check_item(child, depth + 1, (trail, key), limits, path, containers, characters)


def _check_item(item, depth: int, trail, limits: JsonLimits, path: str, containers,
                characters: bool) -> None:
    kind = type(item)
    if kind is float:
        if not math.isfinite(item):
            raise _error("number", "The number at {path} is not finite (limit: number).",
                         path, trail)
    elif kind is str:
        if len(item) > limits.max_string_length or characters:
            _check_string(item, limits, path, trail)
    elif kind is int:
        if not -limits.max_integer <= item <= limits.max_integer:
            raise _out_of_range(limits, path, trail)
    elif kind is dict or kind is list or kind is tuple:
        containers.append((item, depth, trail))
    elif item is None or kind is bool:
        return
    elif kind is _LongInteger:
        raise _out_of_range(limits, path, trail)
    elif isinstance(item, (int, float, str)):  # subclasses (not bool): checked like their base
        base = int if isinstance(item, int) else float if isinstance(item, float) else str
        _check_item(base(item), depth, trail, limits, path, containers, characters)
    else:
        raise _error("syntax", f"The value at {{path}} is not a JSON value ({kind.__name__}).",
                     path, trail)


def _out_of_range(limits: JsonLimits, path: str, trail) -> "InvalidJson":
    return _error("integer range", "The integer at {path} is too large: outside the range "
                  f"±{limits.max_integer} (limit: integer range).", path, trail)


def _error(limit: str, message: str, path: str, trail) -> "InvalidJson":
    where = _path(path, trail)
    location = []
    while trail is not None:
        trail, key = trail
        location.append(key)
    return InvalidJson(limit, message.replace("{path}", where), where, tuple(reversed(location)))


def safe_excerpt(raw: bytes | str, length: int = 500) -> str:
    """The first `length` characters of an input, storable and printable whatever it held:
    invalid UTF-8 and lone surrogates become U+FFFD, control characters (NUL too) `\\xNN`."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        text = bytes(raw[: length * 4]).decode("utf-8", errors="replace")
    else:
        text = raw
    out = []
    for character in text[:length]:
        if "\ud800" <= character <= "\udfff":
            out.append("\ufffd")
        elif character.isprintable():
            out.append(character)
        else:
            code = ord(character)
            out.append(f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}")
    return "".join(out)


def _check_string(text: str, limits: JsonLimits, path: str, trail, is_key: bool = False) -> None:
    what = "key" if is_key else "string"
    if len(text) > limits.max_string_length:
        raise _error("string length", f"A {what} at {{path}} is {len(text)} characters long, "
                     f"more than {limits.max_string_length} (limit: string length).", path, trail)
    if bad := _BAD_CHARACTER.search(text):
        code = ord(bad.group())
        kind = "U+0000 (NUL)" if code == 0 else f"a lone surrogate (U+{code:04X})"
        raise _error("characters", f"A {what} at {{path}} holds {kind}, which is not valid "
                     "Unicode text (limit: characters).", path, trail)


def _check_depth(text: str, max_depth: int) -> None:
    """The deepest nesting of the raw text, strings left out: linear, no recursion."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # too few openers to nest deeper (the common case, a small message)
    # Escapes are a backslash and one character, so removing the escaped backslashes, then the
    # escaped quotes leaves strings without escapes. (A backslash outside a string is a syntax
    # error, where json.loads stops before any deeper level.)
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", unescaped))
    if not brackets or max(accumulate(map(_BRACKET_STEP.__getitem__, brackets))) <= max_depth:
        return
    for position, depth in enumerate(accumulate(map(_BRACKET_STEP.__getitem__, brackets))):
        if depth > max_depth:
            raise InvalidJson("depth", f"The JSON is nested deeper than {max_depth} levels "
                              f"(at bracket {position + 1}; limit: depth).",
                              f"bracket {position + 1}")


def _too_large(size: int, limits: JsonLimits) -> InvalidJson:
    return InvalidJson("size", f"The body is {size} bytes, more than {limits.body_bytes()} "
                       "(limit: size).")


def _refuse_constant(name: str):
    raise InvalidJson("number", f"{name} is not a JSON number (limit: number).")


class _LongInteger:
    """Stands in for an integer literal too long to be in range, so that check_value reports it
    with its path (int() is never asked to convert thousands of digits)."""

    __slots__ = ()


def _integer(literal: str):
    if len(literal) > MAX_INTEGER_DIGITS:
        return _LongInteger()
    return int(literal)


def _path(root: str, trail) -> str:
    """The JSON path of a trail ((parent trail, key or index) links), keys shortened and made
    printable so that the message itself stays bounded and safe."""
    parts = []
    while trail is not None:
        trail, key = trail
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _SIMPLE_KEY.match(key) and len(key) <= 40:
            parts.append(f".{key}")
        else:
            parts.append(f"[{json.dumps(safe_excerpt(key, 40))}]")
    return root + "".join(reversed(parts))


# One decoder (json.loads would build one per call); its hooks keep integers exact and bounded
# and refuse NaN and Infinity.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_int=_integer)
