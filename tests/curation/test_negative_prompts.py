"""A prompt template's negative text reaches the generators (F4: nothing read it): the job keeps it filled in, the
request carries it, Bedrock and SageMaker send it (a template's wins over the backend's own default), and the
procedural painter ignores it. It is checked for placeholders as the template's text is."""

import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from curation.generators.base import GenerationRequest
from curation.generators.bedrock import DEFAULT_NEGATIVE_PROMPT, BedrockImageGenerator
from curation.generators.procedural import ProceduralGenerator
from curation.generators.sagemaker import SageMakerStableDiffusion
from curation.models import GenerationItem, PromptTemplate
from curation.placeholders import PromptError
from curation.services import create_generation_job, run_generation_job
from emotion_garden.vocabulary import Emotion
from tests.aws import jpeg_base64

NOVA_CANVAS = "amazon.nova-canvas-v1:0"
BEDROCK = "image_generation.bedrock"
ENDPOINT = "jumpstart-sd"
CALM_POND = GenerationRequest(emotion="CALM", theme="", prompt="a quiet pond", width=640, height=480, seed=3)


class SentBody:
    """Equal to a JSON request body whose `path` (keys into the document) holds `expected`, or lacks it for None."""

    def __init__(self, *path: str, expected: str | None) -> None:
        self.path, self.expected = path, expected

    def __eq__(self, other: object) -> bool:
        value: Any = json.loads(other) if isinstance(other, str | bytes) else None
        for key in self.path:
            value = value.get(key) if isinstance(value, dict) else None
        return value == self.expected

    def __repr__(self) -> str:
        return f"SentBody({'.'.join(self.path)} == {self.expected!r})"


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                   region_name="us-east-1").client(service)
    return client, Stubber(client)


@pytest.fixture
def bedrock() -> Iterator[tuple[Any, Stubber]]:
    client, stubber = stubbed("bedrock-runtime")
    with stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sagemaker() -> Iterator[tuple[Any, Stubber]]:
    client, stubber = stubbed("sagemaker-runtime")
    with stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_nova_canvas(stubber: Stubber, negative_text: str | None) -> None:
    answer = json.dumps({"images": [jpeg_base64(640, 480)], "error": None}).encode()
    stubber.add_response(
        "invoke_model", {"body": StreamingBody(io.BytesIO(answer), len(answer)), "contentType": "application/json"},
        {"modelId": NOVA_CANVAS, "contentType": "application/json", "accept": "application/json",
         "body": SentBody("textToImageParams", "negativeText", expected=negative_text)},
    )


def expect_endpoint(stubber: Stubber, negative_prompt: str | None) -> None:
    answer = json.dumps({"generated_images": [jpeg_base64(640, 480)]}).encode()
    stubber.add_response(
        "invoke_endpoint", {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": "application/json"},
        {"EndpointName": ENDPOINT, "ContentType": "application/json", "Accept": "application/json;jpeg",
         "Body": SentBody("negative_prompt", expected=negative_prompt)},
    )


@pytest.mark.django_db
def test_a_templates_negative_text_goes_with_its_job_to_the_model(bedrock: tuple[Any, Stubber],
                                                                  settings: Settings) -> None:
    client, stubber = bedrock
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, BEDROCK: {
        "BACKEND": "curation.generators.bedrock.BedrockImageGenerator", "OPTIONS": {"client": client}}}
    template = PromptTemplate.objects.create(name="sad pond", emotion="SAD", text="a {theme} pond",
                                             negative_text="text, {theme} umbrellas, {{logos}}")
    job = create_generation_job(emotion=Emotion.SAD, theme="rainy", prompt="a rainy pond", count=1, width=640,
                                height=480, backend=BEDROCK, prompt_template=template)
    assert job.negative_prompt == "text, rainy umbrellas, {logos}"  # filled in, and kept as the job's record
    expect_nova_canvas(stubber, "text, rainy umbrellas, {logos}")
    run_generation_job(job=job)
    assert job.items.get().status == GenerationItem.Status.DONE


@pytest.mark.django_db
def test_a_job_without_a_template_has_no_negative_prompt_of_its_own() -> None:
    job = create_generation_job(emotion=Emotion.CALM, prompt="a pond", count=1, width=640, height=480)
    assert job.negative_prompt == ""


@pytest.mark.parametrize(("negative_prompt", "sent"), [
    ("people, faces", "people, faces"),  # the template's wins
    ("", DEFAULT_NEGATIVE_PROMPT),  # the backend's default covers a template that says nothing
    ("   ", DEFAULT_NEGATIVE_PROMPT),
])
def test_bedrock_sends_the_templates_negative_text_else_its_own(bedrock: tuple[Any, Stubber], negative_prompt: str,
                                                                sent: str) -> None:
    client, stubber = bedrock
    expect_nova_canvas(stubber, sent)
    request = GenerationRequest(**{**CALM_POND.__dict__, "negative_prompt": negative_prompt})
    assert BedrockImageGenerator(client=client).generate(request).size == (640, 480)


@pytest.mark.parametrize(("negative_prompt", "option", "sent"), [
    ("people, faces", "", "people, faces"),
    ("people, faces", "blurry", "people, faces"),
    ("", "blurry", "blurry"),
    ("", "", None),  # no key at all rather than an empty negative prompt
])
def test_sagemaker_sends_a_negative_prompt(sagemaker: tuple[Any, Stubber], negative_prompt: str, option: str,
                                           sent: str | None) -> None:
    client, stubber = sagemaker
    expect_endpoint(stubber, sent)
    generator = SageMakerStableDiffusion(endpoint_name=ENDPOINT, negative_prompt=option, client=client)
    request = GenerationRequest(**{**CALM_POND.__dict__, "negative_prompt": negative_prompt})
    assert generator.generate(request).size == (640, 480)


def test_the_procedural_painter_ignores_the_negative_prompt() -> None:
    small = GenerationRequest(emotion="CALM", theme="", prompt="a cat", width=96, height=64, seed=5)
    told = GenerationRequest(**{**small.__dict__, "negative_prompt": "cats"})
    painter = ProceduralGenerator()
    assert painter.generate(small).tobytes() == painter.generate(told).tobytes()


@pytest.mark.django_db
@pytest.mark.parametrize("negative_text", ["{emotion.__init__}", "{theme!r}", "{emotion:>99}", "{people}", "a {b"])
def test_the_negative_text_is_checked_like_the_text(curator_client: Client, negative_text: str) -> None:
    fields = {"name": "calm pond", "emotion": "CALM", "theme": "", "text": "a {theme} pond",
              "negative_text": negative_text}
    response = curator_client.post(reverse("admin:curation_prompttemplate_add"), fields)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["negative_text"]
    assert not PromptTemplate.objects.filter(name="calm pond").exists()
    with pytest.raises(ValidationError):
        PromptTemplate(**fields).full_clean()


@pytest.mark.django_db
def test_the_admin_keeps_a_negative_text_with_placeholders_and_literal_braces(curator_client: Client) -> None:
    fields = {"name": "calm pond", "emotion": "CALM", "theme": "", "text": "a {theme} pond",
              "negative_text": "text, {emotion} faces, {{braces}}"}
    assert curator_client.post(reverse("admin:curation_prompttemplate_add"), fields).status_code == 302


@pytest.mark.django_db
def test_a_template_saved_with_a_bad_negative_text_before_the_check_refuses_its_job() -> None:
    template = PromptTemplate.objects.create(name="old", emotion="CALM", text="a pond", negative_text="{x.y}")
    with pytest.raises(PromptError, match="negative text of “old”"):
        create_generation_job(emotion=Emotion.CALM, prompt="a pond", count=1, width=640, height=480,
                              prompt_template=template)
