"""The look-alike's answer (POST /api/v1/lookalike), typed for the OpenAPI schema."""

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from gallery.lookalike import LookalikeMatch, Lookalikes, Resemblance

BAND_HELP = (
    "How alike, in words: `same_person` at `thresholds.same_person` (FACE_MATCH_THRESHOLD, the verification cut of "
    "faces/compare) or above, `strong_resemblance` at `thresholds.strong_resemblance` (LOOKALIKE_STRONG_THRESHOLD) "
    "or above, `faint_resemblance` below it."
)


class ReferencePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    info_url = serializers.CharField(help_text="A page about the person; empty when the curators gave none.")


class LookalikeMatchSerializer(serializers.Serializer):
    person = ReferencePersonSerializer(source="photo.person")
    photo_url = serializers.SerializerMethodField(help_text="The person's photo most like the face.")
    similarity = serializers.FloatField(help_text="0-100, on Amazon Rekognition's scale.")
    band = serializers.ChoiceField(source="resemblance", choices=[band.value for band in Resemblance],
                                   help_text=BAND_HELP)

    @extend_schema_field(OpenApiTypes.URI)
    def get_photo_url(self, match: LookalikeMatch) -> str:
        return photo_url(self.context["request"], match)


class BestLookalikeSerializer(ReferencePersonSerializer):
    photo_url = serializers.URLField()


class LookalikeThresholdsSerializer(serializers.Serializer):
    same_person = serializers.FloatField()
    strong_resemblance = serializers.FloatField()


class LookalikeSerializer(serializers.Serializer):
    found = serializers.BooleanField(help_text="Whether the collection holds anyone to compare with.")
    matches = LookalikeMatchSerializer(many=True, help_text="Up to three people, most similar first.")
    person = BestLookalikeSerializer(allow_null=True, help_text="The most similar person (the first match).")
    similarity = serializers.FloatField(allow_null=True, help_text="The first match's similarity.")
    band = serializers.ChoiceField(choices=[band.value for band in Resemblance], allow_null=True,
                                   help_text="The first match's band.")
    reference_similarity = serializers.FloatField(
        allow_null=True, help_text="How similar the face is to the largest face in `reference_image`, if one was sent.")
    thresholds = LookalikeThresholdsSerializer()


def photo_url(request: Request, match: LookalikeMatch) -> str:
    return request.build_absolute_uri(match.photo.photo.url)


def lookalike_answer(result: Lookalikes, *, request: Request) -> dict[str, Any]:
    """The answer's data, with the first match repeated at the top level for clients that want only the best."""
    best = result.matches[0] if result.matches else None
    return LookalikeSerializer({
        "found": best is not None,
        "matches": result.matches,
        "person": {"id": best.photo.person.pk, "name": best.photo.person.name, "info_url": best.photo.person.info_url,
                   "photo_url": photo_url(request, best)} if best else None,
        "similarity": best.similarity if best else None,
        "band": best.resemblance.value if best else None,
        "reference_similarity": result.reference_similarity,
        "thresholds": {"same_person": settings.FACE_MATCH_THRESHOLD,
                       "strong_resemblance": settings.LOOKALIKE_STRONG_THRESHOLD},
    }, context={"request": request}).data
