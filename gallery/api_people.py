"""The REST API about one person: what is kept about them, their likes, their data export, forgetting them, and
signing a device out. Each answers only to that person's credential or an operator's key (gallery.person_access)."""

import uuid
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gallery.credentials import revoke_person_credential
from gallery.models import ApiScope, FaceUser
from gallery.person_access import PERSON_COOKIE, forget_person_cookie, presented_token, require_person
from gallery.selectors import face_user_export
from gallery.serializers import FaceUserSerializer, LikedImageSerializer
from gallery.services import forget_face_user
from recommender.selectors import liked_images

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

    @extend_schema(operation_id="get_face_user", description=_WHO_MAY, responses={200: FaceUserSerializer})
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        return Response(FaceUserSerializer(self.face_user(request, face_user_id)).data)

    @extend_schema(
        operation_id="forget_face_user",
        description=f"Deletes the person's face data everywhere and revokes every credential of theirs. {_WHO_MAY}",
        responses={204: None},
    )
    def delete(self, request: Request, face_user_id: uuid.UUID) -> Response:
        forget_face_user(face_user=self.face_user(request, face_user_id))
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if request.COOKIES.get(PERSON_COOKIE):
            forget_person_cookie(response)
        return response


class FaceUserLikesView(_PersonView):
    """The images a face user likes now (likes not taken back), newest first."""

    @extend_schema(operation_id="face_user_likes", description=_WHO_MAY, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, face_user_id: uuid.UUID) -> Response:
        images = liked_images(visitor_id=self.face_user(request, face_user_id).pk)
        return Response({"likes": LikedImageSerializer(images, many=True, context={"request": request}).data})


class FaceUserExportView(_PersonView):
    """Everything kept about a face user, as a JSON file to download: the person's access to their own data."""

    # JSON even for a browser's Accept header: a download link must not get the browsable API's HTML page.
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="export_face_user",
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
        responses={200: OpenApiTypes.OBJECT},
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
