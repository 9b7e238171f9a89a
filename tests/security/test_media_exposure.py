"""/media/ (settings.SERVE_MEDIA: Django serves MEDIA_ROOT itself) hands out a file only while someone may see it.

The probe's findings: a live image's /media URL, handed to every visitor by the garden, kept answering 200 after
/remove retired the image, and a rejected image's /media URL answered anyone; only /emotions/ and /imgPool/ checked.
"""

import re
from email.utils import formatdate

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image as PillowImage

from curation.models import Image
from curation.services import add_image_to_pool, approve_image, reject_image, retire_image
from emotion_garden.vocabulary import Emotion
from gallery.compat.keys import live_key
from gallery.models import ReferencePerson, ReferencePhoto
from tests.compat.pages import post_json
from tests.factories import (
    ApiKeyFactory,
    ApprovedImageFactory,
    ApprovedTrackFactory,
    ImageFactory,
    TrackFactory,
    jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def media(image_field: object) -> str:
    return f"/media/{image_field.name}"  # type: ignore[attr-defined] # a FieldFile


def is_live_caching(response: object) -> bool:
    return "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]  # type: ignore[index]


def test_a_live_image_is_public_and_cacheable(client: Client) -> None:
    image = ApprovedImageFactory()
    response = client.get(media(image.file))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert is_live_caching(response)


def test_an_image_retired_by_remove_is_gone_from_the_url_the_garden_handed_out(client: Client) -> None:
    """The probe's first finding, step by step: the garden's url, /remove with the curation key, the url again."""
    curation_client = Client(headers={"X-Api-Key": ApiKeyFactory(scopes=["curation"]).raw_key})
    ApprovedImageFactory(emotion=Emotion.SAD, orientation=Image.Orientation.PORTRAIT, theme="winter,rainy,day",
                         name="1db9v.jpeg")
    [item] = post_json(client, "/api/v1/garden", {"emotion": "SAD", "mode": "emotion"}).json()["items"]
    url = item["url"].removeprefix("http://testserver")
    assert client.get(url).status_code == 200

    removed = post_json(curation_client, "/remove", {"objName": ["emotions/sad/winter,rainy,day/1db9v.jpeg"]})
    assert removed.status_code == 200
    assert Image.objects.get().status == Image.Status.RETIRED
    assert client.get(url).status_code == 404


def test_a_withdrawn_image_is_not_revalidated_into_a_304(client: Client) -> None:
    """A browser that cached the live image asks again with If-Modified-Since: the answer is 404, not "still yours"."""
    image = ApprovedImageFactory()
    assert client.get(media(image.file)).status_code == 200
    retire_image(image=image)
    later = formatdate(usegmt=True)
    assert client.get(media(image.file), headers={"If-Modified-Since": later}).status_code == 404


@pytest.mark.parametrize("withdraw", [reject_image, retire_image, None], ids=["rejected", "retired", "pending"])
def test_an_image_that_is_not_live_is_not_found_by_visitors(client: Client, withdraw: object) -> None:
    image = ImageFactory()
    if withdraw is retire_image:
        image = approve_image(image=image)
    if withdraw is not None:
        withdraw(image=image)  # type: ignore[operator]
    response = client.get(media(image.file))
    assert response.status_code == 404
    assert "max-age" not in response.get("Cache-Control", "")


def test_thumbnails_follow_their_image(client: Client) -> None:
    image = add_image_to_pool(picture=PillowImage.new("RGB", (96, 64), (10, 200, 30)), emotion=Emotion.CALM,
                              source=Image.Source.UPLOADED)
    assert client.get(media(image.thumbnail)).status_code == 404
    approve_image(image=image)
    assert client.get(media(image.thumbnail)).status_code == 200
    retire_image(image=image)
    assert client.get(media(image.thumbnail)).status_code == 404


@pytest.mark.parametrize("status", [Image.Status.PENDING, Image.Status.REJECTED, Image.Status.RETIRED])
def test_curators_see_every_status_but_no_cache_keeps_it(curator_client: Client, status: str) -> None:
    response = curator_client.get(media(ImageFactory(status=status).file))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_the_admins_review_page_shows_its_pending_image(curator_client: Client) -> None:
    """The review page, grid and history show pool images by their /media URLs: those keep working for curators."""
    image = ImageFactory()
    page = curator_client.get("/admin/curation/image/review/", {"image": image.pk})
    assert page.status_code == 200
    [shown] = re.findall(r'<img src="([^"]+)"[^>]*class="eg-review-image"', page.content.decode())
    assert shown == media(image.file)
    assert curator_client.get(shown).status_code == 200


def test_staff_without_the_right_to_see_the_pool_is_a_visitor(client: Client) -> None:
    clerk = get_user_model().objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    image = ImageFactory()
    assert client.get(media(image.file)).status_code == 404
    clerk.user_permissions.add(Permission.objects.get(codename="view_image"))
    assert client.get(media(image.file)).status_code == 200


def test_a_curator_who_is_no_longer_staff_is_a_visitor(client: Client, curator: AbstractBaseUser) -> None:
    curator.is_staff = False
    curator.save()
    client.force_login(curator)
    assert client.get(media(ImageFactory().file)).status_code == 404


def test_covers_are_public_only_for_approved_tracks(curator_client: Client) -> None:
    live, pending = ApprovedTrackFactory(), TrackFactory()
    visitor = Client()
    assert visitor.get(media(live.cover)).status_code == 200
    assert visitor.get(media(pending.cover)).status_code == 404
    assert curator_client.get(media(pending.cover)).status_code == 200


def test_reference_photos_are_public_while_enrolled(client: Client) -> None:
    """The look-alike page shows every visitor the photo of the person they resemble."""
    person = ReferencePerson.objects.create(name="Ada")
    photo = ReferencePhoto(person=person, model="test")
    photo.photo.save("ada.jpeg", ContentFile(jpeg_bytes()), save=True)
    assert client.get(media(photo.photo)).status_code == 200
    photo.delete()  # the file itself goes on commit; until then the row's absence is what hides it
    assert client.get(media(photo.photo)).status_code == 404


@pytest.mark.parametrize("name", ["healthz/probe.txt", "display/zone1/img1h.jpeg", "private/notes.txt"])
def test_files_of_no_public_kind_are_not_found(client: Client, name: str) -> None:
    stored = default_storage.save(name, ContentFile(b"secret"))
    try:
        assert client.get(f"/media/{stored}").status_code == 404
    finally:
        default_storage.delete(stored)


def test_another_spelling_of_a_withdrawn_images_path_is_not_found(client: Client) -> None:
    image = ImageFactory(status=Image.Status.REJECTED)
    folder, _, file_name = image.file.name.rpartition("/")
    for spelling in (f"{folder}//{file_name}", f"{folder}/../{folder.split('/')[-1]}/{file_name}",
                     f"{folder}/./{file_name}"):
        assert client.get(f"/media/{spelling}").status_code == 404, spelling


def test_the_compat_keys_still_check_status_as_before(client: Client) -> None:
    image = ApprovedImageFactory()
    assert client.get(f"/{live_key(image)}").status_code == 200
    retire_image(image=image)
    assert client.get(f"/{live_key(image)}").status_code == 403
