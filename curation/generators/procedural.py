"""The default generator: emotion-specific abstract garden art drawn with Pillow and numpy, no model download."""

from PIL import Image

from curation.generators.base import GenerationRequest, ImageGenerator
from curation.generators.procedural_art import draw_emotion_art


class ProceduralGenerator(ImageGenerator):
    def generate(self, request: GenerationRequest) -> Image.Image:
        return draw_emotion_art(
            emotion=request.emotion, width=request.width, height=request.height, seed=request.seed,
            theme=request.theme,
        )
