from io import StringIO

import pytest
from django.core.management import call_command
from PIL import Image as PillowImage

from curation.management.commands.seed_demo_gallery import demo_themes
from curation.models import GenerationJob, Image
from emotion_garden.themes import Season, TimeOfDay, Weather, parse_theme
from emotion_garden.vocabulary import Emotion

pytestmark = pytest.mark.django_db


def test_the_demo_plan_covers_every_season_and_weather_across_the_times_of_day() -> None:
    plan = demo_themes(22)
    themes = [parse_theme(theme) for theme, _ in plan]

    assert [theme for theme, _ in plan[:3]] == ["spring,cloudy,day"] * 3
    pairs = {(theme.of_kind(Season), theme.of_kind(Weather)) for theme in themes if theme.words}
    assert len(pairs) == 16
    # Every season and every weather meets every time of day.
    for kind in (Season, Weather):
        assert {(theme.of_kind(kind), theme.of_kind(TimeOfDay)) for theme in themes[:18]} == {
            ((word,), (time,)) for word in kind.values for time in TimeOfDay.values}
    assert [theme for theme, _ in plan[18:20]] == ["", ""]  # for the original pages that send an emotion alone
    assert {theme.words[-1] for theme in themes[20:]} == {"dog", "cat"}
    assert {orientation for _, orientation in plan} == {"landscape", "portrait"}
    assert len(demo_themes(50)) == 50


def test_seeds_themed_approved_images_for_every_emotion() -> None:
    output = StringIO()
    call_command("seed_demo_gallery", per_emotion=4, stdout=output)

    approved = Image.objects.filter(status=Image.Status.APPROVED)
    assert approved.count() == 32 and not Image.objects.exclude(status=Image.Status.APPROVED).exists()
    for emotion in Emotion:
        mine = approved.filter(emotion=emotion)
        assert mine.filter(theme="spring,cloudy,day").count() == 3
        assert set(mine.values_list("theme", flat=True)) == {"spring,cloudy,day", "spring,rainy,sunset"}
        assert set(mine.values_list("orientation", flat=True)) == {"landscape", "portrait"}
    portrait = approved.filter(orientation="portrait").first()
    with portrait.file.open() as stored:
        assert PillowImage.open(stored).size == (320, 480)
    # The demo prompts are ones the painter draws in full.
    assert all(words == [] for words in GenerationJob.objects.values_list("undrawn_words", flat=True))
    assert "32 images approved, 0 failed" in output.getvalue()


def test_is_idempotent() -> None:
    call_command("seed_demo_gallery", per_emotion=2, stdout=StringIO())
    output = StringIO()
    call_command("seed_demo_gallery", per_emotion=2, stdout=output)
    assert Image.objects.count() == 16
    assert set(Image.objects.values_list("theme", flat=True)) == {"spring,cloudy,day"}
    assert "already has images" in output.getvalue()
