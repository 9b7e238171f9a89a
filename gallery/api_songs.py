"""POST /api/v1/songs: songs for the visitor's mood, recommended by the same engine as the garden's images."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from emotion_garden.vocabulary import AgeBand, Emotion
from gallery.api_garden import acting_face_user, recommender_errors_as_api_errors
from gallery.cursors import MAX_CURSOR_CHARS, SONGS_SALT, decode_cursor, encode_cursor
from gallery.models import ApiScope
from gallery.parsers import LimitedJSONParser
from gallery.schema import INVALID, RECOMMENDER_DOWN, errors
from gallery.serializers import EmotionField, GenderField
from recommender.engines.base import ReasonCode
from recommender.selectors import Mode
from recommender.song_selectors import SongItem, songs


class SongsRequestSerializer(serializers.Serializer):
    emotion = EmotionField(required=False, help_text="The emotion just read (any case).")
    face_user = serializers.UUIDField(
        required=False, allow_null=True,
        help_text=("Personal picks for this face user: needs their credential or an API key with the 'users' scope. "
                   "Left out, the picks are for the person whose credential X-Person-Token sends, if any."),
    )
    gender = GenderField(required=False, help_text="An anonymous visitor's gender as read; a face user's own wins.")
    age = serializers.IntegerField(required=False, min_value=0, max_value=120,
                                   help_text="An anonymous visitor's age as read; a face user's own wins.")
    n = serializers.IntegerField(required=False, default=3, min_value=1, max_value=50)
    cursor = serializers.CharField(required=False, allow_null=True, max_length=MAX_CURSOR_CHARS,
                                   help_text="The `cursor` of the previous songs answer: the next page, no repeats "
                                             "(null, as the last page's, starts over).")

    def validate_cursor(self, token: str | None) -> set[int]:
        if token is None:  # echoed from the last page's answer
            return set()
        try:
            return decode_cursor(token, salt=SONGS_SALT)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["shown"] = attrs.pop("cursor", set())
        age = attrs.pop("age", None)
        attrs["age_band"] = AgeBand.for_age_range(age, age) if age is not None else ""
        return attrs


class SongSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="track.pk")
    title = serializers.CharField(source="track.title")
    artist = serializers.CharField(source="track.artist")
    link = serializers.URLField(source="track.link", help_text="A YouTube search for the song.")
    cover_url = serializers.SerializerMethodField(help_text="The generated cover card (JPEG).")
    emotions = serializers.ListField(child=serializers.ChoiceField(choices=Emotion.choices))
    liked = serializers.BooleanField(help_text="Whether the face user likes it now (false without one).")
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    reason = serializers.CharField(help_text="Why it was picked, in English words.")
    reason_code = serializers.ChoiceField(choices=[code.value for code in ReasonCode],
                                          help_text="Why it was picked, for a client to word in its language.")

    @extend_schema_field(serializers.URLField())
    def get_cover_url(self, item: SongItem) -> str:
        return self.context["request"].build_absolute_uri(item.track.cover.url)


class SongsAnswerSerializer(serializers.Serializer):
    recommendation_id = serializers.CharField(help_text="Send it with a like of one of these songs.")
    cursor = serializers.CharField(allow_null=True, help_text="The next page's cursor; null once `exhausted`.")
    exhausted = serializers.BooleanField(
        help_text="No song is left that this visitor has not been shown on these pages: asking without a cursor starts "
                  "over.")
    emotion = serializers.CharField(allow_blank=True)
    mode = serializers.ChoiceField(choices=[Mode.EMOTION.value, Mode.PERSONAL.value],
                                   help_text="`personal` once the face user likes `personal_after_likes` songs.")
    likes = serializers.IntegerField(help_text="The face user's liked songs now (0 without one).")
    personal_after_likes = serializers.IntegerField()
    items = SongSerializer(many=True)


class SongsView(APIView):
    """Songs for the visitor's mood: title, artist, a YouTube search link and a generated cover, with a reason."""

    parser_classes = [LimitedJSONParser]
    required_scope = ApiScope.GARDEN

    @extend_schema(
        operation_id="songs",
        summary="Get songs for a visitor's mood",
        tags=["garden"],
        request=SongsRequestSerializer,
        responses={200: SongsAnswerSerializer, **errors(INVALID, RECOMMENDER_DOWN)},
        description=(
            "The next `n` live tracks for the visitor, best first, and a `cursor` for the page after. The emotion is "
            "context, not a filter: the engine learns which songs visitors of each mood like (a fearful visitor may "
            "prefer calm songs), and a face user's own song likes, \"not interested\"s and the songs they were shown "
            "teach their taste from the next answer on. Like, unlike or hide a song with `track` in `POST /like`, "
            "`/unlike` and `/not-interested`. A page never repeats a track the cursor holds: after the last one, "
            "`exhausted` is true and `cursor` null, and asking without a cursor starts over. An empty `items` asked "
            "without a cursor means no track is live yet. Errors: 400 bad fields (a garden's cursor is not a songs "
            "cursor), "
            "400 `unknown_face_user`, 403 `person_credential_required`, 503 recommender unavailable."
        ),
        examples=[
            OpenApiExample("Songs for a sad visitor", value={"emotion": "SAD", "n": 3}, request_only=True),
            OpenApiExample("A page of songs", response_only=True, status_codes=["200"], value={
                "recommendation_id": "0c7d3e9a1b2f4c5d8e6f7a8b9c0d1e2f", "cursor": "eNpjYGBgYAAABQAB:kN3x0r2hW1",
                "exhausted": False, "emotion": "SAD", "mode": "emotion", "likes": 0, "personal_after_likes": 3,
                "items": [{
                    "id": 17, "title": "Fix You", "artist": "Coldplay",
                    "link": "https://www.youtube.com/results?search_query=Coldplay+Fix+You",
                    "cover_url": "https://garden.example/media/covers/2026/12/cover.jpeg", "emotions": ["SAD"],
                    "liked": False, "rank": 1, "score": 0.137, "reason": "calm songs please sad visitors",
                    "reason_code": "for_your_mood"}],
            }),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = SongsRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        face_user = acting_face_user(request, params.get("face_user"), emotion=params.get("emotion", ""))
        with recommender_errors_as_api_errors():
            result = songs(emotion=params.get("emotion", ""), visitor=face_user.as_visitor() if face_user else None,
                           gender=params.get("gender", ""), age_band=params["age_band"], n=params["n"],
                           exclude=params["shown"])
        answer = SongsAnswerSerializer({
            "recommendation_id": result.recommendation_id,
            "cursor": None if result.exhausted else encode_cursor(
                params["shown"], [item.track.pk for item in result.items], salt=SONGS_SALT),
            "exhausted": result.exhausted,
            "emotion": result.context.emotion,
            "mode": result.mode,
            "likes": result.likes,
            "personal_after_likes": settings.PERSONAL_PICKS_MIN_LIKES,
            "items": result.items,
        }, context={"request": request})
        return Response(answer.data)
