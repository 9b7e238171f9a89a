"""What the curation admin's pages share: their stylesheet, how an image is previewed, how a theme is typed, and how
an id sent in a form or query is read."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from curation.models import GenerationJob, Image

CSS = {"all": ["curation/admin.css"]}


def posted_id(value: object) -> int | None:
    """A row id as a form or query string sends it, or None: str.isdigit() takes "²" and "①", which int() refuses (a
    500), and a number past any id failed the database query."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def thumbnail_html(image: Image, *, css_class: str = "eg-thumbnail") -> str:
    source = image.thumbnail or image.file
    if not source:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', source.url, image, css_class)


# The original's favorites were written season,weather,time: the original pages find an image by that exact text.
THEME_HELP = ('Optional, e.g. "spring,rainy,day": a season, a weather, a time of day (day, sunset, the-early-dawn, '
              "the-middle-of-the-night) and maybe an animal (dog, cat, bird, rabbit, butterfly).")



def job_label(job: GenerationJob) -> str:
    """A job as curators know it: "Happy · spring,rainy · 6 Dec 2026 14:05 · 10 images"."""
    when = date_format(timezone.localtime(job.created_at), "j M Y H:i")
    return " · ".join([job.get_emotion_display(), job.theme or "no theme", when, f"{job.count} images"])
