"""A minimal MQTT 3.1.1 connection that only publishes: the notifications' sender.

An observation goes to three topics, so the bridge sends three notifications per message it
stores. paho spends about 18 µs of CPU on each publish, which capped the bridge below 5,000
messages/s; here a batch of notifications is encoded in one pass and written with one
`sendall`. QoS 0 needs no acknowledgement, so nothing is ever read after the CONNACK; keep-alive
is off (0), so the broker never expects a ping. A broken connection shows as an OSError on the
next write (or as a readable socket: see publish_many); the caller then reconnects.

The bridge publishes at QoS 1 (publish_confirmed): a batch is written in one `sendall` as
well, then its PUBACKs are read. Only what the broker confirmed counts as announced; what it
did not confirm (it restarted meanwhile) is handed back to be sent again, so a broker restart
loses no notification and repeats none that it had confirmed.
"""

import contextlib
import select
import socket
import ssl
import struct
import time

from .topics import BrokerAddress

CONNECT_TIMEOUT = 1.0  # a notification must never hold up a request for long
CONFIRM_TIMEOUT = 10.0  # seconds the broker has to acknowledge a batch at QoS 1
# Packet ids are 16 bits and must be unique among the unacknowledged: larger batches are sent
# in parts of this many, each confirmed before the next.
CONFIRMED_PART = 20_000
PUBACK = 0x40


class NotConfirmed(ConnectionError):
    """The broker went away before it acknowledged these messages (topic, payload)."""

    def __init__(self, message: str, unconfirmed: list[tuple[str, bytes]]):
        super().__init__(message)
        self.unconfirmed = unconfirmed


def _remaining_length(length: int) -> bytes:
    out = bytearray()
    while True:
        digit, length = length % 128, length // 128
        out.append(digit | (0x80 if length else 0))
        if not length:
            return bytes(out)


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def publish_packet(topic: str, payload: bytes, packet_id: int | None = None) -> bytes:
    if packet_id is None:  # QoS 0
        body = _string(topic) + payload
        return b"\x30" + _remaining_length(len(body)) + body
    body = _string(topic) + struct.pack("!H", packet_id) + payload
    return b"\x32" + _remaining_length(len(body)) + body


def _packets(data: bytearray):
    """Complete (type, body) packets at the start of `data`, removed from it."""
    while len(data) >= 2:
        length, multiplier, position = 0, 1, 1
        while True:
            if position >= len(data):
                return
            digit = data[position]
            length += (digit & 0x7F) * multiplier
            multiplier *= 128
            position += 1
            if not digit & 0x80:
                break
        if len(data) < position + length:
            return
        kind, body = data[0] & 0xF0, bytes(data[position:position + length])
        del data[:position + length]
        yield kind, body


def connect_packet(client_id: str, username: str | None, password: str | None) -> bytes:
    flags = 0x02  # clean session: a publisher has nothing to resume
    payload = _string(client_id)
    if username is not None:
        flags |= 0x80
        payload += _string(username)
        if password is not None:
            flags |= 0x40
            payload += _string(password)
    variable = _string("MQTT") + bytes([4, flags]) + struct.pack("!H", 0)  # keep-alive off
    body = variable + payload
    return b"\x10" + _remaining_length(len(body)) + body


class PublishingConnection:
    def __init__(self, address: BrokerAddress, client_id: str):
        sock = socket.create_connection((address.host, address.port), timeout=CONNECT_TIMEOUT)
        try:
            if address.tls:
                sock = ssl.create_default_context().wrap_socket(sock,
                                                                server_hostname=address.host)
            sock.sendall(connect_packet(client_id, address.username, address.password))
            connack = b""
            while len(connack) < 4:
                chunk = sock.recv(4 - len(connack))
                if not chunk:
                    raise ConnectionError("the broker closed the connection before CONNACK")
                connack += chunk
            if connack[0] != 0x20 or connack[3] != 0:
                raise ConnectionError(f"the broker refused the connection (code {connack[3]})")
            # Writes of a large batch may take a moment; they must not fail on the short
            # connect timeout.
            sock.settimeout(10)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self._next_id = 0

    def _check_open(self) -> None:
        # After the CONNACK the broker sends nothing unasked (PUBACKs are read with their
        # batch): if the socket is readable, the broker has closed it (it restarted, or took
        # the session over). Checked before writing, since a write into a closed connection
        # may still "succeed" once.
        readable, _writable, _failed = select.select([self.sock], [], [], 0)
        if readable:
            raise ConnectionError("the broker closed the connection")

    def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """At QoS 0: written, not confirmed."""
        self._check_open()
        self.sock.sendall(b"".join(publish_packet(topic, payload)
                                   for topic, payload in messages))

    def publish_confirmed(self, messages: list[tuple[str, bytes]]) -> None:
        """At QoS 1, returning once the broker acknowledged every message; NotConfirmed (with
        the messages it did not acknowledge) when the connection fails first."""
        for start in range(0, len(messages), CONFIRMED_PART):
            part = messages[start:start + CONFIRMED_PART]
            try:
                self._publish_part(part)
            except NotConfirmed as error:
                raise NotConfirmed(str(error), error.unconfirmed
                                   + messages[start + CONFIRMED_PART:]) from None

    def _publish_part(self, part: list[tuple[str, bytes]]) -> None:
        pending: dict[int, tuple[str, bytes]] = {}
        packets = []
        for topic, payload in part:
            self._next_id = self._next_id % 0xFFFF + 1
            pending[self._next_id] = (topic, payload)
            packets.append(publish_packet(topic, payload, self._next_id))
        try:
            self._check_open()
            self.sock.sendall(b"".join(packets))
            received, deadline = bytearray(), time.monotonic() + CONFIRM_TIMEOUT
            while pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the broker did not acknowledge in time")
                readable, _writable, _failed = select.select([self.sock], [], [], remaining)
                if not readable:
                    continue
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the broker closed the connection")
                received += chunk
                for kind, body in _packets(received):
                    if kind == PUBACK and len(body) >= 2:
                        pending.pop(struct.unpack("!H", body[:2])[0], None)
        except OSError as error:
            raise NotConfirmed(str(error) or type(error).__name__,
                               list(pending.values())) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()
