"""EG's booth screens: /updateDisplay copies live images to display/<zone>/img<N><h|v>.jpeg, which
flower-viewer-v2.html polls."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from gallery.compat.services import _replace_screen as replace_screen
from tests.compat.pages import live_image, pool_image, post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone() -> str:
    """A zone no other test used: the screens live in the test run's shared media folder."""
    return f"zone-{uuid.uuid4().hex[:12]}"


def screen_bytes(client: Client, path: str) -> bytes:
    response = client.get(path)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert "no-cache" in response["Cache-Control"]
    return b"".join(response.streaming_content)


def test_a_curator_puts_live_images_on_a_zones_screens(curation_client: Client, compat_client: Client,
                                                        zone: str) -> None:
    wide = live_image("img_a_1h.jpeg", theme="spring,cloudy,day")
    tall = live_image("img_b_2v.jpeg")
    response = post_json(curation_client, "/updateDisplay", {
        "zone": zone, "landscape": ["emotions/happy/spring,cloudy,day/img_a_1h.jpeg"],
        "portrait": ["", "https://example.org/emotions/happy/img_b_2v.jpeg"],
    })
    assert (response.status_code, response.content) == (200, b"sucess")
    with default_storage.open(wide.file.name) as stored:
        assert screen_bytes(compat_client, f"/display/{zone}/img1h.jpeg") == stored.read()
    with default_storage.open(tall.file.name) as stored:
        assert screen_bytes(compat_client, f"/display/{zone}/img2v.jpeg") == stored.read()
    # An empty entry leaves its screen as it was: never set, so S3's 403.
    assert compat_client.get(f"/display/{zone}/img1v.jpeg").status_code == 403


def test_an_update_replaces_what_a_screen_shows(curation_client: Client, compat_client: Client, zone: str) -> None:
    first, second = live_image("img_c_1h.jpeg"), live_image("img_d_1h.jpeg")
    for image in (first, second):
        post_json(curation_client, "/updateDisplay", {"zone": zone, "landscape": [f"emotions/happy/{image.name}"]})
    with default_storage.open(second.file.name) as stored:
        assert screen_bytes(compat_client, f"/display/{zone}/img1h.jpeg") == stored.read()
    assert default_storage.listdir(f"display/{zone}")[1] == ["img1h.jpeg"]  # replaced, not copied beside it


def test_only_a_curator_changes_the_screens(compat_client: Client, zone: str) -> None:
    live_image("img_e_1h.jpeg")
    response = post_json(compat_client, "/updateDisplay", {"zone": zone, "landscape": ["emotions/happy/img_e_1h.jpeg"]})
    assert response.status_code == 401
    assert compat_client.get(f"/display/{zone}/img1h.jpeg").status_code == 403


@pytest.mark.parametrize(("body", "reason"), [
    ({"zone": "../media", "landscape": []}, "'zone' must be"),
    ({"landscape": []}, "'zone' is required"),
    ({"zone": "zone1", "landscape": ["imgPool/happy/img_pool_0h.jpeg"]}, "is not an image of the live gallery"),
    ({"zone": "zone1", "portrait": ["emotions/happy/missing_1v.jpeg"]}, "is not an image of the live gallery"),
    ({"zone": "zone1", "landscape": [f"emotions/happy/img_{n}h.jpeg" for n in range(9)]}, "more than 8"),
])
def test_bad_updates_are_refused_with_a_reason(curation_client: Client, body: dict[str, object], reason: str) -> None:
    pool_image("img_pool_0h.jpeg")
    response = post_json(curation_client, "/updateDisplay", body)
    assert response.status_code == 400
    assert reason in response.content.decode()


@pytest.mark.parametrize("name", ["img1h.jpeg", "other.jpeg", "img1h.png"])
def test_a_screen_never_set_is_s3s_403(compat_client: Client, zone: str, name: str) -> None:
    assert compat_client.get(f"/display/{zone}/{name}").status_code == 403


def test_a_live_image_that_lost_its_file_changes_no_screen(curation_client: Client, compat_client: Client,
                                                          zone: str) -> None:
    kept, lost = live_image("img_f_1h.jpeg"), live_image("img_g_2h.jpeg")
    default_storage.delete(lost.file.name)
    response = post_json(curation_client, "/updateDisplay",
                         {"zone": zone, "landscape": [f"emotions/happy/{kept.name}", f"emotions/happy/{lost.name}"]})
    assert response.status_code == 409 and "has lost its file" in response.content.decode()
    assert compat_client.get(f"/display/{zone}/img1h.jpeg").status_code == 403  # all or nothing


def test_screens_updated_at_once_are_each_replaced_whole_and_never_missing(zone: str) -> None:
    """Deleted and then saved, two updates at once left one picture in a renamed copy, and a screen asked between the
    two steps was missing (a 500 or a 403)."""
    name = f"display/{zone}/img1h.jpeg"
    pictures = [bytes([n]) * 50_000 for n in range(8)]
    replace_screen(name, pictures[0])
    seen: list[bytes] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            with default_storage.open(name, "rb") as screen:
                seen.append(screen.read())

    def update(picture: bytes) -> None:
        for _ in range(20):
            replace_screen(name, picture)

    watcher = threading.Thread(target=watch)
    watcher.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(update, pictures))
    stop.set()
    watcher.join()
    assert seen and all(picture in pictures for picture in seen)
    assert default_storage.listdir(f"display/{zone}")[1] == ["img1h.jpeg"]
