"""The harness that drives the original systems' pages, byte for byte unchanged, in Chromium against this server; the
EG pages' tests (tests/browser/originals/) and the recommender's and look-alike's (tests/browser/root_originals/) each
describe their sites with an OriginalSite and open browsers on them through `original_browsers`.

The originals have no licence, so their pages are not in this repository: an environment variable per site names a
checkout of its repository (or its bare git directory); without it the site's tests skip. The browser is given each
page on the original's own domain, where it called its API with hard-coded or relative URLs, and every other request
to that domain is answered by the live server as CloudFront forwarded it to the API, so neither the pages nor the
server change for the tests. The Font Awesome stylesheet the pages load from cdnjs is answered with the copy Django
REST framework ships (4.0.3, which has the thumbs icons), so a curator's thumbs have a size and are clicked as a person
clicks them; every other outside host (unpkg, unsplash) stays offline.
"""

import functools
import http.client
import os
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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

FONT_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.7.0/"
FONT_AWESOME_COPY = Path(rest_framework.__file__).parent / "static" / "rest_framework"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
         ".woff": "font/woff", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".svg": "image/svg+xml"}
CURATOR_PASSWORD = "a curator's password"


@dataclass(frozen=True)
class OriginalSite:
    """Where an original's pages lived: its domain ("" for none of its own: the live server's), the environment
    variable naming its repository, the folder of that repository the site served, and the path it served it at."""

    origin: str
    variable: str
    repository: str
    folder: str
    mount: str = "/"
    index: str = ""  # the page the mount itself served, when the site had one

    def missing(self) -> str | None:
        """Why the site's tests skip, or None when its repository is named."""
        named = os.environ.get(self.variable)
        if named and Path(named).exists():
            return None
        return (f"{self.variable} does not name a copy of {self.repository} (the original pages have no licence and "
                "cannot ship here)")

    def root(self) -> Path:
        reason = self.missing()
        if reason is not None:
            pytest.skip(reason)
        return Path(os.environ[self.variable])

    def name_of(self, path: str) -> str | None:
        """The repository's file a URL path asks for, or None when the path is outside the site's folder."""
        if not path.startswith(self.mount):
            return None
        return f"{self.folder}/{path.removeprefix(self.mount) or self.index}"

    def file(self, name: str) -> bytes | None:
        """The repository's file `name`, from a checkout or a git directory; None when it has none."""
        return _repository_file(self.root(), name)


@functools.cache  # the pages ask for their scripts and styles again at each visit
def _repository_file(root: Path, name: str) -> bytes | None:
    checkout = root / name
    if checkout.is_file():
        return checkout.read_bytes()
    shown = subprocess.run(["git", f"--git-dir={root}", "show", f"HEAD:{name}"], capture_output=True)
    return shown.stdout if shown.returncode == 0 else None


def skip_unnamed(items: list[pytest.Item], folder: Path, sites: Iterable[OriginalSite]) -> None:
    """For pytest_collection_modifyitems: when none of the sites is named, skip the folder's tests before any browser
    or server starts (a test of a site left unnamed beside a named one skips as it opens its browser)."""
    reasons = [site.missing() for site in sites]
    if not all(reasons):
        return
    skip = pytest.mark.skip(reason="; ".join(reason for reason in reasons if reason))
    for item in items:
        if folder in Path(item.path).parents:
            item.add_marker(skip)


@dataclass
class OriginalBrowser:
    """One person's browser (a context of its own) on an original site, with what its pages said: script errors and
    the alert() messages, which are accepted as the person would."""

    origin: str
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    # Script errors the original page itself raises (each test names them and says why).
    expected_errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(f"{self.origin}{path}")
        return self.page

    def log_in(self, user: AbstractBaseUser) -> None:
        """The curator logs in to /admin/ in this browser, as they would before opening a curation page."""
        self.page.goto(f"{self.origin}/admin/login/?next=/admin/")
        self.page.locator("#id_username").fill(user.get_username())
        self.page.locator("#id_password").fill(CURATOR_PASSWORD)
        self.page.locator("input[type=submit]").click()
        expect(self.page).to_have_url(f"{self.origin}/admin/")

    def read_face(self, endpoint: str) -> Response:
        """The EG camera pages' flow: Video, wait for the camera, then Emotion; the answer of the endpoint the page
        calls (/emotion itself, or the one it calls next with the reading)."""
        self.page.locator(".start-button").click()
        self.page.wait_for_function("document.getElementById('preview').videoWidth > 0")
        with self.page.expect_response(f"{self.origin}/{endpoint}") as answer:
            self.page.locator(".emotion-button").click()
        return answer.value

    def answers(self, endpoint: str) -> list[Response]:
        """The server's answers so far to the page's calls of one endpoint ("bulk", "like"...)."""
        return [response for response in self.responses if response.url == f"{self.origin}/{endpoint}"]

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


OpenBrowser = Callable[..., OriginalBrowser]  # each package's original_site fixture: open_browser(..., camera=None)


@contextmanager
def original_browsers(
    browser: Browser, live_server: LiveServer, settings: Settings
) -> Iterator[Callable[[OriginalSite, Browser | None], OriginalBrowser]]:
    """Opens browsers on original sites (open_browser(site, camera=None)); each must end with no script error but
    those its test expects."""
    opened: list[OriginalBrowser] = []

    def open_browser(site: OriginalSite, camera: Browser | None = None) -> OriginalBrowser:
        """A new person's browser on `site`; `camera` is a browser whose camera films something else than the
        astronaut."""
        site.root()
        origin = site.origin or live_server.url
        host = urlsplit(origin)
        # The server sits behind the site's domain as behind CloudFront, and writes its image URLs on that domain.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host.hostname]
        settings.USE_X_FORWARDED_HOST = True
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        proxy_headers = {"x-forwarded-host": host.netloc, "x-forwarded-proto": host.scheme}

        def answer(route: Route) -> None:
            target = route.request.url.removeprefix(origin)
            name = site.name_of(urlsplit(target).path) if route.request.method == "GET" else None
            page_file = site.file(name) if name is not None else None
            if name is not None and page_file is not None:
                route.fulfill(status=200, body=page_file, headers={"Content-Type": TYPES.get(Path(name).suffix, "")})
            elif site.origin:
                forward(route, target, proxy_headers)
            else:
                route.continue_()  # the live server's own origin

        context = (camera or browser).new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: route.abort())  # every other outside host stays offline
        context.route(f"{FONT_AWESOME}**", font_awesome)
        context.route(f"{origin}/**", answer)
        page = context.new_page()
        page.set_default_timeout(20_000)
        person = OriginalBrowser(origin=origin, context=context, page=page)

        def on_dialog(dialog: Dialog) -> None:
            person.alerts.append(dialog.message)
            dialog.accept()

        page.on("pageerror", lambda error: person.errors.append(str(error)))
        page.on("dialog", on_dialog)
        page.on("response", lambda response: person.responses.append(response))
        opened.append(person)
        return person

    def forward(route: Route, target: str, proxy_headers: dict[str, str]) -> None:
        """As CloudFront forwarded it, cookies included (the curator's session). Redirects go back to the browser, so
        that it follows them on the site's domain and keeps the cookies they set. One request at a time, with a
        blocking call: the test database (in-memory SQLite) is one connection that the live server's threads share,
        and the pages fire several writes at once; a single worker answers them in turn."""
        request = route.request
        headers = {name: value for name, value in request.all_headers().items()
                   if name not in ("host", "accept-encoding") and not name.startswith(":")}
        server = urlsplit(live_server.url)
        connection = http.client.HTTPConnection(server.hostname or "", server.port, timeout=120)
        try:
            connection.request(request.method, target or "/", body=request.post_data_buffer,
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

    yield open_browser
    for person in opened:
        person.context.close()
    for person in opened:
        assert not person.unexpected_errors(), person.errors


def page_curator_with(*permissions: str) -> AbstractBaseUser:
    """Staff with what the original curation endpoints of a site ask for (made by each package's page_curator
    fixture: a transactional test loses the Curators group its data migration made)."""
    user = get_user_model().objects.create_user("pagecurator", password=CURATOR_PASSWORD, is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user
