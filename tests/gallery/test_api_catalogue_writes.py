"""Nothing under /api/v1 changes the catalogue: every operation, called without a key, leaves images, generation jobs
and prompt templates as they were. Curating is the admin's and the original endpoints' (to curators only)."""

import pytest
from django.urls import URLPattern, get_resolver
from rest_framework.test import APIClient

from curation.models import GenerationJob, Image, PromptTemplate
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db


def catalogue() -> tuple[object, ...]:
    return (sorted(Image.objects.values_list("id", "status", "emotion", "theme", "name")),
            GenerationJob.objects.count(), sorted(PromptTemplate.objects.values_list("id", "text")))


def api_operations() -> list[tuple[str, str]]:
    api = next(pattern for pattern in get_resolver().url_patterns if getattr(pattern, "namespace", "") == "api")
    return [
        (method, str(entry.pattern))
        for entry in api.url_patterns if isinstance(entry, URLPattern)
        for method in entry.callback.view_class().allowed_methods if method not in ("OPTIONS", "HEAD")
    ]


@pytest.mark.parametrize(("method", "pattern"), api_operations())
def test_no_api_operation_changes_the_catalogue_for_an_anonymous_caller(api_client: APIClient, method: str,
                                                                      pattern: str) -> None:
    live, pending = ApprovedImageFactory(), ImageFactory()
    path = "/api/v1/" + pattern.replace("<uuid:face_user_id>", str(FaceUserFactory().pk))
    before = catalogue()
    # A body with what a catalogue write would name: the images, their status, an emotion, a prompt.
    body = {"image": pending.pk, "images": [live.pk, pending.pk], "status": "approved", "emotion": "HAPPY",
            "prompt": "a garden", "count": 1}
    response = getattr(api_client, method.lower())(path, body, format="json")
    assert response.status_code < 500
    assert catalogue() == before
