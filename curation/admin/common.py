"""What the curation admin's pages share: their stylesheet, how an image is previewed, and how a theme is typed."""

from django.utils.html import format_html

from curation.models import Image

CSS = {"all": ["curation/admin.css"]}


def thumbnail_html(image: Image, *, css_class: str = "eg-thumbnail") -> str:
    source = image.thumbnail or image.file
    if not source:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', source.url, image, css_class)


# The original's favorites were written season,weather,time: the original pages find an image by that exact text.
THEME_HELP = ('Optional, e.g. "spring,rainy,day": a season, a weather, a time of day (day, sunset, the-early-dawn, '
              "the-middle-of-the-night) and maybe an animal (dog, cat, bird, rabbit, butterfly).")

