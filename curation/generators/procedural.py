"""The default generator: emotion garden art drawn with Pillow and numpy, no model download, following the theme and
the prompt as far as its vocabulary goes."""

from PIL import Image

from curation.generators.base import GenerationRequest, ImageGenerator
from curation.generators.procedural_art import draw_emotion_art, undrawable_words


class ProceduralGenerator(ImageGenerator):
    """Draws what the prompt names and ignores the request's negative prompt: it paints only the things of its own
    vocabulary (no text, logos or faces), so there is nothing for a negative prompt to keep out."""

    def generate(self, request: GenerationRequest) -> Image.Image:
        return draw_emotion_art(
            emotion=request.emotion, width=request.width, height=request.height, seed=request.seed,
            theme=request.theme, prompt=request.prompt,
        )

    def undrawable_words(self, request: GenerationRequest) -> list[str]:
        return undrawable_words(emotion=request.emotion, theme=request.theme, prompt=request.prompt)
