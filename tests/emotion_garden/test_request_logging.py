"""Structured logs: the JSON formatter, the request id on every record, and one log line per request."""

import io
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils.module_loading import import_string

from emotion_garden.logs import JsonFormatter, RequestIdFilter, request_id
from tests.emotion_garden.settings_env import load_settings


def record(message: str = "garden ready", *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("gallery.api", logging.INFO, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


@pytest.fixture
def request_records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog with the request id filter that settings.LOGGING puts on the console handler."""
    caplog.set_level(logging.INFO, logger="emotion_garden.requests")
    request_id_filter = RequestIdFilter()
    caplog.handler.addFilter(request_id_filter)
    yield caplog
    caplog.handler.removeFilter(request_id_filter)


def test_json_formatter_writes_the_standard_fields_and_extras() -> None:
    line = JsonFormatter().format(record("garden for %s", "HAPPY", request_id="abc", status=200, duration_ms=12.5))
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "gallery.api"
    assert entry["message"] == "garden for HAPPY"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert (entry["request_id"], entry["status"], entry["duration_ms"]) == ("abc", 200, 12.5)
    # Nothing of LogRecord's own bookkeeping (args, lineno, thread, ...) leaks in.
    assert set(entry) == {"time", "level", "logger", "message", "request_id", "status", "duration_ms"}


def test_json_formatter_keeps_a_traceback_on_one_line() -> None:
    try:
        raise ValueError("bad photo")
    except ValueError:
        failed = record("decoding failed")
        failed.exc_info = sys.exc_info()
    line = JsonFormatter().format(failed)
    assert "\n" not in line
    assert "ValueError: bad photo" in json.loads(line)["exception"]


def test_json_formatter_writes_what_json_cannot_encode_as_text() -> None:
    entry = json.loads(JsonFormatter().format(record(request=object(), path=Path("/healthz"))))
    assert entry["request"].startswith("<object object")
    assert entry["path"] == "/healthz"


def test_json_formatter_keeps_korean_readable() -> None:
    assert "기쁨" in JsonFormatter().format(record("%s", "기쁨"))


def test_request_id_filter_reads_the_current_request() -> None:
    outside = record()
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"
    token = request_id.set("req-1")
    try:
        inside = record()
        RequestIdFilter().filter(inside)
        assert inside.request_id == "req-1"
    finally:
        request_id.reset(token)


def test_one_line_per_request_with_a_fresh_id(client: Client, request_records: pytest.LogCaptureFixture) -> None:
    response = client.get("/jsi18n/?token=secret")
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    [line] = [entry for entry in request_records.records if entry.name == "emotion_garden.requests"]
    assert line.levelno == logging.INFO
    assert (line.method, line.path, line.status) == ("GET", "/jsi18n/", 200)
    assert line.duration_ms >= 0
    assert line.request_id == response["X-Request-ID"]
    assert "secret" not in line.getMessage()


def test_a_sane_incoming_request_id_is_kept(client: Client, request_records: pytest.LogCaptureFixture) -> None:
    response = client.get("/jsi18n/", headers={"X-Request-ID": "lb-7f3a.9:1"})
    assert response["X-Request-ID"] == "lb-7f3a.9:1"
    assert request_records.records[-1].request_id == "lb-7f3a.9:1"


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 129, 'quote"', "line\nbreak"])
def test_an_insane_incoming_request_id_is_replaced(client: Client, incoming: str) -> None:
    response = client.get("/jsi18n/", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_django_request_lines_carry_the_request_id(client: Client, request_records: pytest.LogCaptureFixture) -> None:
    """django.request logs a 404 after the middleware has returned: the id must still be set then."""
    response = client.get("/no-such-page/", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    [not_found] = [entry for entry in request_records.records if entry.name == "django.request"]
    assert not_found.request_id == "req-404"
    # Once the response is closed, later lines of this thread belong to no request.
    assert request_id.get() == "-"


def test_log_format_must_be_plain_or_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert load_settings(monkeypatch, tmp_path)["LOGGING"]["handlers"]["console"]["formatter"] == "plain"
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        load_settings(monkeypatch, tmp_path, LOG_FORMAT="xml")


@pytest.fixture
def console_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[io.StringIO]:
    """What the settings' console handler (its filters and plain format) writes, for records of any logger."""
    config = load_settings(monkeypatch, tmp_path)["LOGGING"]
    console = config["handlers"]["console"]
    handler = logging.StreamHandler(written := io.StringIO())
    handler.setFormatter(logging.Formatter(config["formatters"][console["formatter"]]["format"]))
    for name in console["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    root = logging.getLogger()
    root.addHandler(handler)
    yield written
    root.removeHandler(handler)


def test_a_host_not_served_is_one_warning_line(client: Client, console_lines: io.StringIO) -> None:
    """Scanners send other hosts by the thousand: each was an ERROR with a 15-line traceback, burying real faults."""
    response = client.get("/api/v1/emotions", headers={"Host": "scanner.example"})
    assert response.status_code == 400
    [security] = [line for line in console_lines.getvalue().splitlines() if "django.security" in line]
    assert " WARNING django.security.DisallowedHost " in security and "scanner.example" in security
    assert "Traceback" not in console_lines.getvalue()


def test_the_servers_own_errors_keep_their_traceback(console_lines: io.StringIO) -> None:
    try:
        raise RuntimeError("the engine broke")
    except RuntimeError:
        logging.getLogger("django.request").exception("Internal Server Error: /api/v1/garden")
    written = console_lines.getvalue()
    assert " ERROR django.request " in written and "Traceback" in written and "the engine broke" in written
