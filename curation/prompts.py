"""Prompt templates: checking their placeholders, rendering them for an emotion and theme, picking one for a job,
and creating a job from one."""

import string

from django.utils import translation

from curation.models import PromptTemplate
from emotion_garden.vocabulary import Emotion


class PromptError(ValueError):
    """A prompt or template that cannot be rendered: unknown placeholders or unbalanced braces."""


def check_placeholders(*, text: str) -> None:
    """Raise PromptError unless every placeholder in `text` is a plain {emotion} or {theme}.

    Conversions, format specs and attribute or index lookups are refused too: str.format would evaluate them, and a
    template is written in the admin, not in code.
    """
    try:
        fields = [
            (name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None
        ]
    except ValueError as error:
        raise PromptError(f"The braces do not match ({error}); write {{{{ and }}}} for literal braces.") from None
    allowed = ", ".join(f"{{{name}}}" for name in PromptTemplate.PLACEHOLDERS)
    for name, conversion, spec in fields:
        if name not in PromptTemplate.PLACEHOLDERS or conversion or spec:
            shown = f"{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
            raise PromptError(f"Unknown placeholder {shown}: only {allowed} may be used.")


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
