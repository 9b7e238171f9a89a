"""Prompt templates: rendering them for an emotion and theme (their placeholders checked by curation.placeholders),
picking one for a job, and creating a job from one."""

from django.utils import translation

from curation.models import PromptTemplate
from curation.placeholders import check_placeholders
from emotion_garden.vocabulary import Emotion


def render_prompt(*, text: str, emotion: str, theme: str) -> str:
    """The prompt as sent to a generator, e.g. "a still spring zen garden ... a feeling of calm peace".

    The emotion is written in lower case, as a word in a sentence, and a theme's words as words ("autumn, the middle
    of the night" for autumn,the-middle-of-the-night); an empty theme leaves no double space behind.
    """
    check_placeholders(text=text)
    words = ", ".join(word.replace("-", " ") for word in theme.split(",") if word)
    # In English whatever the curator reads: the label is translated, and a Korean curator's job had asked the
    # generator for "a feeling of pure 행복 joy".
    with translation.override("en"):
        feeling = str(Emotion(emotion).label).lower()
    rendered = text.format(emotion=feeling, theme=words)
    return " ".join(rendered.split())


def default_template(*, emotion: str, theme: str) -> PromptTemplate | None:
    """The template a job uses when the curator picks none: the emotion's template for this theme, else its general
    one."""
    candidates = PromptTemplate.objects.filter(emotion=emotion, theme__in={theme, ""})
    # Only two themes can match, and the empty one sorts last in descending order.
    return candidates.order_by("-theme", "name").first()
