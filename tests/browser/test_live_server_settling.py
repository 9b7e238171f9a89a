import threading
import time

from tests.browser.live_server_settling import InFlightRequests


def test_the_wait_lasts_until_the_last_request_is_answered_and_the_server_stays_idle() -> None:
    answering = threading.Event()
    release = threading.Event()

    def slow_app(environ: dict, start_response: object) -> list[bytes]:
        answering.set()
        release.wait(5)
        return [b"done"]

    app = InFlightRequests(slow_app)
    request = threading.Thread(target=app, args=({}, None))
    request.start()
    answering.wait(5)
    assert not app.wait_until_quiet(quiet_seconds=0.05, timeout=0.2)
    release.set()
    started = time.monotonic()
    assert app.wait_until_quiet(quiet_seconds=0.2, timeout=5)
    assert time.monotonic() - started >= 0.2
    request.join()
