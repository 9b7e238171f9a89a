"""Generators with scripted failures and small helpers shared by the curation admin tests."""

from typing import ClassVar

from PIL import Image as PillowImage
from rest_framework.test import APIClient

from curation.generators.base import GenerationFailed, GenerationRequest, ImageGenerator
from curation.songs.suggesters import SongSuggester, SuggestionRequest

SCRIPTED = "image_generation.scripted"
GARBAGE = "image_generation.garbage"
RAW_BYTES = "image_generation.raw_bytes"


class ScriptedGenerator(ImageGenerator):
    """Fails every attempt at the image indices in `broken` and the first attempt at those in `hiccup`; the others
    are flat green pictures."""

    broken: ClassVar[set[int]] = set()
    hiccup: ClassVar[set[int]] = set()

    def generate(self, request: GenerationRequest) -> PillowImage.Image:
        index = request.seed % 10_000
        if index in ScriptedGenerator.broken:
            raise GenerationFailed("endpoint timed out")
        if index in ScriptedGenerator.hiccup:
            ScriptedGenerator.hiccup.discard(index)
            raise GenerationFailed("throttled")
        return PillowImage.new("RGB", (request.width, request.height), (10, 200, 90))


class GarbageGenerator(ImageGenerator):
    """A backend adapter that got an answer it cannot use, as the AWS adapters report it."""

    def generate(self, request: GenerationRequest) -> PillowImage.Image:
        raise GenerationFailed("SageMaker endpoint answered with something that is not JSON.")


class RawBytesGenerator(ImageGenerator):
    """A careless backend that hands back the HTTP body it got instead of an image."""

    def generate(self, request: GenerationRequest) -> PillowImage.Image:
        return b"<html>502 Bad Gateway</html>"  # type: ignore[return-value]


def garden_ids(emotion: str) -> set[int]:
    response = APIClient().post("/api/v1/garden", {"emotion": emotion, "n": 50}, format="json")
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


SCRIPTED_SONGS = "song_suggestion.scripted"


class ScriptedSuggester(SongSuggester):
    """Answers with `answer` (or raises it, if it is an exception), and remembers the requests it got."""

    source = "openai-compatible"
    answer: ClassVar[str | Exception] = "[]"
    requests: ClassVar[list[SuggestionRequest]] = []

    def suggest(self, request: SuggestionRequest) -> str:
        ScriptedSuggester.requests.append(request)
        if isinstance(ScriptedSuggester.answer, Exception):
            raise ScriptedSuggester.answer
        return ScriptedSuggester.answer
