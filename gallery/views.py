from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from curation.selectors import garden_sample
from emotion_garden.themes import Animal, Season, TimeOfDay, Weather
from emotion_garden.vocabulary import Emotion, Gender
from gallery.api_access import mark_site_page
from gallery.lookalike import LOOKALIKE_PEOPLE, searchable_people_count

_THEME_KINDS = (("season", _("Season"), Season), ("weather", _("Weather"), Weather),
                ("time", _("Time of day"), TimeOfDay), ("animal", _("Animal"), Animal))

# Any UUID: the script swaps it for the visitor's id, so the API's paths are written only in gallery/urls.py.
_ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
# How many images the page opens with (beside the photo panel, in rows of two or three), of as many emotions as the
# pool allows.
_SAMPLE_SIZE = 6


@require_safe  # a page to read: other methods (a CORS preflight, a stray POST) get 405 without reading the garden
def home(request: HttpRequest) -> HttpResponse:
    """The gallery page. Its script gets the API paths and the labels in the visitor's language from here."""
    config: dict[str, Any] = {
        "urls": {
            "emotion": reverse("api:emotion"),
            "garden": reverse("api:garden"),
            "songs": reverse("api:songs"),
            "like": reverse("api:like"),
            "unlike": reverse("api:unlike"),
            "notInterested": reverse("api:not-interested"),
            "faceUser": reverse("api:face-user", args=[_ID_PLACEHOLDER]),
            "faceUserLikes": reverse("api:face-user-likes", args=[_ID_PLACEHOLDER]),
            "faceUserExport": reverse("api:face-user-export", args=[_ID_PLACEHOLDER]),
        },
        "idPlaceholder": _ID_PLACEHOLDER,
        "emotions": {emotion.value: str(emotion.label) for emotion in Emotion},
        "feelings": {emotion.value: emotion.feeling for emotion in Emotion},
        "genders": {gender.value: str(gender.label) for gender in Gender},
        # The theme picker's selects (rendered by the template) and the labels of an image's theme words.
        "themes": [
            {"kind": kind, "label": str(label), "choices": [[value, str(text)] for value, text in words.choices]}
            for kind, label, words in _THEME_KINDS
        ],
    }
    response = render(request, "gallery/home.html", {
        "config": config, "sample": garden_sample(size=_SAMPLE_SIZE), "emotions": Emotion.choices,
    })
    # The page's own API calls need no key (with API_KEYS_REQUIRED), and its retried likes are told apart from other
    # browsers' (idempotency per caller).
    mark_site_page(request, response)
    return response


@require_safe  # as home: a page to read, and it sets the page cookie, which no other method should earn
def lookalike(request: HttpRequest) -> HttpResponse:
    """The look-alike page: a photo -> the closest reference people."""
    thresholds = {"same_person": settings.FACE_MATCH_THRESHOLD,
                  "strong_resemblance": settings.LOOKALIKE_STRONG_THRESHOLD}
    config = {"urls": {"lookalike": reverse("api:lookalike")}, "people": LOOKALIKE_PEOPLE}
    response = render(request, "gallery/lookalike.html", {
        "config": config, "thresholds": thresholds, "people": searchable_people_count(),
    })
    mark_site_page(request, response)  # the page's own API calls need no key (with API_KEYS_REQUIRED)
    return response
