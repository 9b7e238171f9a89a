"""What the curation admin's pages share: their stylesheet, how an image is previewed, and how a theme is typed."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from curation.models import GenerationJob, Image

CSS = {"all": ["curation/admin.css"]}


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
