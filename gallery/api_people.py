"""The REST API about one person: what is kept about them, their likes, their data export, forgetting them, and
signing a device out. Each answers only to that person's credential or an operator's key (gallery.person_access)."""

import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gallery.answers import FaceUserExportSerializer, LikesPageSerializer
from gallery.credentials import revoke_person_credential
from gallery.models import ApiScope, FaceUser
from gallery.person_access import PERSON_COOKIE, forget_person_cookie, presented_token, require_person
from gallery.schema import INVALID, NOT_FOUND, errors
from gallery.selectors import face_user_export
from gallery.serializers import FaceUserSerializer, LikedImageSerializer
from gallery.services import forget_face_user
from recommender.selectors import liked_images

TAG = "people"
_PERSON = {"id": "6f0c3f9e-4a55-4d2e-9a43-1c1d4c0f7a21", "gender": "Female", "age_low": 26, "age_high": 38,
           "age_band": "adult", "consented_at": "2026-11-30T09:12:44Z", "last_seen_at": "2026-12-06T04:12:01Z"}
_WHO_MAY = (
    "Only for the person's own credential (`X-Person-Token`, or the site's `eg_person` cookie) or an API key with "
    "the `users` scope: anyone else gets 403 `person_credential_required`, whether or not the id exists. 404 "
    "`not_found` when the caller may see the id but no face user has it (forgotten)."
)


class _PersonView(APIView):
    # A key without the `users` scope still gets in with the person's own credential: ApiScopePermission lets it
    # through, and require_person decides whose data it opens.
    required_scope = ApiScope.USERS
    person_data = True

    def face_user(self, request: Request, face_user_id: uuid.UUID) -> FaceUser:
        require_person(request, face_user_id)
        return get_object_or_404(FaceUser, pk=face_user_id)


class FaceUserView(_PersonView):
    """A face user: read what is kept about them, or forget them (their face data everywhere)."""

    @extend_schema(operation_id="get_face_user", summary="Read what is kept about a person", tags=[TAG],
                   description=_WHO_MAY, responses={200: FaceUserSerializer, **errors(NOT_FOUND)},
                   examples=[OpenApiExample("A remembered person", value=_PERSON, response_only=True,
                                            status_codes=["200"])])
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        return Response(FaceUserSerializer(self.face_user(request, face_user_id)).data)

    @extend_schema(
        operation_id="forget_face_user",
        summary="Forget a person",
        tags=[TAG],
        description=f"Deletes the person's face data everywhere and revokes every credential of theirs. {_WHO_MAY}",
        responses={204: None, **errors(NOT_FOUND)},
    )
    def delete(self, request: Request, face_user_id: uuid.UUID) -> Response:
        forget_face_user(face_user=self.face_user(request, face_user_id))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if request.COOKIES.get(PERSON_COOKIE):
            forget_person_cookie(response)
        return response


class LikesQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=500,
                                     help_text="How many likes per page (default 100).")
    # Bounded so that offset + limit stays a 64-bit integer: 10**20 was a 500 from the database.
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=10**12,
                                      help_text="How many of the newest likes to skip (the answer's `next` says).")


class FaceUserLikesView(_PersonView):
    """The images a face user likes now (likes not taken back), newest first, a page at a time."""

    @extend_schema(
        operation_id="face_user_likes", summary="List the images a person likes", tags=[TAG],
        parameters=[LikesQuerySerializer],
        description=f"Newest like first, `limit` at a time; follow `next` for the page after. {_WHO_MAY}",
        responses={200: LikesPageSerializer, **errors(INVALID, NOT_FOUND)},
        examples=[OpenApiExample("The first page of two", response_only=True, status_codes=["200"], value={
            "count": 3, "previous": None,
            "next": "https://garden.example/api/v1/users/6f0c3f9e-4a55-4d2e-9a43-1c1d4c0f7a21/likes?limit=2&offset=2",
            "likes": [{"id": 42, "url": "https://garden.example/media/images/happy/4f1c.jpeg",
                       "thumbnail_url": None, "emotion": "HAPPY", "liked_at": "2026-12-06T04:12:09.311Z"}],
        })],
    )
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        query = LikesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit, offset = query.validated_data["limit"], query.validated_data["offset"]
        images = liked_images(visitor_id=self.face_user(request, face_user_id).pk)
        count = images.count()
        page = images[offset:offset + limit]
        return Response({
            "count": count,
            "next": _page_url(request, limit, offset + limit) if offset + limit < count else None,
            # Past the end, the previous page is the last one there is.
            "previous": _page_url(request, limit, max(min(offset, count) - limit, 0)) if offset and count else None,
            "likes": LikedImageSerializer(page, many=True, context={"request": request}).data,
        })


def _page_url(request: Request, limit: int, offset: int) -> str:
    return request.build_absolute_uri(f"{request.path}?limit={limit}&offset={offset}")


class FaceUserExportView(_PersonView):
    """Everything kept about a face user, as a JSON file to download: the person's access to their own data."""

    # JSON even for a browser's Accept header: a download link must not get the browsable API's HTML page.
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="export_face_user",
        summary="Download everything kept about a person",
        tags=[TAG],
        description=(
            "Everything kept about the face user, as a JSON file (`Content-Disposition: attachment`): `profile` (id, "
            "gender, age range and band, consent time, first and last seen), `interactions` (every like, unlike and "
            "view, oldest first, with the image's id and name, the emotion, gender and age band read at the time, "
            "the images shown beside it and the time), `song_interactions` (the same of songs, with title and "
            "artist), `likes` (the images liked now), `credentials` (when each device's credential was issued), "
            "`garden_answers` (the pages the garden, or with `kind` `track` the songs, showed them) and "
            "`biometric_data` (per backend: how many face embeddings it holds, "
            "in which embedding model (`local`) or collection (`rekognition`), and since when). The embedding "
            "vectors themselves are not exported, by decision: they are derived by a model from the photo rather "
            "than given by the person (GDPR Article 20 portability covers what the person provided); they are of no "
            "use to another service (a vector means something only to the model that made it, and Rekognition "
            "never hands its vectors out at all); and a face template in a downloaded file would let anyone running "
            "the same public model recognise the person. What is held and where is listed instead, and "
            f"`DELETE users/{{id}}` erases it everywhere. {_WHO_MAY}"
        ),
        responses={200: FaceUserExportSerializer, **errors(NOT_FOUND)},
        examples=[OpenApiExample("One like", response_only=True, status_codes=["200"], value={
            "exported_at": "2026-12-06T04:20:00Z",
            "profile": {**{key: _PERSON[key] for key in ("id", "gender", "age_low", "age_high", "age_band",
                                                        "consented_at", "last_seen_at")},
                        "first_seen_at": "2026-11-30T09:12:44Z"},
            "interactions": [{"event": "like", "image": 42, "image_name": "spring-01.jpeg", "emotion": "HAPPY",
                              "gender": "Female", "age_band": "adult", "impressions": [41, 42, 43],
                              "client_event_id": None, "created_at": "2026-12-06T04:12:09Z"}],
            "likes": [{"image": 42, "image_name": "spring-01.jpeg", "liked_at": "2026-12-06T04:12:09Z"}],
            "credentials": [{"issued_at": "2026-11-30T09:12:44Z"}],
            "biometric_data": [{"backend": "local", "store": "sface-2021dec", "face_embeddings": 2,
                                "since": "2026-11-30T09:12:44Z"}],
            "garden_answers": [{"recommendation_id": "5f0e8c4a2b7d4e1f9a3c6b8d0e2f4a6c", "mode": "emotion",
                                "emotion": "HAPPY", "images": [41, 42, 43], "created_at": "2026-12-06T04:12:02Z"}],
        })],
    )
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        face_user = self.face_user(request, face_user_id)
        return Response(
            face_user_export(face_user=face_user),
            headers={"Content-Disposition": f'attachment; filename="emotion-garden-{face_user.pk}.json"'},
        )

    def get_renderer_context(self) -> dict[str, Any]:
        # A file people open and read, not only machines.
        return {**super().get_renderer_context(), "indent": 2}


class PersonCredentialView(APIView):
    """Sign this device out: revoke the person credential the request carries (header or cookie)."""

    required_scope = ApiScope.FACES

    @extend_schema(
        operation_id="revoke_person_credential",
        summary="Sign this device out",
        tags=[TAG],
        description=(
            "Revokes the credential sent as `X-Person-Token` (or the site's cookie, which is also cleared). The "
            "person stays remembered; their other devices keep their own credentials. 204 whether or not the "
            "credential was still valid."
        ),
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        token = presented_token(request)
        if token:
            revoke_person_credential(token=token)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if request.COOKIES.get(PERSON_COOKIE):
            forget_person_cookie(response)
        return response
