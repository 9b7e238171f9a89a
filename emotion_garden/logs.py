"""Log records as one JSON object per line, each carrying the id of the request it was written during.

Kept free of Django imports: gunicorn's master process loads the formatter (gunicorn.conf.py) before any Django setup.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# Set by emotion_garden.middleware.RequestIdMiddleware for the length of one request; "-" outside any request.
request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Everything a LogRecord carries by itself; whatever else is on a record came from `extra=` and is worth keeping.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record passing through a handler, for both formats to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """time, level, logger and message, then every `extra=` field, then the traceback if any, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES | entry.keys()}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra that JSON cannot encode (Django's django.request logger passes the request) is
        # written as its repr rather than losing the whole line.
        return json.dumps(entry, default=str, ensure_ascii=False)
