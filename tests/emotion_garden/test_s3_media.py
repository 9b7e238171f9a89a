"""Media on S3 as configured by AWS_STORAGE_BUCKET_NAME, against moto's S3 server on loopback: the real
django-storages S3Storage over real HTTP, signed URLs included, and /healthz's storage check through it."""

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from tests.emotion_garden.settings_env import load_settings
from tests.factories import ApprovedImageFactory, jpeg_bytes

BUCKET = "garden-media"
REGION = "eu-west-1"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in a thread of this process, on a free loopback port: nothing leaves the machine."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        # moto's backends are global to the process and outlive the server: forget this test's buckets.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
        server.stop()


@pytest.fixture
def s3_media(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """The media storage exactly as settings.py builds it for a deployment with a bucket, pointed at moto."""
    boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    deployed = load_settings(monkeypatch, tmp_path, AWS_STORAGE_BUCKET_NAME=BUCKET, AWS_S3_ENDPOINT_URL=s3_endpoint,
                             AWS_S3_REGION_NAME=REGION)
    with override_settings(STORAGES={**settings.STORAGES, "default": deployed["MEDIA_STORAGE"]}):
        yield boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)


def test_an_image_is_stored_in_the_bucket_and_served_by_a_signed_url(s3_media: Any, s3_endpoint: str) -> None:
    assert isinstance(default_storage, S3Storage)
    picture = jpeg_bytes(120, 80)
    image = ApprovedImageFactory(file=ContentFile(picture, name="upload.jpeg"), width=120, height=80)

    stored = s3_media.get_object(Bucket=BUCKET, Key=image.file.name)
    assert stored["Body"].read() == picture
    with image.file.open("rb") as read_back:
        assert read_back.read() == picture

    url = urlsplit(image.file.url)
    assert f"{url.scheme}://{url.netloc}" == s3_endpoint
    assert url.path == f"/{BUCKET}/{image.file.name}"
    assert "X-Amz-Signature=" in url.query  # the bucket stays private; clients get expiring links
    with urllib.request.urlopen(image.file.url, timeout=10) as response:
        assert response.read() == picture


def test_health_check_writes_reads_and_deletes_in_the_bucket(s3_media: Any, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["storage"]["ok"] is True
    assert s3_media.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_health_check_fails_without_the_bucket(s3_media: Any, client: Client) -> None:
    s3_media.delete_bucket(Bucket=BUCKET)
    response = client.get("/healthz")
    assert response.status_code == 503
    storage = response.json()["checks"]["storage"]
    assert (storage["ok"], storage["error"]) == (False, "NoSuchBucket")
