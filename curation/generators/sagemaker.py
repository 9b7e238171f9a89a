"""Stable Diffusion on a SageMaker JumpStart endpoint, the way the original system painted its garden images."""

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from PIL import Image

from curation.generators.aws import (
    aws_failure,
    first_image,
    generator_client,
    json_answer,
    negative_prompt_for,
    prompt_for,
)
from curation.generators.base import GenerationRequest, ImageGenerator

# Stable Diffusion works on latents an eighth of the image size, and paints mush below 256 pixels.
SIDE_STEP = 8
MIN_SIDE = 256


def endpoint_side(side: int) -> int:
    return max(MIN_SIDE, side // SIDE_STEP * SIDE_STEP)


class SageMakerStableDiffusion(ImageGenerator):
    """A JumpStart Stable Diffusion endpoint: JSON in, {"generated_images": [<base64 JPEG>]} out.

    The job's negative prompt (its template's) is sent as "negative_prompt", else the `negative_prompt` option, and
    none at all when both are empty."""

    def __init__(
        self,
        *,
        endpoint_name: str,
        region_name: str | None = None,
        num_inference_steps: int = 50,
        guidance_scale: float = 7.5,
        negative_prompt: str = "",
        timeout_s: int = 120,
        client: Any | None = None,
    ) -> None:
        self._endpoint_name = endpoint_name
        self._num_inference_steps = num_inference_steps
        self._guidance_scale = guidance_scale
        self._negative_prompt = negative_prompt
        self._client = generator_client(
            "sagemaker-runtime", region_name=region_name, timeout_s=timeout_s, client=client
        )
        self._source = f"SageMaker endpoint {endpoint_name}"

    def generate(self, request: GenerationRequest) -> Image.Image:
        payload = {
            "prompt": prompt_for(request),
            "width": endpoint_side(request.width),
            "height": endpoint_side(request.height),
            "num_images_per_prompt": 1,
            "num_inference_steps": self._num_inference_steps,
            "guidance_scale": self._guidance_scale,
            "seed": request.seed,
        }
        negative_prompt = negative_prompt_for(request, default=self._negative_prompt)
        if negative_prompt:
            payload["negative_prompt"] = negative_prompt
        try:
            response = self._client.get().invoke_endpoint(
                EndpointName=self._endpoint_name,
                ContentType="application/json",
                Accept="application/json;jpeg",
                Body=json.dumps(payload),
            )
            answer = response["Body"].read()
        except (ClientError, BotoCoreError) as error:
            raise aws_failure(self._source, error) from error
        return first_image(
            json_answer(answer, source=self._source), "generated_images",
            width=request.width, height=request.height, source=self._source,
        )
