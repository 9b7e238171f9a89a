"""A NUL character in a URL is a 400 with a reason everywhere: on PostgreSQL every lookup of it was a 500 (the media
view's file names, the admin's filters)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/media/images/a%00b", "/media/covers/a%00b.jpeg", "/api/v1/images/1%00/similar",
                                  "/?q=a%00b", "/image?content=a%00b"])
def test_a_nul_in_a_url_is_a_400_with_a_reason(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_an_admin_filter_is_a_400(client: Client) -> None:
    client.force_login(get_user_model().objects.create_superuser(username="operator", password="x"))
    assert client.get("/admin/curation/image/?theme__exact=a%00b").status_code == 400
    assert client.get("/admin/curation/image/?theme__exact=ab").status_code == 200
