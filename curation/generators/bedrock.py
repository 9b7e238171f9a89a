"""Image generation on Amazon Bedrock: Nova Canvas (the default), Titan Image Generator, and Stability's models.

Each model family takes its own request body and reports a refusal its own way, so a small adapter per family
builds the body and reads the refusal; all of them answer {"images": [<base64>], ...}. Sizes are what each family
accepts nearest to the request, and the picture is fitted back to the requested size.
"""

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from curation.generators.aws import (
    aws_failure,
    first_image,
    generator_client,
    json_answer,
    negative_prompt_for,
    prompt_for,
)
from curation.generators.base import GenerationFailed, GenerationRequest, ImageGenerator

DEFAULT_NEGATIVE_PROMPT = "text, watermark, signature, blurry, low quality"

# Nova Canvas: each side a multiple of 16 in 320..4096, fewer pixels than 2048 x 2048 (the documented limit is
# "less than 4,194,304"), aspect ratio within 1:4..4:1.
NOVA_SIDE_STEP = 16
NOVA_MIN_SIDE = 320
NOVA_PIXEL_LIMIT = 4_194_304
NOVA_MAX_ASPECT = 4
NOVA_MAX_SEED = 858_993_459

# Titan Image Generator takes only listed sizes; these are the largest of each aspect ratio, as the picture is
# scaled to the requested size anyway.
TITAN_SIZES = (
    (1024, 1024), (1152, 768), (768, 1152), (1280, 768), (768, 1280), (1152, 896), (896, 1152),
    (1408, 768), (768, 1408), (1408, 640), (640, 1408), (1152, 640),
)
TITAN_MAX_SEED = 2_147_483_646

# Stability's Bedrock models (SD3 / SD3.5 Large, Stable Image Core and Ultra) take an aspect ratio, not a size.
STABILITY_ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STABILITY_MAX_SEED = 4_294_967_294

INFERENCE_PROFILE_GEOGRAPHIES = frozenset({"us", "eu", "apac", "jp", "au", "global"})


def aspect_distance(width: float, height: float, other_width: float, other_height: float) -> float:
    # Compared as logarithms, so that 2:1 and 1:2 are equally far from 1:1.
    return abs(math.log(width / height) - math.log(other_width / other_height))


def nova_canvas_size(width: int, height: int) -> tuple[int, int]:
    """The size nearest to width x height that Nova Canvas accepts, with the same orientation.

    Integer arithmetic throughout, so that a size already accepted (640 x 480) is kept exactly. The short side is
    rounded down first and the long side derived from it, so rounding can push neither the aspect ratio past 4:1
    nor the area past the pixel limit; together those two bounds keep the long side within 4096.
    """
    long_side, short_side = max(width, height), min(width, height)
    if long_side > NOVA_MAX_ASPECT * short_side:
        # Asked for at 4:1; fitting the picture back crops it to the requested shape.
        shape_long, shape_short = NOVA_MAX_ASPECT, 1
    else:
        shape_long, shape_short = long_side, short_side
    area = min(long_side * short_side, NOVA_PIXEL_LIMIT - 1)
    short_side = max(NOVA_MIN_SIDE, _round_down(math.isqrt(area * shape_short // shape_long), NOVA_SIDE_STEP))
    long_side = _round_down(short_side * shape_long // shape_short, NOVA_SIDE_STEP)
    return (long_side, short_side) if width >= height else (short_side, long_side)


def titan_size(width: int, height: int) -> tuple[int, int]:
    return min(TITAN_SIZES, key=lambda size: aspect_distance(*size, width, height))


def stability_aspect_ratio(width: int, height: int) -> str:
    def distance(ratio: str) -> float:
        across, down = ratio.split(":")
        return aspect_distance(int(across), int(down), width, height)

    return min(STABILITY_ASPECT_RATIOS, key=distance)


def _round_down(value: int, step: int) -> int:
    return value // step * step


def content_filtered(source: str) -> GenerationFailed:
    return GenerationFailed(f"{source}: blocked by the model's content filter")


class ModelFamily(ABC):
    @abstractmethod
    def request_body(
        self, request: GenerationRequest, *, prompt: str, negative_prompt: str, cfg_scale: float
    ) -> dict[str, Any]:
        """The JSON body of InvokeModel for one image."""

    @abstractmethod
    def raise_for_refusal(self, answer: dict[str, Any], *, source: str) -> None:
        """GenerationFailed when the answer says that the model made no usable image."""


@dataclass(frozen=True)
class AmazonImageFamily(ModelFamily):
    """Nova Canvas and Titan Image Generator: a TEXT_IMAGE task, answered with {"images": [...], "error": null}."""

    size_for: Callable[[int, int], tuple[int, int]]
    max_seed: int

    def request_body(
        self, request: GenerationRequest, *, prompt: str, negative_prompt: str, cfg_scale: float
    ) -> dict[str, Any]:
        width, height = self.size_for(request.width, request.height)
        text_to_image: dict[str, str] = {"text": prompt}
        if negative_prompt:
            # The models reject an empty negativeText rather than ignore it.
            text_to_image["negativeText"] = negative_prompt
        return {
            "taskType": "TEXT_IMAGE",
            "textToImageParams": text_to_image,
            "imageGenerationConfig": {
                "numberOfImages": 1, "width": width, "height": height, "cfgScale": cfg_scale,
                "seed": request.seed % (self.max_seed + 1),
            },
        }

    def raise_for_refusal(self, answer: dict[str, Any], *, source: str) -> None:
        error = answer.get("error")
        if not error:
            return
        if "content filter" in str(error).lower():
            raise content_filtered(source)
        raise GenerationFailed(f"{source} reported an error: {error}")


class StabilityFamily(ModelFamily):
    """Stability's current Bedrock models, answered with {"images": [...], "finish_reasons": [null], "seeds": [...]};
    a finish reason such as "Filter reason: prompt" means the image was withheld. They take no guidance scale."""

    def request_body(
        self, request: GenerationRequest, *, prompt: str, negative_prompt: str, cfg_scale: float
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "prompt": prompt,
            "seed": request.seed % (STABILITY_MAX_SEED + 1),
            "aspect_ratio": stability_aspect_ratio(request.width, request.height),
            "output_format": "jpeg",
        }
        if negative_prompt:
            body["negative_prompt"] = negative_prompt
        return body

    def raise_for_refusal(self, answer: dict[str, Any], *, source: str) -> None:
        reasons = answer.get("finish_reasons")
        reason = reasons[0] if isinstance(reasons, list) and reasons else None
        if not reason:
            return
        if str(reason).startswith("Filter reason"):
            raise content_filtered(source)
        raise GenerationFailed(f"{source} finished without an image: {reason}")


def model_family(model_id: str) -> ModelFamily:
    # A cross-region inference profile ("us.stability.sd3-5-large-v1:0") serves the model it names.
    geography, _, profiled_model = model_id.partition(".")
    base_model = profiled_model if geography in INFERENCE_PROFILE_GEOGRAPHIES else model_id
    if base_model.startswith("amazon.nova-canvas"):
        return AmazonImageFamily(size_for=nova_canvas_size, max_seed=NOVA_MAX_SEED)
    if base_model.startswith("amazon.titan-image-generator"):
        return AmazonImageFamily(size_for=titan_size, max_seed=TITAN_MAX_SEED)
    if base_model.startswith("stability.stable-diffusion-xl"):
        raise ImproperlyConfigured(
            f"{model_id} takes Stability's legacy request body, which is not supported; "
            "use a Stable Image or SD3 model."
        )
    if base_model.startswith("stability."):
        return StabilityFamily()
    raise ImproperlyConfigured(
        f"{model_id} is not a supported Bedrock image model "
        "(amazon.nova-canvas-*, amazon.titan-image-generator-*, stability.*)."
    )


class BedrockImageGenerator(ImageGenerator):
    """`negative_prompt` is the default for jobs whose prompt template has no negative text; a template's wins."""

    def __init__(
        self,
        *,
        model_id: str = "amazon.nova-canvas-v1:0",
        region_name: str | None = None,
        cfg_scale: float = 7.5,
        negative_prompt: str = DEFAULT_NEGATIVE_PROMPT,
        timeout_s: int = 120,
        client: Any | None = None,
    ) -> None:
        self._model_id = model_id
        self._family = model_family(model_id)
        self._cfg_scale = cfg_scale
        self._negative_prompt = negative_prompt
        self._client = generator_client("bedrock-runtime", region_name=region_name, timeout_s=timeout_s, client=client)
        self._source = f"Bedrock model {model_id}"

    def generate(self, request: GenerationRequest) -> Image.Image:
        body = self._family.request_body(
            request, prompt=prompt_for(request), cfg_scale=self._cfg_scale,
            negative_prompt=negative_prompt_for(request, default=self._negative_prompt),
        )
        try:
            response = self._client.get().invoke_model(
                modelId=self._model_id, contentType="application/json", accept="application/json",
                body=json.dumps(body),
            )
            payload = response["body"].read()
        except ClientError as error:
            # Nova Canvas and Titan refuse a filtered prompt or picture with a ValidationException.
            if "content filter" in error.response.get("Error", {}).get("Message", "").lower():
                raise content_filtered(self._source) from error
            raise aws_failure(self._source, error) from error
        except BotoCoreError as error:
            raise aws_failure(self._source, error) from error
        answer = json_answer(payload, source=self._source)
        self._family.raise_for_refusal(answer, source=self._source)
        return first_image(answer, "images", width=request.width, height=request.height, source=self._source)
