"""What the curation admin's pages share: their stylesheet and how an image is previewed."""

from django.utils.html import format_html

from curation.models import Image

CSS = {"all": ["curation/admin.css"]}


def thumbnail_html(image: Image, *, css_class: str = "eg-thumbnail") -> str:
    source = image.thumbnail or image.file
    if not source:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', source.url, image, css_class)

