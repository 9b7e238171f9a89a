"""The gallery page in a real browser: Debian's headless Chromium driven by Playwright, against pytest-django's live
server. The camera is Chromium's fake capture device playing a Y4M video made from a real face photo."""

import io
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL import Image as PillowImage
from PIL import ImageDraw
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from curation.models import Image
from emotion_garden.vocabulary import Emotion
from gallery.faces import warm_up_face_backends
from tests.browser.live_server_settling import counted_requests
from tests.factories import ApprovedImageFactory

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
FRAME_SIZE = (640, 480)
GARDEN_SIZE = 9  # three pages of three: Next can show new images twice before the engine repeats

Screenshot = Callable[[Page, str], None]


# --- The camera's videos -------------------------------------------------------------------------------------------

def write_y4m(path: Path, frame: PillowImage.Image, *, frames: int = 5) -> Path:
    """A still video in the 4:2:0 YUV4MPEG2 format that --use-file-for-fake-video-capture plays (and loops)."""
    width, height = frame.size
    luma, blue, red = frame.convert("RGB").convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = luma.tobytes() + blue.resize(half, PillowImage.Resampling.BOX).tobytes() + red.resize(
        half, PillowImage.Resampling.BOX).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + planes)
    return path


@pytest.fixture(scope="session")
def face_video(tmp_path_factory: pytest.TempPathFactory, astronaut: PillowImage.Image) -> Path:
    """The astronaut portrait centred in a 4:3 frame, as a webcam would frame a person."""
    frame = PillowImage.new("RGB", FRAME_SIZE, (24, 28, 32))
    side = FRAME_SIZE[1]
    frame.paste(astronaut.resize((side, side)), ((FRAME_SIZE[0] - side) // 2, 0))
    return write_y4m(tmp_path_factory.mktemp("camera") / "face.y4m", frame)


@pytest.fixture(scope="session")
def faceless_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A camera pointed at a wall: a smooth gradient with nothing face-like in it."""
    gradient = np.tile(np.linspace(40, 220, FRAME_SIZE[0], dtype=np.uint8), (FRAME_SIZE[1], 1))
    frame = PillowImage.fromarray(np.stack([gradient, gradient[::-1], np.full_like(gradient, 128)], axis=-1))
    return write_y4m(tmp_path_factory.mktemp("camera") / "faceless.y4m", frame)


@pytest.fixture(scope="session")
def astronaut_file(tmp_path_factory: pytest.TempPathFactory, astronaut_jpeg: bytes) -> Path:
    path = tmp_path_factory.mktemp("photos") / "astronaut.jpeg"
    path.write_bytes(astronaut_jpeg)
    return path


@pytest.fixture(scope="session")
def faceless_file(tmp_path_factory: pytest.TempPathFactory, faceless_jpeg: bytes) -> Path:
    path = tmp_path_factory.mktemp("photos") / "wall.jpeg"
    path.write_bytes(faceless_jpeg)
    return path


# --- The browser ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests drive Debian's Chromium at {CHROMIUM}, which is missing. "
            "Install it with: apt-get install -y chromium",
            pytrace=False,
        )
    # Playwright's sync API keeps an event loop running in this thread, which makes Django refuse ORM calls from
    # the tests; they are plain synchronous calls, so the check is lifted while the browser is up.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        yield driver
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def live_server_settles(request: pytest.FixtureRequest) -> Iterator[None]:
    """A live-server test ends only when the server has answered what its pages still asked (see
    live_server_settling). Set up after the database and the server and before any page, so it waits after the
    pages close and before the database is emptied."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # emptied at teardown: after this fixture's wait, never before
    requests = counted_requests(request.getfixturevalue("live_server"))
    yield
    assert requests.wait_until_quiet(quiet_seconds=0.2, timeout=30), "the live server was still answering after 30 s"


@pytest.fixture(scope="session", autouse=True)
def warm_face_backends(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """The face models loaded before the first page asks, as every gunicorn worker loads them when it starts
    (gunicorn.conf.py): the live server shares this process, and a first photo that loads them (imports included, since
    the local face stack is imported only when first used) can outlast a browser test's wait on a busy machine."""
    with django_db_blocker.unblock():
        warm_up_face_backends()


def launch(playwright: Playwright, video: Path, *, allow_camera: bool = True) -> Browser:
    """Chromium whose camera plays `video`. --use-fake-ui-for-media-stream answers "Allow" to every camera prompt;
    without it the headless browser answers "Block", as a visitor who refuses the camera would."""
    args = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}",
    ]
    if allow_camera:
        args.append("--use-fake-ui-for-media-stream")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)


@pytest.fixture(scope="session")
def browser(playwright: Playwright, face_video: Path) -> Iterator[Browser]:
    browser = launch(playwright, face_video)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def faceless_browser(playwright: Playwright, faceless_video: Path) -> Iterator[Browser]:
    browser = launch(playwright, faceless_video)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def camera_blocking_browser(playwright: Playwright, face_video: Path) -> Iterator[Browser]:
    browser = launch(playwright, face_video, allow_camera=False)
    yield browser
    browser.close()


def open_page(browser: Browser, live_server: LiveServer, *, width: int = 1280, height: int = 900) -> Iterator[Page]:
    """A fresh visitor (empty storage) whose page must raise no script error and fetch nothing from elsewhere."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                  locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    script_errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    # Chromium reports what the Content-Security-Policy blocked on the console: nothing of ours may need it.
    page.on("console", lambda message: script_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "blob:", "data:")) else None)
    yield page
    context.close()
    assert not script_errors, f"script errors: {script_errors}"
    assert not outside, f"the page fetched from outside the site: {outside}"


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from open_page(browser, live_server)


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from open_page(browser, live_server, width=360, height=740)


@pytest.fixture
def faceless_page(faceless_browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from open_page(faceless_browser, live_server)


@pytest.fixture
def camera_blocked_page(camera_blocking_browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    yield from open_page(camera_blocking_browser, live_server)


@pytest.fixture
def screenshot() -> Screenshot:
    """Saves the whole page as artifacts/screenshots/<name>.png, for people to look at (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True, animations="disabled")

    return shoot


# --- The garden's images -------------------------------------------------------------------------------------------

PALETTES = [
    ((255, 214, 150), (247, 140, 106), (255, 244, 214)),
    ((170, 214, 190), (64, 140, 110), (255, 226, 120)),
    ((180, 200, 240), (98, 120, 190), (255, 200, 220)),
    ((250, 200, 210), (200, 110, 140), (255, 250, 235)),
]
THEMES = ["spring,meadow", "sunny,morning", "rainy,day", "winter,garden", "autumn,evening", "", "summer,field",
          "sunset", "forest"]


def garden_picture(seed: int, size: tuple[int, int] = (480, 320)) -> bytes:
    """A small flower field, so that the screenshots show something like the real garden."""
    chance = random.Random(seed)
    sky, ground, petal = PALETTES[seed % len(PALETTES)]
    width, height = size
    picture = PillowImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    for row in range(height):
        colour = tuple(round(top + (bottom - top) * row / height) for top, bottom in zip(sky, ground, strict=True))
        draw.line([(0, row), (width, row)], fill=colour)
    for _ in range(9):
        x, y, radius = chance.randrange(width), chance.randrange(height // 3, height), chance.randrange(10, 26)
        draw.line([(x, y), (x, min(height, y + radius * 3))], fill=(60, 110, 70), width=3)
        for angle in range(0, 360, 60):
            dx, dy = radius * np.cos(np.radians(angle)), radius * np.sin(np.radians(angle))
            draw.ellipse([x + dx - radius * 0.6, y + dy - radius * 0.6, x + dx + radius * 0.6, y + dy + radius * 0.6],
                         fill=petal)
        draw.ellipse([x - radius * 0.45, y - radius * 0.45, x + radius * 0.45, y + radius * 0.45], fill=(250, 190, 60))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@pytest.fixture
def garden_images(transactional_db: None) -> list[Image]:
    """Approved HAPPY images: the astronaut smiles, so these are the ones her garden shows."""
    return [
        ApprovedImageFactory(emotion=Emotion.HAPPY, theme=THEMES[seed], width=480, height=320,
                             file=ContentFile(garden_picture(seed), name=f"garden_{seed}.jpeg"))
        for seed in range(GARDEN_SIZE)
    ]
