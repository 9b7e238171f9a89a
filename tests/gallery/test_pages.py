import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import ApprovedImageFactory

pytestmark = pytest.mark.django_db  # the page reads a sample of the garden


def test_home_page_offers_a_photo_upload(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "gallery/garden.js" in page


def test_home_page_loads_nothing_from_other_sites(client: Client) -> None:
    page = client.get("/").content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


@pytest.mark.parametrize("path", ["/", "/lookalike"])
def test_the_pages_are_kept_by_no_shared_cache(client: Client, path: str) -> None:
    """Each sets a cookie of its own browser and carries a CSRF token: they sent no Cache-Control at all."""
    response = client.get(path)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_home_page_gives_its_script_the_api_paths_and_labels_in_the_visitors_language(client: Client) -> None:
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["config"]
    assert english["urls"]["emotion"] == "/api/v1/emotion" and english["urls"]["garden"] == "/api/v1/garden"
    assert english["idPlaceholder"] in english["urls"]["faceUserLikes"]
    assert english["emotions"]["HAPPY"] == "Happy"
    # Inside a sentence: the cards said "Visitors who looked fear liked it".
    assert (english["feelings"]["FEAR"], english["feelings"]["SAD"]) == ("afraid", "sad")

    korean = client.get("/", HTTP_ACCEPT_LANGUAGE="ko")
    assert '<html lang="ko">' in korean.content.decode()
    assert korean.context["config"]["emotions"] == {
        "HAPPY": "행복", "SAD": "슬픔", "ANGRY": "화남", "CONFUSED": "혼란스러움", "DISGUSTED": "역겨움",
        "SURPRISED": "놀람", "CALM": "평온", "FEAR": "공포",
    }
    assert korean.context["config"]["feelings"]["FEAR"] == "공포"
    # The original pages called everyone 여자; each gender has its own word here.
    assert korean.context["config"]["genders"] == {"Male": "남성", "Female": "여성"}


def test_language_switch_and_javascript_catalogue(client: Client) -> None:
    switched = client.post("/i18n/setlang/", {"language": "ko", "next": "/"}, follow=True)
    assert "카메라 켜기" in switched.content.decode()
    catalogue = client.get("/jsi18n/").content.decode()
    assert json.dumps("표정을 읽고 있어요").strip('"') in catalogue  # the catalogue escapes non-ASCII as JSON does


def test_openapi_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/schema")
    assert schema.status_code == 200
    assert b"/api/v1/emotion" in schema.content and b"/api/v1/garden" in schema.content
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_admin_logs_in(client: Client) -> None:
    get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-password-1")
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "a-long-password-1"},
                           follow=True)
    assert response.status_code == 200
    assert response.context["user"].is_superuser
    for page in ("/admin/curation/image/", "/admin/curation/generationjob/", "/admin/gallery/faceuser/",
                 "/admin/recommender/interaction/", "/admin/recommender/outboxmessage/"):
        assert client.get(page).status_code == 200, page


def test_an_unsafe_next_after_the_admins_login_lands_on_the_admin(client: Client) -> None:
    """Django dropped it for its default, /accounts/profile/: a 404 here."""
    get_user_model().objects.create_superuser("admin", "admin@example.com", "a-long-password-1")
    response = client.post("/admin/login/?next=//evil.example", {"username": "admin", "password": "a-long-password-1"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_home_page_opens_with_a_sample_of_the_garden_and_a_mood_picker_in_the_visitors_language(
    client: Client,
) -> None:
    image = ApprovedImageFactory(emotion="CALM")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    # The sample links each image to its file, so it opens even without scripts.
    assert f'href="{image.file.url}"' in page and "평온 느낌의 그림" in page
    moods = re.findall(r'<button type="button" class="mood" value="(\w+)"', page)
    assert moods == ["HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"]
    assert "기분을 골라 보세요" in page


def test_home_page_without_approved_images_has_no_sample(client: Client) -> None:
    assert 'id="sample"' not in client.get("/").content.decode()
