import pytest
from django.contrib.auth import get_user_model
from django.test import Client


def test_home_page_offers_a_photo_upload(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="file"' in page and "gallery/garden.js" in page


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
