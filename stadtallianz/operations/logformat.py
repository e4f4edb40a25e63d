"""LOG_FORMAT=json (config/settings.py): one JSON object per line, for journald, Loki, an ELK
stack or anything else that reads lines: time (ISO 8601, UTC), level, logger, message, the
fields the call passed with `extra=` (e.g. the MQTT bridge's counters), and the exception's
traceback as text."""

import json
import logging
from datetime import UTC, datetime

# What every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key == "request":
                # Django's request loggers pass the request: its method and path only. Its text
                # would carry the query string, where links put tokens (unsubscribe, reset).
                entry["method"] = getattr(value, "method", None)
                entry["path"] = getattr(value, "path", None)
            elif key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra value JSON cannot hold (a date, an object) is written as text
        # rather than losing the line.
        return json.dumps(entry, ensure_ascii=False, default=str)
