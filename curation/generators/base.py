"""The interface of an image generator (procedural art, SageMaker Stable Diffusion, Bedrock)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class GenerationRequest:
    emotion: str
    theme: str
    prompt: str
    width: int
    height: int
    seed: int
    # What the image must not show, from the job's prompt template; a generator that takes a negative prompt sends
    # it (in place of its own default), the others ignore it.
    negative_prompt: str = ""


class GenerationFailed(Exception):
    """The backend could not produce an image (error, timeout or an answer that is not an image)."""


class ImageGenerator(ABC):
    @abstractmethod
    def generate(self, request: GenerationRequest) -> Image.Image:
        """One RGB image for the request, or GenerationFailed."""

    def undrawable_words(self, request: GenerationRequest) -> list[str]:
        """The words of the request's theme and prompt this generator cannot draw, for curators to see. A
        text-to-image model reads every word (how well is another matter), so by default none."""
        return []
