import io
import ipaddress
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from botocore.stub import Stubber
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from PIL import Image
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient
from skimage import data as skimage_data

from emotion_garden.outages import redis_cache
from tests.aws import aws_client


@pytest.fixture(autouse=True)
def redis_reachable_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with Redis taken as reachable, as a process does: one that made it fail leaves it alone for
    outages.RETRY_SECONDS, and the refit as likes grow (recommender.training) is skipped meanwhile."""
    monkeypatch.setattr(redis_cache, "_down_until", 0.0)


def encode(image: Image.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def astronaut() -> Image.Image:
    """scikit-image's public-domain NASA portrait: a real, smiling face shipped inside a dependency."""
    return Image.fromarray(skimage_data.astronaut())


@pytest.fixture(scope="session")
def astronaut_png(astronaut: Image.Image) -> bytes:
    return encode(astronaut, "PNG")


@pytest.fixture(scope="session")
def astronaut_jpeg(astronaut: Image.Image) -> bytes:
    return encode(astronaut, "JPEG", quality=90)


@pytest.fixture(scope="session")
def faceless_jpeg() -> bytes:
    """A smooth gradient: a valid photo with nothing face-like in it."""
    gradient = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    return encode(Image.fromarray(np.stack([gradient, gradient[::-1], gradient], axis=-1)), "JPEG")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no config files, so a mistake in an AWS backend test can never reach a real account."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)


REKOGNITION_COLLECTION = "garden-test"
PERSONALIZE_USERS_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset/emotion-garden/USERS"


# These two swap a backend through pytest-django's `settings`, which undoes every change in reverse order at the end:
# a test may change other settings too without leaving a swapped backend behind.


@pytest.fixture
def rekognition_identity(no_real_aws: None, settings: Settings) -> Iterator[Stubber]:
    """Face identity served by a Rekognition collection (REKOGNITION_COLLECTION) whose answers the yielded Stubber
    gives; every queued answer must have been used."""
    client = aws_client("rekognition")
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, "face_identity": {
        "BACKEND": "gallery.faces.rekognition.RekognitionFaceIdentity",
        "OPTIONS": {"client": client, "collection_id": REKOGNITION_COLLECTION},
    }}
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def personalize_recommender(no_real_aws: None, settings: Settings) -> Iterator[Stubber]:
    """The recommender served by Amazon Personalize, whose events API answers come from the yielded Stubber."""
    client = aws_client("personalize-events")
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, "recommender": {
        "BACKEND": "recommender.engines.personalize.PersonalizeRecommender",
        "OPTIONS": {"dataset_arn_users": PERSONALIZE_USERS_ARN, "clients": {"personalize-events": client}},
    }}
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def fresh_ip() -> str:
    """A client address no other test (nor an earlier run against the same Redis) has used, so throttle counters
    in the cache start from zero."""
    return str(ipaddress.IPv6Address(uuid.uuid4().int))


@pytest.fixture
def curator(db: None) -> AbstractBaseUser:
    """Staff in the Curators group: reviews, approves, generates and uploads, and nothing else of the admin."""
    user = get_user_model().objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client: Client, curator: AbstractBaseUser) -> Client:
    client.force_login(curator)
    return client


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A committed test database that other threads and processes reach over connections of their own, as the web
    and worker processes reach the real one. Yields the database's NAME for a subprocess to connect to.

    PostgreSQL's test database already is one. SQLite's is in memory with a shared cache: its table locks fail at
    once rather than waiting out the busy timeout, unlike the WAL file the site runs on, and no other process can
    open it. So on SQLite the migrated in-memory database is copied to a file for the test's duration; the
    in-memory one stays open (closing its last connection would delete it) and serves the next tests.
    """
    if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
        yield connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        return
    memory = connections[DEFAULT_DB_ALIAS]
    path = tmp_path / "shared.sqlite3"
    memory.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        memory.connection.backup(copy)
    memory_settings = connections.settings[DEFAULT_DB_ALIAS]
    # A new settings dict rather than a changed one: the in-memory connection keeps its own.
    connections.settings[DEFAULT_DB_ALIAS] = {**memory_settings, "NAME": str(path)}
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield str(path)
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = memory_settings
        connections[DEFAULT_DB_ALIAS] = memory
