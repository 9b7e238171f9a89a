"""Log records as one JSON object per line, each carrying the id of the request it was written during.

Kept free of Django imports: gunicorn's master process loads the formatter (gunicorn.conf.py) before any Django setup.
"""

import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

# Set by emotion_garden.middleware.RequestIdMiddleware for the length of one request; "-" outside any request.
request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record passing through a handler, for both formats to print."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class ClientFaultFilter(logging.Filter):
    """Writes Django's security records (a Host not served, a body over the limit, a malformed cookie, ...) as one
    warning line without a traceback: each is a client's bad request, already answered with a 4xx, and scanners send
    them by the thousand; as errors with a 15-line traceback each, they buried the server's own faults."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security.") and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info = record.exc_text = None
        return True


class JsonFormatter(LibraryJsonFormatter):
    """time, level, logger and message, then every `extra=` field, then the traceback if any, on one line.

    python-json-logger does the work (extras without LogRecord's bookkeeping, tracebacks, values JSON cannot encode
    written as text); this names the fields as our log readers expect them.
    """

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}", style="{", json_ensure_ascii=False,
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger", "exc_info": "exception",
                           "stack_info": "stack"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
