from typing import Any

from rest_framework import serializers

from curation.models import Image
from emotion_garden.themes import MAX_THEME_LENGTH, MAX_THEME_WORDS, ThemeMatch, parse_theme
from emotion_garden.vocabulary import AgeBand, Emotion, Gender
from gallery.cursors import MAX_CURSOR_CHARS, decode_cursor
from gallery.models import FaceUser
from recommender.engines.base import ReasonCode
from recommender.models import Interaction, TrackInteraction
from recommender.selectors import GardenItem, Mode

# The largest id a row can have (BigAutoField, a signed 64-bit integer). A larger number cannot name an image, and
# the database drivers raise on it (OverflowError, DataError) instead of finding nothing.
MAX_ID = 2**63 - 1


class ImageIdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class EmotionField(serializers.ChoiceField):
    """One of the eight emotions, in any case ("happy" from the original pages, "HAPPY" from Rekognition)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Emotion.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class GenderField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Gender.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data.capitalize() if isinstance(data, str) else data)


class FaceUserSerializer(serializers.ModelSerializer):
    age_band = serializers.CharField(read_only=True)

    class Meta:
        model = FaceUser
        fields = ["id", "gender", "age_low", "age_high", "age_band", "consented_at", "last_seen_at"]


class GardenRequestSerializer(serializers.Serializer):
    emotion = EmotionField(required=False)
    face_user = serializers.UUIDField(
        required=False, allow_null=True,
        help_text=("Personal picks for this face user: needs their credential or an API key with the 'users' scope. "
                   "Left out, the picks are for the person whose credential X-Person-Token sends, if any."),
    )
    gender = GenderField(required=False)
    age = serializers.IntegerField(required=False, min_value=0, max_value=120)
    n = serializers.IntegerField(required=False, default=3, min_value=1, max_value=50)
    exclude = serializers.ListField(
        child=ImageIdField(), required=False, default=list, max_length=500,
        help_text=("Image ids to leave out, which this client showed by other means (e.g. from `images/{id}/similar`), "
                   "or, for a visitor it does not enrol, the images they liked on earlier visits (the server cannot "
                   "know them); they are kept in the answer's `cursor` for the pages after. To page through the "
                   "garden itself, send `cursor` rather than the ids of every page."),
    )
    mode = serializers.ChoiceField(choices=[mode.value for mode in Mode], required=False, default=Mode.AUTO.value)
    cursor = serializers.CharField(
        required=False, allow_null=True, max_length=MAX_CURSOR_CHARS,
        help_text=("The `cursor` of the previous answer, with the same other fields: the next page, without repeats "
                   "(null, as the last page's, starts over)."),
    )
    theme = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=MAX_THEME_LENGTH, trim_whitespace=True,
        help_text=(
            'Only images of this theme: words separated by commas, e.g. "spring,cloudy,day" (seasons: spring, '
            "summer, autumn, winter; weather: cloudy, rainy, snowy, sunny; times of day: day, sunset, "
            "the-early-dawn, the-middle-of-the-night; animals: dog, cat, bird, rabbit, butterfly), in any order and "
            'case, synonyms ("night", "fall") and Korean labels ("봄,흐림,낮") included. Words outside the vocabulary '
            "are reported in the answer's `theme.unknown_words`."
        ),
    )
    theme_match = serializers.ChoiceField(
        choices=[match.value for match in ThemeMatch], required=False, default=ThemeMatch.ANY.value,
        help_text=(
            "`exact`: the image's theme has exactly these words; `all`: at least these words; `any` (default): at "
            "least one of them, the images with all of them first."
        ),
    )

    def validate_cursor(self, token: str | None) -> set[int]:
        if token is None:  # echoed from the last page's answer
            return set()
        try:
            return decode_cursor(token)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_theme(self, theme: str) -> str:
        if len(parse_theme(theme).words) > MAX_THEME_WORDS:
            raise serializers.ValidationError(f"A theme has at most {MAX_THEME_WORDS} words.")
        return theme

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["mode"] == Mode.EMOTION and not attrs.get("emotion"):
            raise serializers.ValidationError({"emotion": "Emotion picks (mode emotion) need the emotion."})
        attrs["shown"] = attrs.pop("cursor", set())
        age = attrs.pop("age", None)
        attrs["age_band"] = AgeBand.for_age_range(age, age) if age is not None else ""
        return attrs


class GardenItemSerializer(serializers.Serializer):
    """One image of a garden page. The fields describe it for the OpenAPI schema; to_representation writes it
    directly (see InteractionSerializer)."""

    id = serializers.IntegerField()
    url = serializers.URLField()
    thumbnail_url = serializers.URLField(allow_null=True)
    emotion = EmotionField()
    theme = serializers.CharField(help_text='Comma-separated theme words, e.g. "spring,cloudy,day"; may be empty.')
    orientation = serializers.ChoiceField(choices=Image.Orientation.values)
    width = serializers.IntegerField(help_text="In pixels, for laying out before the image loads.")
    height = serializers.IntegerField()
    rank = serializers.IntegerField(help_text="1 for the best pick of this page.")
    score = serializers.FloatField(help_text="How strongly the recommender picked it; comparable within one answer.")
    reason = serializers.CharField(help_text="Why it was picked, in words.")
    reason_code = serializers.ChoiceField(choices=[code.value for code in ReasonCode],
                                          help_text="Why it was picked, as a stable code.")

    def to_representation(self, item: GardenItem) -> dict[str, Any]:
        request = self.context["request"]
        image: Image = item.image
        return {
            "id": image.pk,
            "url": request.build_absolute_uri(image.file.url),
            "thumbnail_url": request.build_absolute_uri(image.thumbnail.url) if image.thumbnail else None,
            "emotion": image.emotion,
            "theme": image.theme,
            "orientation": image.orientation,
            "width": image.width,
            "height": image.height,
            "rank": item.rank,
            "score": item.score,
            "reason": item.reason,
            "reason_code": item.reason_code,
        }


class LikedImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    thumbnail_url = serializers.URLField(allow_null=True)
    emotion = EmotionField()
    liked_at = serializers.DateTimeField()

    def to_representation(self, image: Image) -> dict[str, Any]:
        request = self.context["request"]
        return {
            "id": image.pk,
            "url": request.build_absolute_uri(image.file.url),
            "thumbnail_url": request.build_absolute_uri(image.thumbnail.url) if image.thumbnail else None,
            "emotion": image.emotion,
            "liked_at": image.liked_at,  # annotated by recommender.selectors.liked_images
        }


class InteractionRequestSerializer(serializers.Serializer):
    image = ImageIdField(required=False, help_text="The image of the event (or give `track`).")
    track = ImageIdField(required=False, help_text="The track of the event, a song of `POST /songs` (or give "
                                                   "`image`); its impressions are then track ids.")
    face_user = serializers.UUIDField(
        required=False, allow_null=True,
        help_text=("The person the event is theirs: needs their credential or an API key with the 'users' scope. "
                   "Left out, the person whose credential X-Person-Token sends, else nobody (anonymous)."),
    )
    impressions = serializers.ListField(child=ImageIdField(), required=False, default=list, max_length=50,
                                        help_text="The other images (or tracks) on screen beside it.")
    emotion = EmotionField(required=False, help_text=(
        "The emotion the visitor showed when the item was served; if not sent, that of the answer credited with the "
        "event (see `recommendation_id`)."))
    gender = GenderField(required=False, help_text="An anonymous visitor's gender as read; a face user's own wins.")
    age = serializers.IntegerField(required=False, min_value=0, max_value=120,
                                   help_text="An anonymous visitor's age as read; a face user's own wins.")
    # Printable only: it is echoed in answers and exports, where an escape sequence (ESC[31m) had come back as sent.
    client_event_id = serializers.RegexField(
        r"\A[^\x00-\x1f\x7f]+\Z", required=False, max_length=64, allow_blank=False,
        error_messages={"invalid": "A client event id holds no control characters."})
    recommendation_id = serializers.RegexField(
        r"\A[0-9a-f]{32}\Z", required=False,
        help_text=("The `recommendation_id` of the garden (or songs) answer that showed the item; kept only if that "
                   "answer showed it to this visitor. A known visitor's is found if not sent."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("image" in attrs) == ("track" in attrs):
            raise serializers.ValidationError({"image": "Name the image or the track of the event (one of them)."})
        age = attrs.pop("age", None)
        attrs["age_band"] = AgeBand.for_age_range(age, age) if age is not None else ""
        return attrs


class InteractionSerializer(serializers.Serializer):
    """A recorded event. The fields describe it for the OpenAPI schema; to_representation writes it directly,
    because building a model serializer's fields on every like costs more than the rest of the answer."""

    id = serializers.IntegerField()
    event = serializers.ChoiceField(choices=Interaction.Event.choices)
    image = serializers.IntegerField(allow_null=True)
    track = serializers.IntegerField(allow_null=True)
    face_user = serializers.UUIDField(allow_null=True)
    impressions = serializers.ListField(child=serializers.IntegerField())
    emotion = serializers.CharField(allow_blank=True)
    client_event_id = serializers.CharField(allow_null=True)
    recommendation_id = serializers.CharField(allow_blank=True, help_text=(
        "The answer (garden or songs) credited with the event: the one sent if it showed the item to this visitor, "
        "else a known visitor's latest that did; empty when none did, and then the event's impressions count."))
    created_at = serializers.DateTimeField()

    def to_representation(self, interaction: Interaction | TrackInteraction) -> dict[str, Any]:
        return {
            "id": interaction.pk,
            "event": interaction.event,
            "image": getattr(interaction, "image_id", None),
            "track": getattr(interaction, "track_id", None),
            "face_user": str(interaction.face_user_id) if interaction.face_user_id else None,
            "impressions": interaction.impression_ids,
            "emotion": interaction.emotion,
            "client_event_id": interaction.client_event_id,
            "recommendation_id": interaction.recommendation_id,
            "created_at": serializers.DateTimeField().to_representation(interaction.created_at),
        }
