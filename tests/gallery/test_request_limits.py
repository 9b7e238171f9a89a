"""Oversized requests get 413 `request_too_large` in the API's error format, before their body is parsed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.factories import ApprovedImageFactory

pytestmark = pytest.mark.django_db


def assert_too_large(response) -> None:  # noqa: ANN001 (a DRF test response)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_json_over_the_limit_is_refused_before_parsing(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.API_MAX_JSON_BYTES = 1000
    # Not even JSON: a parser that read it would answer 400.
    assert_too_large(api_client.post("/api/v1/garden", b"{" * 1001, content_type="application/json"))
    assert_too_large(api_client.post("/api/v1/like", {"image": 1, "impressions": list(range(300))}, format="json"))


def test_json_at_the_limit_is_parsed(api_client: APIClient, settings) -> None:  # noqa: ANN001
    ApprovedImageFactory(emotion="CALM")
    body = b'{"emotion": "CALM"' + b" " * 100 + b"}"
    settings.API_MAX_JSON_BYTES = len(body)
    assert api_client.post("/api/v1/garden", body, content_type="application/json").status_code == 200
    assert api_client.post("/api/v1/garden", b"{", content_type="application/json").json()["error"]["code"] == (
        "parse_error"
    )


def test_the_default_limit_is_64_kib(settings) -> None:  # noqa: ANN001
    assert settings.API_MAX_JSON_BYTES == 64 * 1024


def test_multipart_over_the_limit_is_refused_from_its_length(api_client: APIClient, settings,  # noqa: ANN001
                                                            astronaut_jpeg: bytes) -> None:
    settings.API_MAX_MULTIPART_BYTES = len(astronaut_jpeg) // 2
    photo = SimpleUploadedFile("face.jpg", astronaut_jpeg, content_type="image/jpeg")
    assert_too_large(api_client.post("/api/v1/emotion", {"image": photo}, format="multipart"))
    two = {"source": SimpleUploadedFile("a.jpg", astronaut_jpeg), "target": SimpleUploadedFile("b.jpg", b"x")}
    assert_too_large(api_client.post("/api/v1/faces/compare", two, format="multipart"))


def test_the_multipart_limit_fits_two_photos_at_the_upload_limit(settings) -> None:  # noqa: ANN001
    assert settings.API_MAX_MULTIPART_BYTES > 2 * settings.MAX_IMAGE_UPLOAD_BYTES


def test_an_oversized_multipart_text_field_gets_413_not_django_400(api_client: APIClient,  # noqa: ANN001
                                                                    settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post("/api/v1/emotion", {"remember": "x" * 2000, "image": SimpleUploadedFile("a.jpg", b"x")},
                               format="multipart")
    assert_too_large(response)


def test_too_many_multipart_fields_get_400_in_the_error_format(api_client: APIClient, settings) -> None:  # noqa: ANN001
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = api_client.post("/api/v1/lookalike", {f"field{n}": "x" for n in range(10)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
