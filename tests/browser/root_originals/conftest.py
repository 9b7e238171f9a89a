"""The original pages that lived at their site's root, byte for byte unchanged, in Chromium against this server: the
image recommender's (kyopark2014/image-recommender-based-on-emotion, html/*) and the celebrity look-alike's
(Huch0/Cloud-Computing-Term-Project-17, src/server/static/index.html at "/").

None of those repositories has a licence, so their pages are not in this one: EMOTION_GARDEN_ORIGINALS_IRBE and
EMOTION_GARDEN_ORIGINALS_LOOKALIKE name a checkout (or bare git directory) of each; a test whose variable is unset
skips. The browser gets each page on the original's own domain, where it called its API with relative URLs, and
every other request to that domain is answered by the live server as CloudFront (or Flask) answered it, so neither
the pages nor the server change for the tests. This mirrors the EG pages' harness (tests/browser/originals/ on the
`originals` branch), which serves pages under /html/ instead.
"""

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

from gallery.compat.curators import GENERATE_IMAGES, REMOVE_IMAGES, SEED_RECOMMENDER

FONT_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/4.7.0/"
FONT_AWESOME_COPY = Path(rest_framework.__file__).parent / "static" / "rest_framework"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
         ".woff": "font/woff", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".svg": "image/svg+xml"}
CURATOR_PASSWORD = "a curator's password"


@dataclass(frozen=True)
class OriginalSite:
    """Where an original's pages lived: its domain ("" for none of its own: the live server's), the environment
    variable naming its repository, and the folder of that repository its site root served."""

    origin: str
    variable: str
    repository: str
    folder: str
    index: str = ""  # the page "/" served, when the site had one

    def root(self) -> Path:
        root = Path(os.environ.get(self.variable, ""))
        if not os.environ.get(self.variable) or not root.exists():
            pytest.skip(f"{self.variable} does not name a copy of {self.repository} (the original pages have no "
                        "licence and cannot ship here)")
        return root

    def file(self, path: str) -> bytes | None:
        """The site's file at `path` (no leading slash), from a checkout or a git directory; None when none."""
        name = f"{self.folder}/{path or self.index}"
        root = self.root()
        if (root / name).is_file():
            return (root / name).read_bytes()
        shown = subprocess.run(["git", f"--git-dir={root}", "show", f"HEAD:{name}"], capture_output=True)
        return shown.stdout if shown.returncode == 0 else None


# The recommender's CloudFront domain, as its pages' own comments name it.
IRBE = OriginalSite(origin="https://d14j04tdmh4c1d.cloudfront.net", variable="EMOTION_GARDEN_ORIGINALS_IRBE",
                    repository="kyopark2014/image-recommender-based-on-emotion", folder="html")
# The look-alike page ran on whatever host its Flask app did, and calls it origin-relative ("/upload"): it is given
# the live server's own origin, where its upload reaches the server untouched (Chromium hands a route a multipart body
# without its files' bytes, so it could not be forwarded).
LOOKALIKE = OriginalSite(origin="", variable="EMOTION_GARDEN_ORIGINALS_LOOKALIKE",
                         repository="Huch0/Cloud-Computing-Term-Project-17", folder="src/server/static",
                         index="index.html")


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

    def answers(self, endpoint: str) -> list[Response]:
        """The server's answers so far to the page's calls of one endpoint ("gallery", "like"...)."""
        return [response for response in self.responses if response.url == f"{self.origin}/{endpoint}"]

    def wait_for_answers(self, endpoint: str, count: int, *, timeout_s: float = 60) -> list[Response]:
        deadline = time.monotonic() + timeout_s
        while len(self.answers(endpoint)) < count and time.monotonic() < deadline:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the events meanwhile
        answers = self.answers(endpoint)
        assert len(answers) >= count, f"{len(answers)} answers from /{endpoint}, expected {count}"
        return answers

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


OpenBrowser = Callable[..., OriginalBrowser]  # open_browser(site, camera=None) below


@pytest.fixture
def original_site(browser: Browser, live_server: LiveServer, settings: Settings) -> Iterator[OpenBrowser]:
    """Opens browsers on an original site; each must end with no script error but those its test expects."""
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
            name = urlsplit(target).path.lstrip("/")
            page_file = site.file(name) if route.request.method == "GET" else None
            if page_file is not None:
                route.fulfill(status=200, body=page_file,
                              headers={"Content-Type": TYPES.get(Path(name or site.index).suffix, "")})
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
        """The pages' Font Awesome from cdnjs, answered with the copy Django REST framework ships (4.0.3, which has
        the thumbs icons), so the thumbs have a size and are clicked as a person clicks them."""
        name = urlsplit(route.request.url.removeprefix(FONT_AWESOME)).path
        local = FONT_AWESOME_COPY / ("css/font-awesome-4.0.3.css" if name.startswith("css/") else name)
        route.fulfill(status=200, body=local.read_bytes(), headers={"Content-Type": TYPES[local.suffix]})

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
    for permission in (*REMOVE_IMAGES, *GENERATE_IMAGES, *SEED_RECOMMENDER):
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user
