"""The JSON text of a read's answer, with a bound on its size in bytes.

An answer's entities are bounded in number (expand.bound_work), but not its size: one expanded
entity is written once for every parent that refers to it (`Observations?$expand=Datastream(
$expand=Observations)` repeats the same datastream with its observations in every observation),
and a Location may carry a large geometry. So the answer is encoded entity by entity, counting
the bytes, and encoding stops as soon as the bound is passed: a collection is cut there (a
truncated page with a next link), a single entity too large on its own is a 400. Nothing beyond
the bound is ever built.

The parts that hold other entities are marked while the answer is assembled (expand.py):
`Expanded`, an entity with expanded navigation properties, and `EntityList`, an expanded
collection. Everything else (an entity without expansions, a property value) is one call of the
C JSON encoder; an entity referred to by many parents is encoded once and its bytes reused.
"""

import json

from django.conf import settings

from ..errors import StaError

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
_encode_text = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


class Expanded(dict):
    """An entity's JSON with expanded navigation entities inside it, under the keys in
    `expanded`. `shared`: whether a to-one navigation is expanded in it (at any depth), so that
    the same entity object may appear under many parents and be written many times. Without
    one, nothing in it repeats: its text is about as large as the rows already read, and it is
    written in one call of the C encoder."""

    expanded: tuple = ()
    shared: bool = True


class EntityList(list):
    """An expanded collection of entities."""


class TooLarge(Exception):
    pass


def max_bytes() -> int:
    return int(getattr(settings, "STA_MAX_RESPONSE_BYTES", DEFAULT_MAX_BYTES))


def too_large(limit: int) -> StaError:
    return StaError(f"The answer would be larger than {limit} bytes, the most this server sends "
                    "for one request. Ask for less: a smaller $top (also inside $expand), "
                    "$select, fewer $expand levels.", 400)


class Encoder:
    """Encodes JSON values into a list of byte strings, counting them; raises TooLarge as soon
    as the total passes `limit`."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        self._done: dict[int, bytes] = {}  # id of an encoded entity -> its bytes
        self._keep: list = []  # the objects behind those ids, kept alive while encoding

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge
        self.parts.append(data)

    def add_text(self, text: str) -> None:
        self._add(text.encode())

    def add(self, value) -> None:
        """Appends the JSON of `value`."""
        kind = type(value)
        if kind is not Expanded and kind is not EntityList and kind is not dict:
            self._add(_encode_text(value).encode())
            return
        done = self._done.get(id(value))
        if done is not None:  # the same entity under another parent
            self._add(done)
            return
        start = len(self.parts)
        if kind is Expanded and not value.shared:
            self._add(_encode_text(value).encode())
            return
        if kind is Expanded:
            expanded = value.expanded
            own = _encode_text({key: item for key, item in value.items()
                                if key not in expanded})
            separator = b"" if own == "{}" else b","
            self._add(own[:-1].encode())
            for key in expanded:
                if key in value:
                    self._add(separator + _encode_text(key).encode() + b":")
                    self.add(value[key])
                    separator = b","
            self._add(b"}")
        elif kind is EntityList:
            separator = b"["
            for item in value:
                self._add(separator)
                self.add(item)
                separator = b","
            self._add(b"]" if separator == b"," else b"[]")
            return  # a collection belongs to one parent: nothing to reuse
        else:
            self._add(_encode_text(value).encode())
        if kind is Expanded:
            encoded = b"".join(self.parts[start:])
            del self.parts[start:]
            self.parts.append(encoded)
        else:
            encoded = self.parts[-1]
        self._done[id(value)] = encoded
        self._keep.append(value)

    def mark(self) -> tuple[int, int]:
        return len(self.parts), self.size

    def back_to(self, mark: tuple[int, int]) -> None:
        del self.parts[mark[0]:]
        self.size = mark[1]


def encode_page(head: dict, values: list, tail: dict, *, limit: int | None = None):
    """(bytes parts, number of `values` written): `head`'s members, then "value" with as many
    of `values` as fit into the byte bound, then `tail`'s members (e.g. the next link) as
    returned by `tail(written)` — a function, because the next link depends on where the page
    was cut. A first entity larger than the bound on its own is a 400."""
    limit = max_bytes() if limit is None else limit
    encoder = Encoder(limit)
    written = 0
    try:
        for key, value in head.items():
            encoder.add_text(_encode_text(key) + ":" + _encode_text(value) + ",")
        encoder.add_text('"value":[')
        for value in values:
            kind = type(value)
            if kind is dict or (kind is Expanded and not value.shared):
                # The usual case, kept to one C call: an entity in which nothing repeats.
                data = (("," if written else "") + _encode_text(value)).encode()
                if encoder.size + len(data) > limit:
                    if written == 0:
                        raise TooLarge
                    break
                encoder.parts.append(data)
                encoder.size += len(data)
                written += 1
                continue
            mark = encoder.mark()
            try:
                if written:
                    encoder.add_text(",")
                encoder.add(value)
            except TooLarge:
                if written == 0:
                    raise
                encoder.back_to(mark)
                break
            written += 1
        encoder.limit += 64 * 1024  # room for the closing members (a next link)
        encoder.add_text("]")
        for key, value in tail(written).items():
            encoder.add_text("," + _encode_text(key) + ":" + _encode_text(value))
        encoder.add_text("}")
    except TooLarge:
        raise too_large(limit) from None
    encoder.parts.insert(0, b"{")
    return encoder.parts, written


def encode_entity(value, *, limit: int | None = None) -> list[bytes]:
    """The bytes of one entity; a 400 if it passes the byte bound."""
    limit = max_bytes() if limit is None else limit
    encoder = Encoder(limit)
    try:
        encoder.add(value)
    except TooLarge:
        raise too_large(limit) from None
    return encoder.parts
