import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import Client

from curation.models import Image
from tests.compat.pages import live_image, pool_image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def test_a_live_image_is_served_at_its_original_key(compat_client: Client) -> None:
    image = live_image("img_20230423-101932_1h.jpeg", theme="spring,cloudy,day")
    response = compat_client.get("/emotions/happy/spring,cloudy,day/img_20230423-101932_1h.jpeg")
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    with default_storage.open(image.file.name) as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]


def test_a_pool_image_is_served_uncached(compat_client: Client) -> None:
    pool_image("img_20230423-101932_0v.jpeg", emotion="SAD")
    response = compat_client.get("/imgPool/sad/img_20230423-101932_0v.jpeg")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert compat_client.head("/imgPool/sad/img_20230423-101932_0v.jpeg").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/emotions/happy/nothing_1h.jpeg",
        "/emotions/happy/pending_1h.jpeg",  # not approved yet
        "/emotions/happy/retired_1h.jpeg",  # taken out of the gallery
        "/imgPool/happy/live_1h.jpeg",  # approved images have left the pool
        "/emotions/joyful/live_1h.jpeg",
        "/emotions/happy/a/b/live_1h.jpeg",
        "/emotions/x",
    ],
)
def test_anything_missing_is_s3s_403(compat_client: Client, path: str) -> None:
    live_image("live_1h.jpeg")
    pool_image("pending_1h.jpeg")
    ImageFactory(name="retired_1h.jpeg", status=Image.Status.RETIRED)
    response = compat_client.get(path)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content
    assert "no-store" in response["Cache-Control"]


def test_a_row_whose_file_is_gone_is_a_403(compat_client: Client) -> None:
    image = live_image("lost_1h.jpeg")
    default_storage.delete(image.file.name)
    assert compat_client.get("/emotions/happy/lost_1h.jpeg").status_code == 403


def test_remote_storage_is_redirected_to(compat_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    live_image("remote_1h.jpeg")
    monkeypatch.setattr(FileSystemStorage, "url", lambda storage, name: f"https://bucket.s3.amazonaws.com/{name}")
    response = compat_client.get("/emotions/happy/remote_1h.jpeg")
    assert response.status_code == 302
    assert response["Location"].startswith("https://bucket.s3.amazonaws.com/images/happy/")



def test_the_image_page_hands_a_visitor_their_live_image(compat_client: Client) -> None:
    """EG's GET /image?content=<key> (contract 1.14), which the server did not serve."""
    image = live_image("sunset_3h.jpeg", emotion="CALM", theme="autumn,rainy,sunset")
    page = compat_client.get("/image", {"content": "emotions/calm/autumn,rainy,sunset/sunset_3h.jpeg"})
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert f'src="{image.file.url}"' in html
    # The theme in words, as the gallery page writes it, not the key's spelling.
    assert "Calm · Autumn, Rainy, Sunset" in html and "autumn,rainy,sunset" not in html.replace(image.file.url, "")


def test_the_image_page_speaks_the_visitors_language(compat_client: Client) -> None:
    live_image("fog_1h.jpeg", emotion="FEAR", theme="winter,snowy,day")
    english = compat_client.get("/image", {"content": "emotions/fear/winter,snowy,day/fog_1h.jpeg"}).content.decode()
    assert 'alt="An image that feels afraid"' in english  # was "An image for a fear mood"
    korean = compat_client.get("/image", {"content": "emotions/fear/winter,snowy,day/fog_1h.jpeg"},
                               headers={"Accept-Language": "ko"}).content.decode()
    assert "공포 · 겨울, 눈, 낮" in korean


@pytest.mark.parametrize("content", ["imgPool/calm/pending_0h.jpeg", "emotions/calm/none.jpeg",
                                     "<script>alert(1)</script>", "", "../../secret_key"])
def test_the_image_page_shows_nothing_but_live_images(compat_client: Client, content: str) -> None:
    pool_image("pending_0h.jpeg", emotion="CALM")
    page = compat_client.get("/image", {"content": content})
    assert page.status_code == 404 and "<script>alert" not in page.content.decode()
