"""POST /api/v1/garden: the next images for a visitor, page by page, to the end of the pool. Views only translate
HTTP."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from emotion_garden.themes import Theme, ThemeMatch, describe_theme_words, parse_theme
from gallery.answers import GardenAnswerSerializer
from gallery.cursors import encode_cursor
from gallery.models import ApiScope, FaceUser
from gallery.parsers import LimitedJSONParser
from gallery.person_access import acting_person
from gallery.schema import INVALID, RECOMMENDER_DOWN, errors
from gallery.serializers import GardenItemSerializer, GardenRequestSerializer
from recommender.engines.base import RecommenderUnavailable
from recommender.selectors import Garden, Mode, garden
from recommender.services import InteractionRejected

TAG = "garden"
_EXAMPLE_CURSOR = "eNpjZGBgYGQAAAAMAAQ:Q2v7bO1oR0e8yWJ0hYm7sA2h3wP0xR1WcRz0kqv1Gv8"


class GardenView(APIView):
    """The next images for a visitor: by the emotion just read, and by their own likes once they have some."""

    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.GARDEN

    @extend_schema(
        operation_id="garden",
        summary="Get the next page of images for a visitor",
        tags=[TAG],
        request=GardenRequestSerializer,
        responses={200: GardenAnswerSerializer, **errors(INVALID, RECOMMENDER_DOWN)},
        description=(
            "The next `n` images for the visitor, best first. A page never repeats an image of `cursor` or "
            "`exclude`, nor, for a face user's personal picks, one they like. To page, send the answer's `cursor` "
            "back with the same fields; when nothing new is left the answer says `exhausted: true` and its `cursor` "
            "is null (ask without a cursor to start over). With `theme`, only images of that theme (see "
            "`theme_match`); the answer's `theme` echoes the words understood and lists `unknown_words`. An empty "
            "`items` comes with `empty_reason` {code, message}: `unknown_theme_words`, `no_images_in_theme`, "
            "`empty_gallery`, or `seen_everything` (every image of the pool was shown or is liked)."
        ),
        examples=[
            OpenApiExample("Emotion picks for a new visitor", value={"emotion": "HAPPY", "n": 3}, request_only=True),
            OpenApiExample("The next page", value={"emotion": "HAPPY", "n": 3, "cursor": _EXAMPLE_CURSOR},
                           request_only=True),
            OpenApiExample("Spring, cloudy days only", value={"emotion": "HAPPY", "theme": "spring,cloudy,day",
                                                              "theme_match": "exact"}, request_only=True),
            OpenApiExample("A page with more after it", response_only=True, status_codes=["200"], value={
                "recommendation_id": "5f0e8c4a2b7d4e1f9a3c6b8d0e2f4a6c", "cursor": _EXAMPLE_CURSOR,
                "exhausted": False, "emotion": "HAPPY", "mode": "emotion", "likes": 0, "personal_after_likes": 3,
                "theme": None, "items": [{
                    "id": 42, "url": "https://garden.example/media/images/happy/4f1c.jpeg",
                    "thumbnail_url": "https://garden.example/media/thumbnails/happy/4f1c.webp", "emotion": "HAPPY",
                    "theme": "spring,sunny,day", "orientation": "landscape", "width": 1536, "height": 1024,
                    "rank": 1, "score": 0.412, "reason": "popular with happy visitors",
                    "reason_code": "popular_with_mood"}],
            }),
            OpenApiExample("The last page", response_only=True, status_codes=["200"], value={
                "recommendation_id": "9a1b2c3d4e5f60718293a4b5c6d7e8f9", "cursor": None, "exhausted": True,
                "emotion": "HAPPY", "mode": "emotion", "likes": 0, "personal_after_likes": 3, "theme": None,
                "items": [], "empty_reason": {"code": "seen_everything",
                                              "message": "Every image in this garden has been shown or liked."},
            }),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = GardenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        face_user = acting_face_user(request, params.get("face_user"), emotion=params.get("emotion", ""))
        with recommender_errors_as_api_errors():
            result = _garden(params, face_user)
            # Only for an empty page: one more question to the recommender, whether the pool has any image at all
            # (then this visitor has seen or liked all of it).
            seen_everything = not result.items and bool(
                _garden(params, face_user, n=1, exclude=(), fresh_only=False, record=False).items)
        theme = parse_theme(params["theme"])
        # `exclude` travels on in the cursor, so a client sends it once.
        shown = {*params["shown"], *params["exclude"]}
        answer = {
            "recommendation_id": result.recommendation_id,
            "cursor": None if result.exhausted else encode_cursor(shown, [item.image.pk for item in result.items]),
            "exhausted": result.exhausted,
            "emotion": result.context.emotion,
            "mode": result.mode,
            "likes": result.likes,
            "personal_after_likes": settings.PERSONAL_PICKS_MIN_LIKES,
            "theme": {"words": list(theme.words), "unknown_words": list(theme.unknown),
                      "match": params["theme_match"]} if theme else None,
            "items": GardenItemSerializer(result.items, many=True, context={"request": request}).data,
        }
        if not result.items:
            answer["empty_reason"] = _empty_reason(theme, seen_everything=seen_everything)
        return Response(answer)


def _empty_reason(theme: Theme, *, seen_everything: bool) -> dict[str, str]:
    """Why a garden came back empty, for a client to tell its visitor (the code) or a developer (the message)."""
    if seen_everything:
        return {"code": "seen_everything", "message": "Every image in this garden has been shown or liked."}
    if theme.unknown:
        unknown = ", ".join(theme.unknown)
        return {"code": "unknown_theme_words",
                "message": f"No image has this theme, and these words are not theme words: {unknown}. "
                           f"{describe_theme_words()}"}
    if theme:
        return {"code": "no_images_in_theme", "message": f"No image in the gallery has the theme '{theme}' yet."}
    return {"code": "empty_gallery", "message": "The gallery has no images yet."}


def acting_face_user(request: Request, face_user_id: uuid.UUID | None, *, emotion: str) -> FaceUser | None:
    """The face user a garden (or songs) request acts for (person_access.acting_person: 403 if it names one the caller
    may not act for); an unknown one is refused with 400 `unknown_face_user`. A request that acts for nobody must say
    the emotion: the picks need a mood or a person."""
    face_user_id = acting_person(request, face_user_id)
    if face_user_id is None:
        if not emotion:
            raise serializers.ValidationError(
                {"emotion": "Give the emotion, a face user (or send their credential), or both."})
        return None
    return known_face_user(face_user_id)


def known_face_user(face_user_id: uuid.UUID) -> FaceUser:
    """The face user a request names; 400 `unknown_face_user` when there is none (never enrolled, or forgotten)."""
    face_user = FaceUser.objects.filter(pk=face_user_id).first()
    if face_user is None:
        raise ApiError(code="unknown_face_user", message=f"There is no face user {face_user_id}.")
    return face_user


def _garden(params: dict[str, Any], face_user: FaceUser | None, **overrides: Any) -> Garden:
    return garden(**{
        "emotion": params.get("emotion", ""),
        "visitor": face_user.as_visitor() if face_user else None,
        "gender": params.get("gender", ""),
        "age_band": params["age_band"],
        "n": params["n"],
        "exclude": {*params["exclude"], *params["shown"]},
        "mode": Mode(params["mode"]),
        "theme": params["theme"],
        "theme_match": ThemeMatch(params["theme_match"]),
        "fresh_only": True,
        **overrides,
    })


@contextmanager
def recommender_errors_as_api_errors() -> Iterator[None]:
    """For the garden and the songs: the recommender down is a 503, a visitor forgotten meanwhile a 400."""
    try:
        yield
    except RecommenderUnavailable as error:
        raise ApiError(code="recommender_unavailable", message=f"The recommender is unavailable: {error}",
                       status_code=status.HTTP_503_SERVICE_UNAVAILABLE) from None
    except InteractionRejected as error:
        raise ApiError(code=error.code, message=error.message) from None


