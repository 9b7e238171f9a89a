"""Staff who is not a curator (the curator is in tests/conftest.py), and generators with scripted failures."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.test import Client

from tests.curation.curation_helpers import (
    GARBAGE,
    RAW_BYTES,
    SCRIPTED,
    SCRIPTED_SONGS,
    ScriptedGenerator,
    ScriptedSuggester,
)


@pytest.fixture
def staff(db: None) -> AbstractBaseUser:
    """Staff who may look at and edit images but was never made a curator."""
    user = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="curation", codename__in=["view_image", "change_image", "view_generationjob"]
    ))
    return user


@pytest.fixture
def staff_client(client: Client, staff: AbstractBaseUser) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def scripted_backends(settings) -> type[ScriptedGenerator]:  # noqa: ANN001 (pytest-django fixture)
    ScriptedGenerator.broken, ScriptedGenerator.hiccup = set(), set()
    settings.EMOTION_GARDEN_BACKENDS = {
        **settings.EMOTION_GARDEN_BACKENDS,
        SCRIPTED: {"BACKEND": "tests.curation.curation_helpers.ScriptedGenerator"},
        GARBAGE: {"BACKEND": "tests.curation.curation_helpers.GarbageGenerator"},
        RAW_BYTES: {"BACKEND": "tests.curation.curation_helpers.RawBytesGenerator"},
    }
    return ScriptedGenerator


@pytest.fixture
def scripted_suggester(settings) -> type[ScriptedSuggester]:  # noqa: ANN001 (pytest-django fixture)
    """A song suggester whose answer the test sets (ScriptedSuggester.answer), as "song_suggestion.scripted"."""
    ScriptedSuggester.answer, ScriptedSuggester.requests = "[]", []
    settings.EMOTION_GARDEN_BACKENDS = {
        **settings.EMOTION_GARDEN_BACKENDS,
        SCRIPTED_SONGS: {"BACKEND": "tests.curation.curation_helpers.ScriptedSuggester"},
    }
    return ScriptedSuggester
