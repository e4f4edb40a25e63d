"""A minimal MQTT 3.1.1 connection that only publishes at QoS 0: the notifications' sender.

An observation goes to three topics, so the bridge sends three notifications per message it
stores. paho spends about 18 µs of CPU on each publish, which capped the bridge below 5,000
messages/s; here a batch of notifications is encoded in one pass and written with one
`sendall`. QoS 0 needs no acknowledgement, so nothing is ever read after the CONNACK; keep-alive
is off (0), so the broker never expects a ping. A broken connection shows as an OSError on the
next write (or as a readable socket: see publish_many); the caller then reconnects.
"""

import contextlib
import select
import socket
import ssl
import struct

from .topics import BrokerAddress

CONNECT_TIMEOUT = 1.0  # a notification must never hold up a request for long


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


def publish_packet(topic: str, payload: bytes) -> bytes:
    body = _string(topic) + payload
    return b"\x30" + _remaining_length(len(body)) + body


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


class QoS0Connection:
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

    def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        # After the CONNACK the broker sends nothing to a QoS 0 publisher: if the socket is
        # readable, the broker has closed it (it restarted, or took the session over). Checked
        # before writing, since a write into a closed connection may still "succeed" once.
        readable, _writable, _failed = select.select([self.sock], [], [], 0)
        if readable:
            raise ConnectionError("the broker closed the connection")
        self.sock.sendall(b"".join(publish_packet(topic, payload)
                                   for topic, payload in messages))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()
