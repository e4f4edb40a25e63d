"""The syntax of `$filter` and `$orderby` expressions: a hand-written tokenizer and a Pratt
parser producing a small AST of frozen dataclasses, which filter.py compiles to Q objects and
ORM expressions (and geo.py evaluates for the geospatial functions).

Literals are read here, times, durations and WKT geometries (`geography'POINT(7.6 51.9)'`), so a
malformed literal is a 400 naming its position whatever it is compared with. The function
table (name -> number of arguments) is checked here too; what a function means is the
compiler's.
"""

import re
from dataclasses import dataclass
from datetime import time

import shapely

from ..errors import StaError
from ..timefmt import parse_duration, parse_time

# ---------------------------------------------------------------------------------- tokenizer


def filter_error(message: str, position: int | None = None) -> StaError:
    where = f" (at position {position + 1})" if position is not None else ""
    return StaError(f"$filter: {message}{where}.", 400)


@dataclass(frozen=True)
class Token:
    kind: str  # name | string | number | datetime | typed | punct | end
    text: str
    position: int
    value: object = None


_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:?\d{2})?)?")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
MAX_NUMBER = 2**63 - 1
MAX_POSITION = 2**31 - 2  # substring positions and lengths (PostgreSQL's integer, plus one)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_@$][A-Za-z0-9_.@$]*(?:/[A-Za-z_@$][A-Za-z0-9_.@$]*)*")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "(),":
            tokens.append(Token("punct", char, i))
            i += 1
            continue
        if char == "'":
            value, i = _read_string(text, i)
            tokens.append(Token("string", value, i, value))
            continue
        match = _DATETIME.match(text, i)
        if match and (match.end() == n or not text[match.end()].isalnum()):
            raw = match.group()
            try:
                value = parse_time(raw if "T" in raw else raw + "T00:00:00Z")
            except StaError:
                raise filter_error(f"'{raw}' is not a valid date or time", i) from None
            tokens.append(Token("datetime", raw, i, value))
            i = match.end()
            continue
        match = _TIME.match(text, i)
        if match and (match.end() == n or not text[match.end()].isalnum()):
            raw = match.group()
            try:
                value = time.fromisoformat(raw)
            except ValueError:
                raise filter_error(f"'{raw}' is not a valid time of day", i) from None
            tokens.append(Token("time", raw, i, value))
            i = match.end()
            continue
        match = _NUMBER.match(text, i)
        if match:
            raw = match.group()
            value = float(raw) if any(c in raw for c in ".eE") else int(raw)
            if abs(value) > MAX_NUMBER:  # also infinity: the databases store 64-bit numbers
                raise filter_error(f"the number {raw} is too large", i)
            tokens.append(Token("number", raw, i, value))
            i = match.end()
            continue
        match = _NAME.match(text, i)
        if match:
            raw = match.group()
            end = match.end()
            if end < n and text[end] == "'":  # a typed literal: geography'…', duration'…'
                value, after = _read_string(text, end)
                tokens.append(Token("typed", raw.lower(), i, value))
                i = after
                continue
            tokens.append(Token("name", raw, i))
            i = end
            continue
        raise filter_error(f"unexpected character '{char}'", i)
    tokens.append(Token("end", "", n))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The string literal starting at the quote at `start` ('' is a quote inside)."""
    out, i = [], start + 1
    while i < len(text):
        if text[i] == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    raise filter_error("a string is not closed", start)


def parse_wkt(text: str, position: int):
    """The geometry of a geography'…' or geometry'…' literal (WKT)."""
    try:
        return shapely.from_wkt(text)
    except shapely.errors.GEOSException:
        raise filter_error(f"'{text}' is not a valid WKT geometry", position) from None


# -------------------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Literal:
    value: object
    type: str  # string | number | datetime | duration | bool | null | geometry
    position: int


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    position: int


@dataclass(frozen=True)
class Binary:
    op: str
    left: object
    right: object
    position: int


@dataclass(frozen=True)
class Not:
    operand: object
    position: int


COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
# A comparison with its sides swapped: `5 lt x` is `x gt 5`.
MIRROR = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}
ARITHMETIC = {"add", "sub", "mul", "div", "mod"}
BINDING = {"or": 10, "and": 20, **dict.fromkeys(COMPARISONS, 30), "add": 40, "sub": 40,
           "mul": 50, "div": 50, "mod": 50}
KEYWORD_LITERALS = {"true": (True, "bool"), "false": (False, "bool"), "null": (None, "null")}


class Parser:
    """Pratt parser: parse(binding) reads a prefix expression and then every infix operator
    that binds more tightly than `binding`."""

    MAX_DEPTH = 100  # nested parentheses, calls and operators: deeper is refused, not a crash
    # Operators (and, or, not, comparisons, arithmetic) in one expression. A long chain
    # ("1 eq 1 or 1 eq 1 or …") parses flat but compiles into nested SQL, which Python and
    # Django build recursively: more is refused, not a crash.
    MAX_OPERATORS = 100
    # Arithmetic nests in SQL (((a + b) + c) + …); SQLite's parser stops at about 25 levels.
    MAX_ARITHMETIC = 20

    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.operators = 0
        self.arithmetic = 0

    def count_operator(self, token: Token) -> None:
        self.operators += 1
        if token.text.lower() in ARITHMETIC:
            self.arithmetic += 1
            if self.arithmetic > self.MAX_ARITHMETIC:
                raise filter_error(f"the expression has more than {self.MAX_ARITHMETIC} "
                                   "arithmetic operators", token.position)
        if self.operators > self.MAX_OPERATORS:
            raise filter_error(f"the expression has more than {self.MAX_OPERATORS} operators; "
                               "split the query or use fewer conditions", token.position)

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> Token:
        if self.token.text != text:
            found = self.token.text or "the end"
            raise filter_error(f"expected '{text}' but found '{found}'", self.token.position)
        return self.advance()

    def parse_all(self):
        if self.token.kind == "end":
            raise filter_error("the expression is empty")
        node = self.parse(0)
        if self.token.kind != "end":
            raise filter_error(f"unexpected '{self.token.text}'", self.token.position)
        return node

    def parse(self, binding: int):
        self.depth += 1
        if self.depth > self.MAX_DEPTH:
            raise filter_error(f"the expression is nested more than {self.MAX_DEPTH} levels "
                               "deep", self.token.position)
        try:
            return self._parse(binding)
        finally:
            self.depth -= 1

    def _parse(self, binding: int):
        left = self.prefix()
        while True:
            token = self.token
            op = token.text.lower() if token.kind == "name" else None
            if op not in BINDING or BINDING[op] <= binding:
                return left
            self.count_operator(token)
            self.advance()
            right = self.parse(BINDING[op])
            left = Binary(op, left, right, token.position)

    def prefix(self):
        token = self.advance()
        if token.kind == "punct" and token.text == "(":
            node = self.parse(0)
            self.expect(")")
            return node
        if token.kind == "string":
            return Literal(token.value, "string", token.position)
        if token.kind == "number":
            return Literal(token.value, "number", token.position)
        if token.kind == "datetime":
            return Literal(token.value, "datetime", token.position)
        if token.kind == "time":
            return Literal(token.value, "time", token.position)
        if token.kind == "typed":
            return self.typed_literal(token)
        if token.kind == "name":
            lowered = token.text.lower()
            if lowered == "not":
                self.count_operator(token)
                return Not(self.parse(55), token.position)
            if lowered in KEYWORD_LITERALS:
                value, kind = KEYWORD_LITERALS[lowered]
                return Literal(value, kind, token.position)
            if self.token.text == "(":
                return self.call(token)
            if lowered in BINDING:
                raise filter_error(f"the operator '{token.text}' lacks its left operand",
                                   token.position)
            return Path(tuple(token.text.split("/")), token.position)
        found = token.text or "the end"
        raise filter_error(f"expected a value, property or function but found '{found}'",
                           token.position)

    def call(self, token: Token) -> Call:
        name = token.text.lower()
        if name not in FUNCTIONS:
            raise filter_error(f"unknown function '{token.text}'", token.position)
        self.expect("(")
        args = []
        if self.token.text != ")":
            args.append(self.parse(0))
            while self.token.text == ",":
                self.advance()
                args.append(self.parse(0))
        self.expect(")")
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            count = str(low) if low == high else f"{low} to {high}"
            raise filter_error(f"{name} takes {count} argument(s), not {len(args)}",
                               token.position)
        return Call(name, tuple(args), token.position)

    def typed_literal(self, token: Token) -> Literal:
        if token.text in ("geography", "geometry"):
            return Literal(parse_wkt(token.value, token.position), "geometry", token.position)
        if token.text == "duration":
            try:
                return Literal(parse_duration(token.value), "duration", token.position)
            except StaError:
                raise filter_error(f"'{token.value}' is not an ISO 8601 duration",
                                   token.position) from None
        raise filter_error(f"unknown literal type '{token.text}'", token.position)


# name -> (fewest, most) arguments
FUNCTIONS = {
    "substringof": (2, 2), "endswith": (2, 2), "startswith": (2, 2), "length": (1, 1),
    "indexof": (2, 2), "substring": (2, 3), "tolower": (1, 1), "toupper": (1, 1),
    "trim": (1, 1), "concat": (2, 2), "year": (1, 1), "month": (1, 1), "day": (1, 1),
    "hour": (1, 1), "minute": (1, 1), "second": (1, 1), "fractionalseconds": (1, 1),
    "date": (1, 1), "time": (1, 1), "totaloffsetminutes": (1, 1), "now": (0, 0),
    "mindatetime": (0, 1), "maxdatetime": (0, 1), "round": (1, 1), "floor": (1, 1),
    "ceiling": (1, 1), "geo.distance": (2, 2), "geo.length": (1, 1), "geo.intersects": (2, 2),
    "st_equals": (2, 2), "st_disjoint": (2, 2), "st_touches": (2, 2), "st_within": (2, 2),
    "st_overlaps": (2, 2), "st_crosses": (2, 2), "st_intersects": (2, 2),
    "st_contains": (2, 2), "st_relate": (3, 3),
}
GEO_PREDICATES = {"geo.intersects", "st_equals", "st_disjoint", "st_touches", "st_within",
                  "st_overlaps", "st_crosses", "st_intersects", "st_contains", "st_relate"}
GEO_MEASURES = {"geo.distance", "geo.length"}
BOOLEAN_FUNCTIONS = {"substringof", "endswith", "startswith"} | GEO_PREDICATES


def parse_filter(text: str):
    return Parser(text).parse_all()


def parse_expression_list(text: str, option: str) -> list[tuple[object, bool]]:
    """$orderby: `expr [asc|desc], …` -> [(node, descending)]."""
    parser = Parser(text)
    items = []
    while True:
        if parser.token.kind == "end":
            raise StaError(f"{option}: an expression is missing.", 400)
        node = parser.parse(0)
        descending = False
        if parser.token.kind == "name" and parser.token.text.lower() in ("asc", "desc"):
            descending = parser.advance().text.lower() == "desc"
        items.append((node, descending))
        if parser.token.kind == "end":
            return items
        parser.expect(",")
