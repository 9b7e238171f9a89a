"""The shapes of the API's answers, for the OpenAPI schema (and so for every client generated from it).

The views build their answers as plain data: rendering them through DRF fields costs more than the rest of a garden
answer. These serializers describe those answers; the schema fuzz test (tests/emotion_garden/test_api_schema_fuzz.py)
checks every real answer against them.
"""

from rest_framework import serializers

from emotion_garden.themes import ThemeMatch
from emotion_garden.vocabulary import Emotion, Gender
from gallery.serializers import FaceUserSerializer, GardenItemSerializer, InteractionSerializer, LikedImageSerializer
from recommender.engines.base import ReasonCode
from recommender.models import Interaction
from recommender.selectors import Mode

_EMOTIONS = Emotion.choices


class BoundingBoxSerializer(serializers.Serializer):
    Width = serializers.FloatField(help_text="A ratio of the image's width.")
    Height = serializers.FloatField(help_text="A ratio of the image's height.")
    Left = serializers.FloatField()
    Top = serializers.FloatField()


class LandmarkSerializer(serializers.Serializer):
    Type = serializers.CharField(help_text="eyeLeft, eyeRight, nose, mouthLeft, mouthRight first, in that order.")
    X = serializers.FloatField()
    Y = serializers.FloatField()


class EmotionScoreSerializer(serializers.Serializer):
    Type = serializers.ChoiceField(choices=_EMOTIONS)
    Confidence = serializers.FloatField(help_text="0-100; the eight sum to about 100.")


class AgeRangeSerializer(serializers.Serializer):
    Low = serializers.IntegerField()
    High = serializers.IntegerField()


class GenderAttributeSerializer(serializers.Serializer):
    Value = serializers.ChoiceField(choices=Gender.choices)
    Confidence = serializers.FloatField()


class BooleanAttributeSerializer(serializers.Serializer):
    Value = serializers.BooleanField()
    Confidence = serializers.FloatField()


class FaceDetailSerializer(serializers.Serializer):
    """Amazon Rekognition's FaceDetail; the attributes a backend cannot estimate are left out (see read_emotion)."""

    BoundingBox = BoundingBoxSerializer()
    Confidence = serializers.FloatField()
    Landmarks = LandmarkSerializer(many=True)
    Emotions = EmotionScoreSerializer(many=True, help_text="All eight, most confident first.")
    AgeRange = AgeRangeSerializer(required=False)
    Gender = GenderAttributeSerializer(required=False)
    Smile = BooleanAttributeSerializer(required=False)
    EyesOpen = BooleanAttributeSerializer(required=False)
    MouthOpen = BooleanAttributeSerializer(required=False)
    Eyeglasses = BooleanAttributeSerializer(required=False)
    Sunglasses = BooleanAttributeSerializer(required=False)
    Beard = BooleanAttributeSerializer(required=False)
    Mustache = BooleanAttributeSerializer(required=False)


class EmotionAnswerSerializer(serializers.Serializer):
    emotion = serializers.ChoiceField(choices=_EMOTIONS, help_text="The largest face's dominant emotion.")
    emotions = EmotionScoreSerializer(many=True, help_text="The largest face's eight scores.")
    faces = FaceDetailSerializer(many=True, help_text="Every face found, largest first.")
    face_user = FaceUserSerializer(allow_null=True, help_text="Who it is, with consent; null otherwise.")
    recognised = serializers.BooleanField(help_text="True when the face was someone remembered before.")
    person_token = serializers.CharField(allow_null=True, help_text="The person's credential, once (see above).")


class FaceComparisonSerializer(serializers.Serializer):
    similarity = serializers.FloatField(help_text="0-100, as Rekognition CompareFaces.")
    threshold = serializers.FloatField(help_text="The similarity from which two faces count as one person.")
    same_person = serializers.BooleanField()


class ImageCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    thumbnail_url = serializers.URLField(allow_null=True)
    emotion = serializers.ChoiceField(choices=_EMOTIONS)
    theme = serializers.CharField(help_text='Comma-separated theme words, e.g. "spring,cloudy,day"; may be empty.')
    score = serializers.FloatField(help_text="How strongly the recommender picked it; comparable within one answer.")
    reason = serializers.CharField(help_text="Why it was picked, in words.")
    reason_code = serializers.ChoiceField(choices=[code.value for code in ReasonCode],
                                          help_text="Why it was picked, as a stable code.")


class GardenThemeSerializer(serializers.Serializer):
    words = serializers.ListField(child=serializers.CharField(), help_text="The theme words understood.")
    unknown_words = serializers.ListField(child=serializers.CharField())
    match = serializers.ChoiceField(choices=[match.value for match in ThemeMatch])


class EmptyReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["unknown_theme_words", "no_images_in_theme", "empty_gallery",
                                            "seen_everything"])
    message = serializers.CharField()


class GardenAnswerSerializer(serializers.Serializer):
    recommendation_id = serializers.CharField(help_text="Send it with a like of one of these images.")
    cursor = serializers.CharField(allow_null=True, help_text=(
        "Send it back as `cursor` for the next page; null when the pool has no image left that this visitor has "
        "not been shown (`exhausted`)."))
    exhausted = serializers.BooleanField(help_text=(
        "True when nothing new is left after this page: ask again without `cursor` and `exclude` to start over."))
    emotion = serializers.ChoiceField(choices=_EMOTIONS, allow_blank=True)
    mode = serializers.ChoiceField(choices=[mode.value for mode in Mode if mode != Mode.AUTO],
                                   help_text="How this page was picked (`auto` is answered as one of these).")
    likes = serializers.IntegerField(help_text="The face user's current likes (0 without one).")
    personal_after_likes = serializers.IntegerField(help_text="Likes from which `auto` answers with personal picks.")
    theme = GardenThemeSerializer(allow_null=True)
    items = GardenItemSerializer(many=True)
    empty_reason = EmptyReasonSerializer(required=False, help_text="Only with an empty `items`: why.")


class SimilarImagesSerializer(serializers.Serializer):
    image = serializers.IntegerField(help_text="The image asked about.")
    items = ImageCardSerializer(many=True)


class LikesPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many images the person likes now, on every page together.")
    next = serializers.URLField(allow_null=True, help_text="The next page, or null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The page before, or null on the first.")
    likes = LikedImageSerializer(many=True, help_text="Newest like first.")


class InteractionAnswerSerializer(InteractionSerializer):
    likes = serializers.IntegerField(allow_null=True, help_text="The person's likes after this event (null when "
                                                                "the event is anonymous).")


class ExportProfileSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    gender = serializers.CharField(allow_blank=True)
    age_low = serializers.IntegerField(allow_null=True)
    age_high = serializers.IntegerField(allow_null=True)
    age_band = serializers.CharField(allow_blank=True)
    consented_at = serializers.DateTimeField()
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()


class ExportInteractionSerializer(serializers.Serializer):
    event = serializers.ChoiceField(choices=Interaction.Event.choices)
    image = serializers.IntegerField()
    image_name = serializers.CharField()
    emotion = serializers.CharField(allow_blank=True)
    gender = serializers.CharField(allow_blank=True)
    age_band = serializers.CharField(allow_blank=True)
    impressions = serializers.ListField(child=serializers.IntegerField())
    client_event_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ExportSongInteractionSerializer(serializers.Serializer):
    event = serializers.ChoiceField(choices=Interaction.Event.choices)
    track = serializers.IntegerField()
    title = serializers.CharField()
    artist = serializers.CharField()
    emotion = serializers.CharField(allow_blank=True)
    gender = serializers.CharField(allow_blank=True)
    age_band = serializers.CharField(allow_blank=True)
    impressions = serializers.ListField(child=serializers.IntegerField())
    client_event_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ExportLikeSerializer(serializers.Serializer):
    image = serializers.IntegerField()
    image_name = serializers.CharField()
    liked_at = serializers.DateTimeField()


class ExportCredentialSerializer(serializers.Serializer):
    issued_at = serializers.DateTimeField()


class ExportBiometricSerializer(serializers.Serializer):
    backend = serializers.ChoiceField(choices=["local", "rekognition"])
    store = serializers.CharField(help_text="The embedding model (local) or the collection (rekognition).")
    face_embeddings = serializers.IntegerField()
    since = serializers.DateTimeField()


class ExportGardenAnswerSerializer(serializers.Serializer):
    recommendation_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=["image", "track"], help_text="A garden's page, or a songs answer.")
    mode = serializers.CharField()
    emotion = serializers.CharField(allow_blank=True)
    images = serializers.ListField(child=serializers.IntegerField(), help_text="The ids shown: tracks for kind "
                                                                             "`track`.")
    created_at = serializers.DateTimeField()


class FaceUserExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    profile = ExportProfileSerializer()
    interactions = ExportInteractionSerializer(many=True)
    song_interactions = ExportSongInteractionSerializer(many=True)
    likes = ExportLikeSerializer(many=True)
    credentials = ExportCredentialSerializer(many=True)
    biometric_data = ExportBiometricSerializer(many=True)
    garden_answers = ExportGardenAnswerSerializer(many=True)
