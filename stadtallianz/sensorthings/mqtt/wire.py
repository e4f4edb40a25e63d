"""A minimal MQTT 3.1.1 connection that only publishes: the notifications' sender.

An observation goes to three topics, so the bridge sends three notifications per message it
stores. paho spends about 18 µs of CPU on each publish, which capped the bridge below 5,000
messages/s; here a batch of notifications is encoded in one pass and written with one
`sendall`. Keep-alive is off (0), so the broker never expects a ping.

Web processes publish at QoS 0 (publish_many): nothing is read after the CONNACK, and a broken
connection shows as an OSError on the next write (or as a readable socket: see _check_open); the
caller then reconnects.

The bridge publishes at QoS 2 (deliver): exactly once, also across a broker restart. Its
connection keeps a session (MQTT 5, clean start off, a stable client id), and a batch is a
Flow whose state (sent, PUBREC received, PUBCOMP received) outlives the connection. After a
restart the flow goes on with the same packet ids on a new connection: a PUBLISH the broker has
seen is answered with PUBREC and not forwarded again (the broker keeps that in its persisted
session), and a PUBREL completes what was received. QoS 1 could not do this: a PUBACK lost in
a restart made the bridge publish the message again, and subscribers received it twice.
"""

import contextlib
import select
import socket
import ssl
import struct
import time

from .topics import BrokerAddress

CONNECT_TIMEOUT = 1.0  # a notification must never hold up a request for long
CONFIRM_TIMEOUT = 10.0  # seconds the broker has to answer a part of a flow
# Packet ids are 16 bits, unique within one flow: longer batches become several flows.
FLOW_SIZE = 0xFFFF
PUBREC, PUBREL, PUBCOMP = 0x50, 0x62, 0x70
# The flow's connection speaks MQTT 5 for one thing: the broker's Receive Maximum in CONNACK,
# the QoS 2 messages it takes in flight at once. Mosquitto sets it from `max_inflight_messages`
# (20 by default) and, with `max_queued_messages 0`, closes the connection of a client that
# sends more (checked with 2.0.11); the flow keeps to it.
NEVER_EXPIRES = 0xFFFFFFFF
# CONNACK properties by identifier: the length of their value (None: a string or binary with a
# two-byte length; "pair": two strings).
_PROPERTY_SIZES = {0x11: 4, 0x12: None, 0x13: 2, 0x15: None, 0x16: None, 0x1A: None,
                   0x1C: None, 0x1F: None, 0x21: 2, 0x22: 2, 0x24: 1, 0x25: 1, 0x26: "pair",
                   0x27: 4, 0x28: 1, 0x29: 1, 0x2A: 1}
RECEIVE_MAXIMUM = 0x21


class NotConfirmed(ConnectionError):
    """The broker went away before the flow was complete; deliver it again on a new
    connection."""


class Flow:
    """Messages (topic, payload) on their way at QoS 2, with packet ids 1…n."""

    def __init__(self, messages: list[tuple[str, bytes]]):
        self.to_publish = dict(enumerate(messages, 1))  # no PUBREC yet
        self.to_release: dict[int, tuple[str, bytes]] = {}  # PUBREC, no PUBCOMP yet
        self.sent_before = False

    @property
    def done(self) -> bool:
        return not (self.to_publish or self.to_release)

    def forgotten(self) -> None:
        """The broker has no session of ours (it lost it): everything not completed is sent
        as new."""
        self.to_publish.update(self.to_release)
        self.to_release.clear()
        self.sent_before = False


def flows(messages: list[tuple[str, bytes]]) -> list[Flow]:
    return [Flow(messages[start:start + FLOW_SIZE])
            for start in range(0, len(messages), FLOW_SIZE)]


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


def publish_packet(topic: str, payload: bytes, packet_id: int | None = None,
                   duplicate: bool = False) -> bytes:
    if packet_id is None:  # QoS 0, MQTT 3.1.1
        body = _string(topic) + payload
        return b"\x30" + _remaining_length(len(body)) + body
    # QoS 2, MQTT 5 (no properties)
    body = _string(topic) + struct.pack("!H", packet_id) + b"\x00" + payload
    return (b"\x3c" if duplicate else b"\x34") + _remaining_length(len(body)) + body


def pubrel_packet(packet_id: int) -> bytes:
    return b"\x62\x02" + struct.pack("!H", packet_id)


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


def connect_packet(client_id: str, username: str | None, password: str | None,
                   clean_session: bool = True) -> bytes:
    """MQTT 3.1.1 with a clean session; MQTT 5 with a session that never expires otherwise."""
    flags = 0x02 if clean_session else 0x00
    payload = _string(client_id)
    if username is not None:
        flags |= 0x80
        payload += _string(username)
        if password is not None:
            flags |= 0x40
            payload += _string(password)
    variable = _string("MQTT") + bytes([4 if clean_session else 5, flags]) + struct.pack(
        "!H", 0)  # keep-alive off
    if not clean_session:
        variable += b"\x05\x11" + struct.pack("!I", NEVER_EXPIRES)  # session expiry interval
    body = variable + payload
    return b"\x10" + _remaining_length(len(body)) + body


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value, multiplier = 0, 1
    while True:
        digit = data[position]
        position += 1
        value += (digit & 0x7F) * multiplier
        multiplier *= 128
        if not digit & 0x80:
            return value, position


def _connack_properties(data: bytes) -> dict[int, int]:
    """The numeric properties of an MQTT 5 CONNACK (after flags and reason code)."""
    if not data:
        return {}
    length, position = _varint(data, 0)
    end, found = position + length, {}
    while position < end:
        identifier, position = _varint(data, position)
        size = _PROPERTY_SIZES.get(identifier)
        if isinstance(size, int):
            found[identifier] = int.from_bytes(data[position:position + size], "big")
            position += size
        else:
            for _string_part in range(2 if size == "pair" else 1):
                position += 2 + struct.unpack("!H", data[position:position + 2])[0]
    return found


class PublishingConnection:
    def __init__(self, address: BrokerAddress, client_id: str, *, clean_session: bool = True):
        """`clean_session` off: the broker keeps the session (the state of unfinished QoS 2
        flows) while we are away; `session_present` tells whether it still had one."""
        sock = socket.create_connection((address.host, address.port), timeout=CONNECT_TIMEOUT)
        try:
            # A QoS 2 flow answers every PUBREC with a small PUBREL: without this, Nagle's
            # algorithm holds each such write for the broker's delayed ACK (40 ms).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if address.tls:
                sock = ssl.create_default_context().wrap_socket(sock,
                                                                server_hostname=address.host)
            sock.sendall(connect_packet(client_id, address.username, address.password,
                                        clean_session))
            received = bytearray()
            while not (packets := list(_packets(received))):
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("the broker closed the connection before CONNACK")
                received += chunk
            kind, connack = packets[0]
            if kind != 0x20 or len(connack) < 2 or connack[1] != 0:
                code = connack[1] if len(connack) > 1 else "?"
                raise ConnectionError(f"the broker refused the connection (code {code})")
            self.session_present = bool(connack[0] & 0x01)
            self.receive_maximum = 0xFFFF if not clean_session else None
            if not clean_session:
                self.receive_maximum = _connack_properties(connack[2:]).get(
                    RECEIVE_MAXIMUM, 0xFFFF)
            # Writes of a large batch may take a moment; they must not fail on the short
            # connect timeout.
            sock.settimeout(10)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def _check_open(self) -> None:
        # The broker sends nothing unasked (the answers of a flow are read with it): if the
        # socket is readable, the broker has closed it (it restarted, or took the session
        # over). Checked before writing, since a write into a closed connection may still
        # "succeed" once.
        readable, _writable, _failed = select.select([self.sock], [], [], 0)
        if readable:
            raise ConnectionError("the broker closed the connection")

    def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """At QoS 0: written, not confirmed."""
        self._check_open()
        self.sock.sendall(b"".join(publish_packet(topic, payload)
                                   for topic, payload in messages))

    def deliver(self, flow: Flow) -> None:
        """Takes the flow on to its end at QoS 2 (from wherever an earlier connection left
        it), with at most the broker's Receive Maximum unfinished at once; NotConfirmed when
        the connection fails first, the flow keeping its state. Needs a connection with a kept
        session (clean_session off)."""
        in_flight = self.receive_maximum
        waiting = list(flow.to_publish)  # packet ids not sent on this connection yet
        duplicate = flow.sent_before
        try:
            self._check_open()
            # What an earlier connection left half done comes first: PUBREL for what the
            # broker has received.
            out = [pubrel_packet(packet_id) for packet_id in flow.to_release]
            unfinished = len(flow.to_release)
            received, deadline = bytearray(), time.monotonic() + CONFIRM_TIMEOUT
            while not flow.done:
                while waiting and unfinished < in_flight:
                    packet_id = waiting.pop()
                    topic, payload = flow.to_publish[packet_id]
                    out.append(publish_packet(topic, payload, packet_id, duplicate))
                    unfinished += 1
                if out:
                    self.sock.sendall(b"".join(out))
                    flow.sent_before = True
                    out = []
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the broker did not answer in time")
                readable, _writable, _failed = select.select([self.sock], [], [], remaining)
                if not readable:
                    continue
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the broker closed the connection")
                received += chunk
                deadline = time.monotonic() + CONFIRM_TIMEOUT
                for kind, body in _packets(received):
                    if len(body) < 2:
                        continue
                    packet_id = struct.unpack("!H", body[:2])[0]
                    if kind == PUBREC:
                        message = flow.to_publish.pop(packet_id, None)
                        if message is not None or packet_id in flow.to_release:
                            flow.to_release.setdefault(packet_id, message)
                            out.append(pubrel_packet(packet_id))
                    elif kind == PUBCOMP and packet_id in flow.to_release:
                        del flow.to_release[packet_id]
                        unfinished -= 1
        except OSError as error:
            raise NotConfirmed(str(error) or type(error).__name__) from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()
