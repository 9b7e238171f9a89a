import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from curation.models import PromptTemplate
from curation.placeholders import PromptError, check_placeholders
from curation.prompts import default_template, render_prompt
from emotion_garden.vocabulary import Emotion


def test_placeholders_are_filled_with_readable_words() -> None:
    rendered = render_prompt(text="a {theme} garden, a feeling of {emotion} peace", emotion="CALM", theme="spring")
    assert rendered == "a spring garden, a feeling of calm peace"


def test_an_empty_theme_leaves_no_double_space_and_literal_braces_survive() -> None:
    assert render_prompt(text="a {theme} garden {{watercolour}}", emotion="SAD", theme="") == "a garden {watercolour}"


@pytest.mark.parametrize(("text", "shown"), [
    ("a {mood} garden", "{mood}"),
    ("a {} garden", "{}"),
    ("a {emotion.upper} garden", "{emotion.upper}"),
    ("a {emotion!r} garden", "{emotion!r}"),
    ("a {theme:>40} garden", "{theme:>40}"),
])
def test_unknown_placeholders_are_refused_by_name(text: str, shown: str) -> None:
    with pytest.raises(PromptError, match="Unknown placeholder") as error:
        check_placeholders(text=text)
    assert shown in str(error.value) and "{emotion}, {theme}" in str(error.value)


def test_unbalanced_braces_are_refused() -> None:
    with pytest.raises(PromptError, match="braces"):
        render_prompt(text="a {emotion garden", emotion="SAD", theme="")


@pytest.mark.django_db
def test_every_emotion_has_a_seeded_template_that_renders() -> None:
    for emotion in Emotion.values:
        template = default_template(emotion=emotion, theme="")
        assert template is not None
        assert render_prompt(text=template.text, emotion=emotion, theme="spring").count("spring") == 1


@pytest.mark.django_db
def test_a_theme_of_its_own_beats_the_general_template() -> None:
    own = PromptTemplate.objects.create(name="calm beach", emotion="CALM", theme="beach", text="a {theme}")
    assert default_template(emotion="CALM", theme="beach") == own
    assert default_template(emotion="CALM", theme="forest").name == "calm garden"
    PromptTemplate.objects.filter(emotion="CALM").delete()
    assert default_template(emotion="CALM", theme="beach") is None


@pytest.mark.django_db
def test_the_admin_refuses_unknown_placeholders_and_previews_the_prompt(curator_client: Client) -> None:
    add = reverse("admin:curation_prompttemplate_add")
    fields = {"name": "fear cave", "emotion": "FEAR", "theme": "cave", "text": "a {place} full of {emotion}"}
    response = curator_client.post(add, fields)
    assert response.status_code == 200
    assert "Unknown placeholder {place}" in response.context["adminform"].form.errors["text"][0]
    assert not PromptTemplate.objects.filter(name="fear cave").exists()

    response = curator_client.post(add, {**fields, "text": "a dark {theme} full of {emotion}"})
    assert response.status_code == 302
    template = PromptTemplate.objects.get(name="fear cave")
    page = curator_client.get(reverse("admin:curation_prompttemplate_change", args=[template.pk])).content.decode()
    assert "a dark cave full of fear" in page
    listing = curator_client.get(reverse("admin:curation_prompttemplate_changelist") + "?emotion__exact=FEAR")
    assert "a dark cave full of fear" in listing.content.decode()


def test_a_prompt_is_written_in_english_whatever_the_curators_language() -> None:
    """A Korean curator's job had asked the generator for "a feeling of pure 행복 joy"."""
    with translation.override("ko"):
        assert render_prompt(text="a feeling of pure {emotion} joy", emotion="HAPPY", theme="") == (
            "a feeling of pure happy joy")
