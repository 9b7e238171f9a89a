"""What the curation admin's pages share: their stylesheet, how an image is previewed, how a theme is typed, how
an id sent in a form or query is read, and how every model admin of the project reads the rows an action names."""

from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from curation.models import GenerationJob, Image

CSS = {"all": ["curation/admin.css"]}


def posted_id(value: object) -> int | None:
    """A row id as a form or query string sends it, or None: str.isdigit() takes "²" and "①", which int() refuses (a
    500), and a number past any id failed the database query."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def is_row_id(field: models.Field, value: str) -> bool:
    """Whether `value` could be the primary key `field` holds: a value the database can compare with it."""
    if "\x00" in value:
        return False
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class CheckedSelectionMixin:
    """For every model admin of the project: an action applies to the rows the list's checkboxes name, which Django
    filters by without reading them, so "abc" or 99999999999999999999 failed the query (a 500). A selection that
    names anything but ids is refused with a message, and nothing changes."""

    def response_action(self, request: HttpRequest, queryset: models.QuerySet) -> HttpResponse | None:
        model_admin: Any = self
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_row_id(model_admin.opts.pk, value) for value in selected):
            model_admin.message_user(request, _(
                "The selection names something that is not a row of this list. No items have been changed."
            ), messages.ERROR)
            return None  # the changelist answers a failed action with a redirect to itself
        return super().response_action(request, queryset)  # type: ignore[misc]


def thumbnail_html(image: Image, *, css_class: str = "eg-thumbnail") -> str:
    source = image.thumbnail or image.file
    if not source:
        return ""
    return format_html('<img src="{}" alt="{}" class="{}" loading="lazy">', source.url, image, css_class)


# The original's favorites were written season,weather,time: the original pages find an image by that exact text.
THEME_HELP = gettext_lazy(
    'Optional, e.g. "spring,rainy,day": a season, a weather, a time of day (day, sunset, the-early-dawn, '
    "the-middle-of-the-night) and maybe an animal (dog, cat, bird, rabbit, butterfly)."
)


def job_label(job: GenerationJob) -> str:
    """A job as curators know it: "Happy · spring,rainy · 6 Dec 2026 14:05 · 10 images"."""
    # The date's order is the language's: "7 12월 2026" read as neither.
    when = date_format(timezone.localtime(job.created_at), pgettext("a generation job's date", "j M Y H:i"))
    images = ngettext("%(count)d image", "%(count)d images", job.count) % {"count": job.count}
    return " · ".join([job.get_emotion_display(), job.theme or _("no theme"), when, images])
