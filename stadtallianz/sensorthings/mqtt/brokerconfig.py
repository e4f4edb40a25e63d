"""Mosquitto's password file, ACL file and configuration for the platform
(`stadtallianz mosquitto-config`, docs/deployment.md "MQTT").

- Each active lab token is a broker user (its username, the `$7$` PBKDF2 hash stored with the
  token): it may write the ingest topics of its lab's datastreams and nothing else. With the
  platform's plugin (MQTT_PUBLISHER_PLUGIN) there is no ACL file: the plugin lets a token write
  every create topic of §14.1 and names it in each message, and the bridge checks the lab, so
  nothing changes when a datastream is created and a new datastream receives at once.
- The bridge's own user reads the ingest prefix and writes the notifications (`v1.1/#`).
- Anonymous clients read the notifications only.

Mosquitto checks the ACL against the topic *after* a listener's mount_point is applied (checked
with Mosquitto 2.0.11): a device on the listener with `mount_point ingest/` publishes to
`v1.1/Datastreams(7)/Observations`, the broker files it under
`ingest/v1.1/Datastreams(7)/Observations`, and that is the topic its ACL line names.
"""

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from . import topics

# A device's broker user name starts with this (the publisher plugin's default
# plugin_opt_token_prefix, contrib/mosquitto); the bridge's user must not.
DEVICE_USER_PREFIX = "lab_"
PASSWORD_ITERATIONS = 101  # mosquitto_passwd's default for the $7$ (PBKDF2-SHA512) form

HEADER = ("# Written by `stadtallianz mosquitto-config`: do not edit, run the command again "
          "(docs/deployment.md).\n")


def password_hash(secret: str) -> str:
    """mosquitto_passwd's `$7$<iterations>$<salt>$<digest>` form of a password, with a new
    salt: what the password file holds."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", secret.encode(), salt, PASSWORD_ITERATIONS)
    salt_text, digest_text = (base64.b64encode(salt).decode(),
                              base64.b64encode(digest).decode())
    return f"$7${PASSWORD_ITERATIONS}${salt_text}${digest_text}"


def verify_hash(broker_hash: str, password: str) -> bool:
    """Whether a `$7$<iterations>$<salt>$<digest>` hash (mosquitto_passwd's PBKDF2-SHA512 form)
    is the hash of this password."""
    parts = broker_hash.split("$")
    if len(parts) != 5 or parts[1] != "7":
        return False
    try:
        iterations = int(parts[2])
        salt, digest = base64.b64decode(parts[3]), base64.b64decode(parts[4])
    except ValueError:
        return False
    computed = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return hmac.compare_digest(computed, digest)


def existing_hashes(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    users = {}
    for line in path.read_text().splitlines():
        if ":" in line and not line.startswith("#"):
            username, _sep, broker_hash = line.partition(":")
            users[username] = broker_hash
    return users


def password_file(tokens, bridge_user: str | None, bridge_password: str | None,
                  previous: dict[str, str]) -> str:
    """The password file: the bridge (its hash kept from `previous` while the password is the
    same, so an unchanged configuration writes an unchanged file) and each token."""
    lines = []
    if bridge_user:
        old = previous.get(bridge_user)
        keep = old is not None and verify_hash(old, bridge_password or "")
        lines.append(f"{bridge_user}:"
                     f"{old if keep else password_hash(bridge_password or '')}")
    lines.extend(f"{token.username}:{token.broker_hash}" for token in tokens)
    return "".join(f"{line}\n" for line in lines)


def acl_file(tokens, streams_by_lab: dict[int, list[int]], *, prefix: str,
             bridge_user: str | None) -> str:
    lines = [HEADER,
             "# Anonymous clients: the notifications only.",
             f"topic read {topics.VERSION}/#", ""]
    if bridge_user:
        lines += ["# The bridge: reads what devices publish, writes the notifications.",
                  f"user {bridge_user}",
                  f"topic read {prefix}#",
                  f"topic write {topics.VERSION}/#", ""]
    for token in tokens:
        # The name is the operator's text: no control character may start a line of rules.
        name = "".join(c if c.isprintable() else " " for c in token.name)[:100]
        lines.append(f"# lab {token.lab_id}: {name}")
        lines.append(f"user {token.username}")
        lines.extend(f"topic write {prefix}{topics.device_topic(pk)}"
                     for pk in streams_by_lab.get(token.lab_id, []))
        lines.append("")
    return "\n".join(lines) + "\n"


def mosquitto_conf(*, password_path, acl_path=None, public_port: int = 1883,
                   device_port: int = 1884, prefix: str = "ingest/",
                   persistence_dir: str = "/var/lib/mosquitto/", bind: str = "",
                   log_dest: str = "syslog", publisher_plugin: str = "",
                   bridge_user: str = "stadtallianz-bridge") -> str:
    """The Mosquitto configuration the documentation recommends (also what the tests start).
    With `publisher_plugin` the plugin reads the password file and decides who may do what,
    failing closed (contrib/mosquitto/stadtallianz_publisher.c); Mosquitto's own password_file
    would let anyone in after a reload that cannot read it, so it is not used. Without it,
    Mosquitto's password_file and acl_file."""
    host = f" {bind}" if bind else ""
    if publisher_plugin:
        security = f"""\
# Logins, permissions and the publisher's name in each device message: the platform's plugin
# (MQTT_PUBLISHER_PLUGIN). It refuses every login with a user name while it cannot read the
# password file, where Mosquitto's own password_file would let anyone in.
plugin {publisher_plugin}
plugin_opt_ingest_prefix {prefix}
plugin_opt_password_file {password_path}
plugin_opt_bridge_user {bridge_user}
"""
    else:
        security = f"password_file {password_path}\nacl_file {acl_path}\n"
    return f"""\
# Stadtallianz: notifications for everyone, ingest for devices (docs/deployment.md "MQTT").
per_listener_settings false
allow_anonymous true
{security}
# Keep what was accepted across restarts (the bridge's session and its unacknowledged messages).
persistence true
persistence_location {persistence_dir}
autosave_interval 60
# Messages wait for the bridge while it is away or busy: never drop them.
max_queued_messages 0
max_queued_bytes 0
# The bridge announces at QoS 2 with this many messages in flight (its window is the broker's
# Receive Maximum, from this setting); no Nagle delay on the small acknowledgements.
max_inflight_messages 1000
set_tcp_nodelay true

# Subscribers (anonymous, read v1.1/#) and the bridge.
listener {public_port}{host}

# Devices: everything they publish lands under the ingest prefix, which only the bridge reads.
listener {device_port}{host}
mount_point {prefix}

log_dest {log_dest}
"""
