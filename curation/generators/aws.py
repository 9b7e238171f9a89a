"""What every managed (AWS) generator shares: the default prompt, its boto3 client's retry policy, the translation of
AWS errors, and the checks that turn a model's answer into a trusted image. Whatever goes wrong surfaces as
GenerationFailed, which the generation job records per image before it moves on.
"""

import base64
import binascii
import json
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image, ImageOps

from curation.generators.base import GenerationFailed, GenerationRequest
from emotion_garden.aws import LazyClient, describe
from emotion_garden.imaging import InvalidImage, decode_image

# The original booth's default style ("Others" on its bulk page), around the emotion and the theme.
PROMPT_STYLE = "fantasy, concept art, highly detailed, intricate, sharp focus, digital art"


def default_prompt(request: GenerationRequest) -> str:
    parts = ["botanical garden with flowers", f"{request.emotion.lower()} mood", request.theme.strip(), PROMPT_STYLE]
    return ", ".join(part for part in parts if part)


def prompt_for(request: GenerationRequest) -> str:
    """The curator's prompt when the job has one, else one made from its emotion and theme."""
    return request.prompt.strip() or default_prompt(request)


def negative_prompt_for(request: GenerationRequest, *, default: str) -> str:
    """The job's negative prompt (its template's) when it has one, else the backend's configured default: a curator's
    template says what its images must not show, and the backend option covers jobs whose template says nothing."""
    return request.negative_prompt.strip() or default


def generator_client(service_name: str, *, region_name: str | None, timeout_s: int, client: Any | None) -> LazyClient:
    """The generator's client. One quick retry of a throttled or dropped call at most: every attempt is a whole
    inference (SD 2 takes 11-26 s), and the generation job retries a failed image itself, with a longer backoff."""
    config = Config(connect_timeout=10, read_timeout=timeout_s, retries={"total_max_attempts": 2, "mode": "standard"})
    return LazyClient(service_name, region_name=region_name, config=config, client=client)


def aws_failure(source: str, error: ClientError | BotoCoreError) -> GenerationFailed:
    """A GenerationFailed that names the AWS error code (ModelError, ThrottlingException, ReadTimeoutError...)."""
    return GenerationFailed(f"{source} failed: {describe(error)}")


def json_answer(payload: bytes, *, source: str) -> dict[str, Any]:
    try:
        answer = json.loads(payload)
    except ValueError:
        raise GenerationFailed(f"{source} answered with something that is not JSON.") from None
    if not isinstance(answer, dict):
        raise GenerationFailed(f"{source} answered with JSON that is not an object.")
    return answer


def first_image(answer: dict[str, Any], key: str, *, width: int, height: int, source: str) -> Image.Image:
    """The first base64 image listed under `key`, validated like an upload and fitted to width x height.

    A model answers at the size it supports, which may differ from the request; the picture is cropped to the
    requested aspect ratio before it is scaled, so nothing is stretched.
    """
    images = answer.get(key)
    if not isinstance(images, list) or not images or not isinstance(images[0], str):
        raise GenerationFailed(f"{source} answered without an image.")
    try:
        data = base64.b64decode(images[0], validate=True)
    except binascii.Error:
        raise GenerationFailed(f"{source} answered with an image that is not base64.") from None
    try:
        picture = decode_image(data).rgb
    except InvalidImage as error:
        raise GenerationFailed(f"{source} answered with an unusable image: {error.message}") from None
    if picture.size != (width, height):
        picture = ImageOps.fit(picture, (width, height), method=Image.Resampling.LANCZOS)
    return picture
