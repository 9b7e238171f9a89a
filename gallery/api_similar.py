"""GET /api/v1/images/{id}/similar: more like this image, by content and co-likes, each with its reason."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.api import ApiError
from gallery.answers import SimilarImagesSerializer
from gallery.api_garden import known_face_user
from gallery.models import ApiScope
from gallery.person_access import acting_person
from gallery.schema import INVALID, RECOMMENDER_DOWN, errors
from gallery.serializers import MAX_ID
from recommender.engines.base import RecommenderUnavailable
from recommender.selectors import ImageNotFound, similar_images


class SimilarQuerySerializer(serializers.Serializer):
    n = serializers.IntegerField(required=False, default=6, min_value=1, max_value=50)
    face_user = serializers.UUIDField(required=False, help_text=(
        "Leave out the images this person is not interested in (needs their credential). Left out, the person whose "
        "credential X-Person-Token sends, if any."))


class SimilarImagesView(APIView):
    """Images like this one: by what they show (theme, prompt, emotion, colours) and by who liked both."""

    required_scope = ApiScope.GARDEN

    @extend_schema(
        operation_id="similar_images",
        summary="Find images like an image",
        tags=["garden"],
        parameters=[SimilarQuerySerializer],
        description="Up to `n` (default 6) live images like the given one, best first, each with `reason` and "
                    "`reason_code` `similar`; with `face_user` (and their credential, else 403 "
                    "`person_credential_required`) without the images they are not interested in.",
        responses={200: SimilarImagesSerializer, **errors(INVALID, RECOMMENDER_DOWN, {
            404: "`image_not_found`: no image with this id is in the gallery (unknown, pending or retired)."})},
        examples=[OpenApiExample("Two alike", response_only=True, status_codes=["200"], value={"image": 42, "items": [
            {"id": 57, "url": "https://garden.example/media/images/happy/9a0e.jpeg", "thumbnail_url": None,
             "emotion": "HAPPY", "theme": "spring,sunny,day", "score": 0.83, "reason": "the same theme and colours",
             "reason_code": "similar"}]})],
    )
    def get(self, request: Request, image_id: int) -> Response:
        if image_id > MAX_ID:
            raise ApiError(code="image_not_found", message=f"No image {image_id} is in the gallery.",
                           status_code=status.HTTP_404_NOT_FOUND)
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # What a person hid is theirs to know: naming them needs their credential.
        visitor_id = acting_person(request, query.validated_data.get("face_user"))
        if visitor_id is not None:
            known_face_user(visitor_id)
        try:
            found = similar_images(image_id=image_id, n=query.validated_data["n"], visitor_id=visitor_id)
        except ImageNotFound as error:
            raise ApiError(code="image_not_found", message=str(error), status_code=status.HTTP_404_NOT_FOUND) from None
        except RecommenderUnavailable as error:
            raise ApiError(code="recommender_unavailable", message=f"No similar images available: {error}",
                           status_code=status.HTTP_503_SERVICE_UNAVAILABLE) from None
        return Response({"image": image_id, "items": [
            {"id": item.image.pk,
             "url": request.build_absolute_uri(item.image.file.url),
             "thumbnail_url": request.build_absolute_uri(item.image.thumbnail.url) if item.image.thumbnail else None,
             "emotion": item.image.emotion, "theme": item.image.theme, "score": item.score, "reason": item.reason,
             "reason_code": item.reason_code}
            for item in found
        ]})
