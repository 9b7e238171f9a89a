"""The SageMaker Stable Diffusion backend, without the network: moto's sagemaker-runtime for the round trip over
HTTP (canned endpoint answers), botocore's Stubber for the exact request, and a whole generation job."""

import base64
import io
import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.conf import settings
from django.test import override_settings
from moto import mock_aws
from PIL import Image

from curation.generators.aws import generator_client
from curation.generators.base import GenerationFailed, GenerationRequest
from curation.generators.sagemaker import SageMakerStableDiffusion
from curation.models import GenerationItem, GenerationJob
from curation.models import Image as PoolImage
from curation.services import create_generation_job, run_generation_job
from emotion_garden.vocabulary import Emotion
from tests.aws import JsonBody, jpeg_base64

REGION = "us-east-1"
ENDPOINT = "jumpstart-example-model-txt2img-stabili-2023"
# moto serves its own configuration API at this address in-process while mock_aws is active.
MOTO_ENDPOINT_RESULTS = "http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results"

CALM_SPRING = GenerationRequest(emotion="CALM", theme="spring", prompt="", width=512, height=384, seed=7)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: a decompression bomb's calling card."""
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, format="PNG")
    png = buffer.getvalue()
    header = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:]


def endpoint_answer(*images: str) -> str:
    return json.dumps({"generated_images": list(images), "prompt": "whatever the endpoint echoes"})


def queue_endpoint_answers(*bodies: str) -> None:
    """moto answers invoke_endpoint from a queue of canned results, one per distinct request, in order."""
    results = [{"Body": body, "ContentType": "application/json"} for body in bodies]
    requests.post(MOTO_ENDPOINT_RESULTS, json={"region": REGION, "results": results}, timeout=5).raise_for_status()


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def moto_sagemaker() -> Iterator[SageMakerStableDiffusion]:
    with mock_aws():
        yield SageMakerStableDiffusion(endpoint_name=ENDPOINT, region_name=REGION)


@pytest.fixture
def stubbed_runtime() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("sagemaker-runtime")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("requested", "answered"),
    [((512, 384), (512, 384)), ((300, 200), (296, 256))],
    ids=["as-requested", "endpoint-size-fitted-back"],
)
def test_endpoint_image_comes_back_at_the_requested_size(
    moto_sagemaker: SageMakerStableDiffusion, requested: tuple[int, int], answered: tuple[int, int]
) -> None:
    queue_endpoint_answers(endpoint_answer(jpeg_base64(*answered)))
    width, height = requested
    picture = moto_sagemaker.generate(
        GenerationRequest(emotion="CALM", theme="", prompt="", width=width, height=height, seed=1)
    )
    assert (picture.mode, picture.size) == ("RGB", requested)
    red, green, blue = picture.getpixel((width // 2, height // 2))
    assert green > 140 and red < 60 and blue < 110


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>502 Bad Gateway</html>", "not JSON"),
        (json.dumps(["a", "list"]), "not an object"),
        (json.dumps({"generated_images": []}), "without an image"),
        (json.dumps({"generated_images": [[[0, 0, 0]]]}), "without an image"),
        (json.dumps({"error": "CUDA out of memory"}), "without an image"),
        (endpoint_answer("@@not base64@@"), "not base64"),
        (endpoint_answer(base64.b64encode(b"plain text, not pixels").decode()), "not a JPEG, PNG"),
        (endpoint_answer(base64.b64encode(png_declaring(100_000, 100_000)).decode()), "too many pixels"),
    ],
    ids=["not-json", "json-list", "empty-list", "pixel-arrays", "no-images-key", "not-base64", "not-an-image",
         "decompression-bomb"],
)
def test_garbage_from_the_endpoint_is_a_failed_generation(
    moto_sagemaker: SageMakerStableDiffusion, body: str, message: str
) -> None:
    queue_endpoint_answers(body)
    with pytest.raises(GenerationFailed, match=message):
        moto_sagemaker.generate(CALM_SPRING)


@pytest.mark.parametrize(
    ("prompt", "sent_prompt"),
    [
        ("", "botanical garden with flowers, calm mood, spring, "
             "fantasy, concept art, highly detailed, intricate, sharp focus, digital art"),
        ("  white roses at dawn ", "white roses at dawn"),
    ],
    ids=["default-prompt", "curator-prompt"],
)
def test_request_is_the_jumpstart_payload(
    stubbed_runtime: tuple[Any, Stubber], prompt: str, sent_prompt: str
) -> None:
    client, stubber = stubbed_runtime
    answer = endpoint_answer(jpeg_base64(296, 256)).encode()
    stubber.add_response(
        "invoke_endpoint",
        {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": "application/json"},
        {
            "EndpointName": ENDPOINT,
            "ContentType": "application/json",
            "Accept": "application/json;jpeg",
            "Body": JsonBody({
                "prompt": sent_prompt, "width": 296, "height": 256, "num_images_per_prompt": 1,
                "num_inference_steps": 30, "guidance_scale": 9.0, "seed": 7,
            }),
        },
    )
    generator = SageMakerStableDiffusion(
        endpoint_name=ENDPOINT, num_inference_steps=30, guidance_scale=9.0, client=client
    )
    request = GenerationRequest(emotion="CALM", theme="spring", prompt=prompt, width=300, height=200, seed=7)
    assert generator.generate(request).size == (300, 200)


def test_endpoint_error_is_a_failed_generation_naming_the_aws_code(stubbed_runtime: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed_runtime
    stubber.add_client_error(
        "invoke_endpoint", service_error_code="ModelError", http_status_code=424,
        service_message="Received server error (500) from primary with message CUDA out of memory",
    )
    generator = SageMakerStableDiffusion(endpoint_name=ENDPOINT, client=client)
    with pytest.raises(GenerationFailed, match=f"SageMaker endpoint {ENDPOINT} failed: ModelError: .*CUDA"):
        generator.generate(CALM_SPRING)


def test_read_timeout_is_a_failed_generation() -> None:
    class TimingOutRuntime:
        def invoke_endpoint(self, **params: Any) -> dict[str, Any]:
            raise ReadTimeoutError(endpoint_url=f"https://runtime.sagemaker.{REGION}.amazonaws.com")

    generator = SageMakerStableDiffusion(endpoint_name=ENDPOINT, client=TimingOutRuntime())
    with pytest.raises(GenerationFailed, match="failed: ReadTimeoutError"):
        generator.generate(CALM_SPRING)


def test_client_is_made_on_first_use_with_the_timeout_and_one_retry() -> None:
    client = generator_client("sagemaker-runtime", region_name="eu-west-1", timeout_s=90, client=None).get()
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.config.read_timeout == 90
    assert client.meta.config.retries == {"total_max_attempts": 2, "mode": "standard"}


@pytest.mark.django_db
def test_generation_job_pools_the_good_images_and_stores_nothing_for_the_failed_one() -> None:
    backends = {
        **settings.EMOTION_GARDEN_BACKENDS,
        "image_generation.sagemaker": {
            "BACKEND": "curation.generators.sagemaker.SageMakerStableDiffusion",
            "OPTIONS": {"endpoint_name": ENDPOINT, "region_name": REGION, "timeout_s": 30},
        },
    }
    files_before = media_files()
    with mock_aws(), override_settings(EMOTION_GARDEN_BACKENDS=backends):
        # moto repeats its answer to a repeated request, so every attempt at image 1 gets the same garbage.
        queue_endpoint_answers(
            endpoint_answer(jpeg_base64(768, 512)),
            endpoint_answer(base64.b64encode(b"<html>upstream error</html>").decode()),
            endpoint_answer(jpeg_base64(768, 512)),
        )
        job = create_generation_job(
            emotion=Emotion.HAPPY, count=3, width=768, height=512, theme="spring", backend="image_generation.sagemaker"
        )
        run_generation_job(job=job)
    assert job.status == GenerationJob.Status.DONE
    items = list(job.items.order_by("index"))
    assert [item.status for item in items] == [
        GenerationItem.Status.DONE, GenerationItem.Status.FAILED, GenerationItem.Status.DONE
    ]
    assert items[1].attempts == settings.GENERATION_ATTEMPTS
    assert "answered with an unusable image" in items[1].error
    images = list(job.images.all())
    assert {(image.status, image.source, image.width, image.height) for image in images} == {
        (PoolImage.Status.PENDING, PoolImage.Source.GENERATED, 768, 512)
    }
    stored = {name for image in images for name in (image.file.name, image.thumbnail.name)}
    assert len(stored) == 4
    assert media_files() - files_before == stored
