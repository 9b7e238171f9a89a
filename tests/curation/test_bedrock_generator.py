"""The Bedrock image backend against botocore's Stubber: a real bedrock-runtime client, canned model answers, no
network. Each model family's exact request body, its refusals, garbage answers and the size handling."""

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.core.exceptions import ImproperlyConfigured

from curation.generators.base import GenerationFailed, GenerationRequest
from curation.generators.bedrock import (
    DEFAULT_NEGATIVE_PROMPT,
    TITAN_MAX_SEED,
    BedrockImageGenerator,
    nova_canvas_size,
    stability_aspect_ratio,
    titan_size,
)
from tests.aws import JsonBody, jpeg_base64

NOVA_CANVAS = "amazon.nova-canvas-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
SD35_LARGE = "stability.sd3-5-large-v1:0"
SAD_RAIN = GenerationRequest(emotion="SAD", theme="rainy", prompt="", width=1000, height=600, seed=42)
SAD_RAIN_PROMPT = (
    "botanical garden with flowers, sad mood, rainy, fantasy, concept art, highly detailed, intricate, sharp focus, "
    "digital art"
)


@pytest.fixture
def bedrock() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("bedrock-runtime")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_invoke(stubber: Stubber, model_id: str, answer: dict[str, Any] | str, body: Any = None) -> None:
    """Queue InvokeModel's answer; with `body`, the request must carry exactly that JSON body."""
    payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
    expected = {"modelId": model_id, "contentType": "application/json", "accept": "application/json"}
    stubber.add_response(
        "invoke_model",
        {"body": StreamingBody(io.BytesIO(payload), len(payload)), "contentType": "application/json"},
        None if body is None else {**expected, "body": JsonBody(body)},
    )


def test_nova_canvas_gets_a_text_image_task_and_its_answer_is_fitted_to_the_request(
    bedrock: tuple[Any, Stubber],
) -> None:
    client, stubber = bedrock
    expect_invoke(
        stubber, NOVA_CANVAS, {"images": [jpeg_base64(976, 592)], "error": None},
        body={
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": SAD_RAIN_PROMPT, "negativeText": DEFAULT_NEGATIVE_PROMPT},
            "imageGenerationConfig": {"numberOfImages": 1, "width": 976, "height": 592, "cfgScale": 7.5, "seed": 42},
        },
    )
    picture = BedrockImageGenerator(client=client).generate(SAD_RAIN)
    assert (picture.mode, picture.size) == ("RGB", (1000, 600))


def test_titan_gets_a_listed_size_and_no_empty_negative_text(bedrock: tuple[Any, Stubber]) -> None:
    client, stubber = bedrock
    expect_invoke(
        stubber, TITAN, {"images": [jpeg_base64(1280, 768)], "error": None},
        body={
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": "a quiet pond"},
            "imageGenerationConfig": {"numberOfImages": 1, "width": 1280, "height": 768, "cfgScale": 8.0, "seed": 4},
        },
    )
    generator = BedrockImageGenerator(model_id=TITAN, cfg_scale=8.0, negative_prompt="", client=client)
    request = GenerationRequest(emotion="CALM", theme="", prompt="a quiet pond", width=1000, height=600,
                                seed=TITAN_MAX_SEED + 5)
    assert generator.generate(request).size == (1000, 600)


def test_stability_gets_an_aspect_ratio_and_its_answer_is_fitted_to_the_request(
    bedrock: tuple[Any, Stubber],
) -> None:
    client, stubber = bedrock
    expect_invoke(
        stubber, SD35_LARGE, {"seeds": [42], "finish_reasons": [None], "images": [jpeg_base64(832, 1216)]},
        body={
            "prompt": "moonlit roses", "negative_prompt": DEFAULT_NEGATIVE_PROMPT, "seed": 42,
            "aspect_ratio": "2:3", "output_format": "jpeg",
        },
    )
    request = GenerationRequest(emotion="FEAR", theme="", prompt="moonlit roses", width=600, height=900, seed=42)
    assert BedrockImageGenerator(model_id=SD35_LARGE, client=client).generate(request).size == (600, 900)


@pytest.mark.parametrize(
    ("requested", "sent"),
    [
        ((640, 480), (640, 480)),
        ((1000, 600), (976, 592)),
        ((600, 1000), (592, 976)),
        ((100, 100), (320, 320)),
        ((2048, 2048), (2032, 2032)),
        ((5000, 3000), (2640, 1584)),
        ((4000, 500), (2816, 704)),
        ((300, 3000), (464, 1856)),
        ((200, 1000), (320, 1280)),
    ],
)
def test_nova_canvas_sizes_are_multiples_of_16_within_its_limits(
    requested: tuple[int, int], sent: tuple[int, int]
) -> None:
    width, height = nova_canvas_size(*requested)
    assert (width, height) == sent
    assert width % 16 == 0 and height % 16 == 0
    assert min(width, height) >= 320 and max(width, height) <= 4096
    assert width * height < 4_194_304 and max(width, height) <= 4 * min(width, height)


@pytest.mark.parametrize(
    ("requested", "ratio", "titan"),
    [
        ((1024, 1024), "1:1", (1024, 1024)),
        ((1920, 1080), "16:9", (1152, 640)),
        ((768, 512), "3:2", (1152, 768)),
        ((600, 900), "2:3", (768, 1152)),
        ((1000, 800), "5:4", (1152, 896)),
        ((3000, 1000), "21:9", (1408, 640)),
    ],
)
def test_stability_and_titan_get_the_nearest_shape(
    requested: tuple[int, int], ratio: str, titan: tuple[int, int]
) -> None:
    assert stability_aspect_ratio(*requested) == ratio
    assert titan_size(*requested) == titan


@pytest.mark.parametrize(
    ("model_id", "answer"),
    [
        (NOVA_CANVAS, {"images": [], "error": "The generated image(s) have been blocked by our content filters."}),
        (SD35_LARGE, {"seeds": [42], "finish_reasons": ["Filter reason: prompt"], "images": []}),
        (SD35_LARGE, {"seeds": [42], "finish_reasons": ["Filter reason: output image"], "images": [jpeg_base64(8, 8)]}),
    ],
    ids=["nova-error", "stability-prompt", "stability-output"],
)
def test_content_filter_in_the_answer_is_a_failed_generation(
    bedrock: tuple[Any, Stubber], model_id: str, answer: dict[str, Any]
) -> None:
    client, stubber = bedrock
    expect_invoke(stubber, model_id, answer)
    with pytest.raises(GenerationFailed, match=f"Bedrock model {model_id}: blocked by the model's content filter"):
        BedrockImageGenerator(model_id=model_id, client=client).generate(SAD_RAIN)


def test_content_filter_validation_error_is_a_failed_generation(bedrock: tuple[Any, Stubber]) -> None:
    client, stubber = bedrock
    stubber.add_client_error(
        "invoke_model", service_error_code="ValidationException", http_status_code=400,
        service_message="This request has been blocked by our content filters.",
    )
    with pytest.raises(GenerationFailed, match="blocked by the model's content filter"):
        BedrockImageGenerator(client=client).generate(SAD_RAIN)


@pytest.mark.parametrize(
    ("model_id", "answer", "message"),
    [
        (NOVA_CANVAS, {"images": [], "error": "Internal rendering failure"}, "reported an error: Internal rendering"),
        (SD35_LARGE, {"seeds": [1], "finish_reasons": ["Inference error"], "images": []},
         "finished without an image: Inference error"),
        (NOVA_CANVAS, "<html>Service Unavailable</html>", "not JSON"),
        (NOVA_CANVAS, {"images": None, "error": None}, "without an image"),
        (NOVA_CANVAS, {"images": [], "error": None}, "without an image"),
        (SD35_LARGE, {"artifacts": [{"base64": jpeg_base64(64, 64)}]}, "without an image"),
        (NOVA_CANVAS, {"images": ["data:image/png;base64,iVBOR"]}, "not base64"),
        (NOVA_CANVAS, {"images": [base64.b64encode(b"%PDF-1.7").decode()]}, "unusable image"),
    ],
    ids=["nova-error", "stability-inference-error", "not-json", "images-null", "images-empty", "legacy-shape",
         "data-url", "not-an-image"],
)
def test_refusals_and_garbage_are_failed_generations(
    bedrock: tuple[Any, Stubber], model_id: str, answer: dict[str, Any] | str, message: str
) -> None:
    client, stubber = bedrock
    expect_invoke(stubber, model_id, answer)
    with pytest.raises(GenerationFailed, match=message):
        BedrockImageGenerator(model_id=model_id, client=client).generate(SAD_RAIN)


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException", "ModelTimeoutException"])
def test_aws_errors_are_failed_generations_naming_the_code(bedrock: tuple[Any, Stubber], code: str) -> None:
    client, stubber = bedrock
    stubber.add_client_error("invoke_model", service_error_code=code, service_message="try later", http_status_code=400)
    with pytest.raises(GenerationFailed, match=f"Bedrock model {NOVA_CANVAS} failed: {code}: try later"):
        BedrockImageGenerator(client=client).generate(SAD_RAIN)


def test_inference_profile_is_sent_as_is_and_adapted_to_its_model(bedrock: tuple[Any, Stubber]) -> None:
    client, stubber = bedrock
    profile = f"us.{SD35_LARGE}"
    expect_invoke(
        stubber, profile, {"seeds": [42], "finish_reasons": [None], "images": [jpeg_base64(1024, 1024)]},
        body={
            "prompt": SAD_RAIN_PROMPT, "negative_prompt": DEFAULT_NEGATIVE_PROMPT, "seed": 42,
            "aspect_ratio": "16:9", "output_format": "jpeg",
        },
    )
    assert BedrockImageGenerator(model_id=profile, client=client).generate(SAD_RAIN).size == (1000, 600)


@pytest.mark.parametrize(
    "model_id", ["stability.stable-diffusion-xl-v1", "us.openai.dall-e-3", "amazon.titan-text-express-v1"]
)
def test_unsupported_models_are_refused_at_startup(model_id: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=model_id):
        BedrockImageGenerator(model_id=model_id)
