"""The original Emotion Garden pages (kyopark2014/emotion-garden, html/), byte for byte unchanged, in Chromium against
this server.

The original pages have no licence, so they are not in this repository: point EMOTION_GARDEN_ORIGINALS at a checkout
of that repository (or its bare git directory) to run these tests; without it they skip. The pages hard-code their
CloudFront domain (ORIGIN); the browser is given each page there, and every other request to that domain is answered
by the live server, as CloudFront forwarded it to the API, so neither the pages nor the server change for the tests.
The Font Awesome stylesheet the pages load from cdnjs is answered with the copy Django REST framework ships (4.0.3,
which has the thumbs icons), so a curator's thumbs have a size and are clicked as a person clicks them; every other
outside host (unpkg, unsplash) stays offline.
"""

import functools
import http.client
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rest_framework
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Response, Route, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from gallery.compat.curators import GENERATE_IMAGES, REMOVE_IMAGES

ORIGIN = "https://d3ic6ryvcaoqdy.cloudfront.net"
FONT_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.7.0/"
FONT_AWESOME_COPY = Path(rest_framework.__file__).parent / "static" / "rest_framework"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
         ".woff": "font/woff", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".svg": "image/svg+xml"}
CURATOR_PASSWORD = "a curator's password"
NO_ORIGINALS = ("EMOTION_GARDEN_ORIGINALS does not name a copy of kyopark2014/emotion-garden (the original pages have "
                "no licence and cannot ship here)")


def _named_originals() -> Path | None:
    named = os.environ.get("EMOTION_GARDEN_ORIGINALS")
    return Path(named) if named and Path(named).exists() else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the originals, skip before any browser or server starts."""
    if _named_originals() is not None:
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=NO_ORIGINALS)
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(skip)


def originals_root() -> Path:
    root = _named_originals()
    if root is None:
        pytest.skip(NO_ORIGINALS)
    return root


@functools.cache  # the pages ask for their scripts and styles again at each visit
def original_file(path: str) -> bytes | None:
    """A file of the original repository, from a checkout or from its git directory; None when it has none."""
    root = originals_root()
    checkout = root / path
    if checkout.is_file():
        return checkout.read_bytes()
    shown = subprocess.run(["git", f"--git-dir={root}", "show", f"HEAD:{path}"], capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


@dataclass
class OriginalBrowser:
    """One person's browser (a context of its own) on the original site, with what its pages said: script errors
    and the alert() messages, which are accepted as the person would."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    # Script errors the original page itself raises offline (each test names them and says why).
    expected_errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(f"{ORIGIN}{path}")
        return self.page

    def log_in(self, user: AbstractBaseUser) -> None:
        """The curator logs in to /admin/ in this browser, as they would before opening a curation page."""
        self.page.goto(f"{ORIGIN}/admin/login/?next=/admin/")
        self.page.locator("#id_username").fill(user.get_username())
        self.page.locator("#id_password").fill(CURATOR_PASSWORD)
        self.page.locator("input[type=submit]").click()
        expect(self.page).to_have_url(f"{ORIGIN}/admin/")

    def read_face(self, endpoint: str) -> Response:
        """The camera pages' flow: Video, wait for the camera, then Emotion; the answer of the endpoint the page
        calls (/emotion itself, or the one it calls next with the reading)."""
        self.page.locator(".start-button").click()
        self.page.wait_for_function("document.getElementById('preview').videoWidth > 0")
        with self.page.expect_response(f"{ORIGIN}/{endpoint}") as answer:
            self.page.locator(".emotion-button").click()
        return answer.value

    def answers(self, endpoint: str) -> list[Response]:
        """The server's answers so far to the page's calls of one endpoint ("bulk", "like"...)."""
        return [response for response in self.responses if response.url == f"{ORIGIN}/{endpoint}"]

    def wait_for_answers(self, endpoint: str, count: int, *, timeout_s: float = 60) -> list[Response]:
        """Wait until the page has had at least `count` answers from the endpoint (the pages fire several XHRs at
        once, and some fire the same one again at each state change of a request)."""
        deadline = time.monotonic() + timeout_s
        while len(self.answers(endpoint)) < count and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events meanwhile
        answers = self.answers(endpoint)
        assert len(answers) >= count, f"{len(answers)} answers from /{endpoint}, expected {count}"
        return answers

    def wait_for_answer_to(self, endpoint: str, body: object, *, timeout_s: float = 60) -> Response:
        """Wait for the answer to the page's call of the endpoint with this JSON body."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for answer in self.answers(endpoint):
                if answer.request.post_data_json == body:
                    return answer
            self.page.wait_for_timeout(100)
        raise AssertionError(f"the page never sent /{endpoint} {body}")

    def wait_for_alert(self, text: str, *, timeout_s: float = 20) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for alert in self.alerts:
                if text in alert:
                    return alert
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no alert said {text!r}: {self.alerts}")

    def unexpected_errors(self) -> list[str]:
        return [error for error in self.errors if not any(known in error for known in self.expected_errors)]


def status_of(page: Page, url: str) -> int:
    """The status the page gets for a GET of `url`, through the same routing (Playwright's own request API would
    bypass it and reach the network)."""
    return page.evaluate("url => fetch(url, {cache: 'no-store'}).then(response => response.status)", url)


OpenBrowser = Callable[..., OriginalBrowser]  # open_browser(camera=None) below


@pytest.fixture
def original_site(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[OpenBrowser]:
    """Opens browsers on the original site; each must end with no script error but those its test expects."""
    originals_root()
    # The server sits behind the pages' domain as behind CloudFront, and writes its image URLs on that domain.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(ORIGIN).hostname]
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxy_headers = {"x-forwarded-host": urlsplit(ORIGIN).hostname, "x-forwarded-proto": "https"}
    opened: list[OriginalBrowser] = []

    def answer(route: Route) -> None:
        target = route.request.url.removeprefix(ORIGIN)
        path = urlsplit(target).path
        page_file = original_file(path.lstrip("/")) if path.startswith("/html/") else None
        if page_file is not None:
            route.fulfill(status=200, body=page_file, headers={"Content-Type": TYPES.get(Path(path).suffix, "")})
            return
        forward(route, target)

    def forward(route: Route, target: str) -> None:
        """As CloudFront forwarded it, cookies included (the curator's session). Redirects go back to the browser,
        so that it follows them on the pages' domain and keeps the cookies they set. One request at a time, with a
        blocking call: the test database (in-memory SQLite) is one connection that the live server's threads share,
        and the pages fire several writes at once; a single worker answers them in turn."""
        request = route.request
        headers = {name: value for name, value in request.all_headers().items()
                   if name not in ("host", "accept-encoding") and not name.startswith(":")}
        server = urlsplit(live_server.url)
        connection = http.client.HTTPConnection(server.hostname or "", server.port, timeout=120)
        try:
            connection.request(request.method, target, body=request.post_data_buffer,
                               headers={**headers, **proxy_headers})
            answer = connection.getresponse()
            body = answer.read()
        finally:
            connection.close()
        response_headers: dict[str, str] = {}
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                # Playwright splits a Set-Cookie header back into its cookies at the newlines.
                known = response_headers.get(name.lower())
                response_headers[name.lower()] = value if known is None else f"{known}\n{value}"
        route.fulfill(status=answer.status, headers=response_headers, body=body)

    def font_awesome(route: Route) -> None:
        name = urlsplit(route.request.url.removeprefix(FONT_AWESOME)).path
        local = FONT_AWESOME_COPY / ("css/font-awesome-4.0.3.css" if name.startswith("css/") else name)
        route.fulfill(status=200, body=local.read_bytes(), headers={"Content-Type": TYPES[local.suffix]})

    def open_browser(camera: Browser | None = None) -> OriginalBrowser:
        """A new person's browser; `camera` is a browser whose camera films something else than the astronaut."""
        context = (camera or browser).new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: route.abort())  # every other outside host stays offline
        context.route(f"{FONT_AWESOME}**", font_awesome)
        context.route(f"{ORIGIN}/**", answer)
        page = context.new_page()
        page.set_default_timeout(20_000)
        person = OriginalBrowser(context=context, page=page)

        def on_dialog(dialog: Dialog) -> None:
            person.alerts.append(dialog.message)
            dialog.accept()

        page.on("pageerror", lambda error: person.errors.append(str(error)))
        page.on("dialog", on_dialog)
        page.on("response", lambda response: person.responses.append(response))
        opened.append(person)
        return person

    yield open_browser
    for person in opened:
        person.context.close()
    for person in opened:
        assert not person.unexpected_errors(), person.errors


@pytest.fixture
def page_curator(transactional_db: None) -> AbstractBaseUser:
    """Staff with what the original curation endpoints ask for (made here: a transactional test loses the Curators
    group its data migration made)."""
    user = get_user_model().objects.create_user("pagecurator", password=CURATOR_PASSWORD, is_staff=True)
    for permission in (*REMOVE_IMAGES, *GENERATE_IMAGES):
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user
