"""The REST API's events: like, unlike and not interested, each idempotent on the client's event id. Views only
translate HTTP."""

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from gallery.answers import InteractionAnswerSerializer
from gallery.api_access import client_scope
from gallery.models import ApiScope, FaceUser
from gallery.parsers import LimitedJSONParser
from gallery.person_access import acting_person
from gallery.schema import errors
from gallery.serializers import InteractionRequestSerializer, InteractionSerializer
from recommender.engines.base import Visitor
from recommender.models import Interaction
from recommender.selectors import like_count
from recommender.services import IdempotencyConflict, InteractionRejected, record_interaction
from recommender.song_selectors import liked_song_count

TAG = "likes"


class _InteractionView(APIView):
    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.LIKES
    event: Interaction.Event
    # Rejections answered 404 rather than 400 (the image or track named is not one the endpoint can act on).
    not_found_codes: frozenset[str] = frozenset({"unknown_track", "track_not_live"})

    def post(self, request: Request) -> Response:
        serializer = InteractionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        # Checked before anything is recorded: a like in someone's name needs their credential (an anonymous one
        # needs none).
        person = acting_person(request, params.get("face_user"))
        try:
            recorded = record_interaction(
                event=self.event,
                image_id=params.get("image"),
                track_id=params.get("track"),
                visitor=_visitor(person),
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
        count = liked_song_count if "track" in params else like_count
        return Response(
            {**InteractionSerializer(recorded.interaction).data,
             # The person's likes (of images, or of songs) after this event, so a client can show the move to
             # personal picks.
             "likes": count(visitor_id=face_user_id) if face_user_id else None},
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
    "`users` scope (403 `person_credential_required`); left out, the event is that of the person whose credential "
    "`X-Person-Token` sends, else anonymous (the site's cookie does not stand in for it). An event names an `image` "
    "or a `track` (a song of `POST /songs`, its impressions then tracks): 404 `unknown_track` / `track_not_live` for "
    "a track that is not live (unknown, pending, rejected or retired); client event ids of songs are their own."
)
_REJECTED = {
    400: "`invalid`: a field is missing or wrong (`error.fields`); `unknown_image`, `image_not_live`, "
         "`unknown_impressions`, `too_many_impressions`, `unknown_face_user`: the event names what it cannot.",
    404: "`unknown_track`, `track_not_live`: the track is not live.",
    409: "`idempotency_conflict`: this caller's client_event_id names another event.",
}
_EXAMPLE = {"id": 981, "event": "like", "image": 42, "face_user": None, "impressions": [41, 42, 43],
            "emotion": "HAPPY", "client_event_id": "9b2d1c7e-like-42", "created_at": "2026-12-06T04:12:09.311Z",
            "likes": None}


def _responses(*, rejected: dict[int, str]) -> dict[int, OpenApiResponse]:
    return {
        201: OpenApiResponse(InteractionAnswerSerializer, description="Recorded.", examples=[
            OpenApiExample("An anonymous like", value=_EXAMPLE, response_only=True, status_codes=["201"])]),
        200: OpenApiResponse(InteractionAnswerSerializer, description=(
            "A retry of an event this caller sent before: the first answer again, nothing recorded.")),
        **errors(rejected),
    }


# Per method, not on the class: drf-spectacular warns (failing check --deploy) that a class-level operation_id would
# name every method's operation alike.
@extend_schema_view(post=extend_schema(
    operation_id="like", summary="Like an image", tags=[TAG], request=InteractionRequestSerializer,
    description=_INTERACTION_DOC, responses=_responses(rejected=_REJECTED),
))
class LikeView(_InteractionView):
    """Record a Like with the images shown beside it. Idempotent on client_event_id."""

    event = Interaction.Event.LIKE


@extend_schema_view(post=extend_schema(
    operation_id="unlike", summary="Take a like back", tags=[TAG], request=InteractionRequestSerializer,
    description=("Takes back the face user's like of the image. An anonymous unlike is stored but takes no like back: "
                 "nothing shows the like was its sender's. " + _INTERACTION_DOC),
    responses=_responses(rejected=_REJECTED),
))
class UnlikeView(_InteractionView):
    """Take a Like back. Idempotent on client_event_id."""

    event = Interaction.Event.UNLIKE


@extend_schema_view(post=extend_schema(
    operation_id="not_interested", summary="Hide an image from a visitor", tags=[TAG],
    request=InteractionRequestSerializer, responses=_responses(rejected={
        **_REJECTED, 404: "`unknown_image`, `image_not_live`, `unknown_track`, `track_not_live`: the image is not "
                          "in the gallery, or the track not live."}),
    description=("Not interested in this image: a negative signal, unlike an unlike. The image and its near-duplicates "
                 "are hidden from the face user from then on, in every garden mode, and their taste learns from it; "
                 "the visitor's segment counts it as shown and not liked. A like of theirs is taken back first (an "
                 "unlike is stored before it), and a later like lifts it. Once per face user and image while it "
                 "stands (a repeat answers 200 with the standing one). 404 `unknown_image` / `image_not_live` for an "
                 "image that is not in the gallery. "
                 + _INTERACTION_DOC),
))
class NotInterestedView(_InteractionView):
    """Not interested: hide the image and its near-duplicates from the visitor, and teach the recommender."""

    event = Interaction.Event.NOT_INTERESTED
    not_found_codes = frozenset({"unknown_image", "image_not_live", "unknown_track", "track_not_live"})
