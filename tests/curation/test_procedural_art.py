"""The procedural demo-art painter: sizes, determinism, validation and emotions that look different."""

import itertools
from functools import cache

import numpy as np
import pytest
from PIL import Image

from curation.generators.procedural_art import EMOTIONS, draw_emotion_art

# Small canvases keep the suite fast; the composition scales with the short side anyway.
SMALL_SIZES = ((192, 128), (128, 192))
SEEDS = (0, 1, 2)


def render(emotion: str, width: int = 192, height: int = 128, seed: int = 0, theme: str = "") -> Image.Image:
    return draw_emotion_art(emotion=emotion, width=width, height=height, seed=seed, theme=theme)


@cache
def colour_profile(emotion: str) -> dict[str, float]:
    """Colour statistics averaged over several seeds and both orientations, so no single layout decides."""
    rows = []
    for seed, (width, height) in itertools.product(SEEDS, SMALL_SIZES):
        image = render(emotion, width, height, seed)
        rgb = np.asarray(image, dtype=np.float64)
        red, green, blue = (rgb[..., channel].mean() for channel in range(3))
        hsv = np.asarray(image.convert("HSV"))
        # Hues of clearly coloured pixels only, in twelve 30-degree bins.
        hues = hsv[..., 0][hsv[..., 1] > 60].astype(np.int64)
        hue_share = np.bincount(hues * 12 // 256, minlength=12) / max(1, hues.size)
        luma = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
        rows.append(
            {
                "red": red,
                "green": green,
                "blue": blue,
                "luma": luma.mean(),
                "contrast": luma.std(),
                "saturation": float(hsv[..., 1].mean()),
                "hue_bins": float((hue_share >= 0.05).sum()),
            }
        )
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}


@pytest.mark.parametrize(("width", "height"), [(768, 512), (512, 768)])
def test_exact_size_and_rgb_mode_in_both_orientations(width: int, height: int) -> None:
    image = render("HAPPY", width, height)

    assert image.size == (width, height)
    assert image.mode == "RGB"


@pytest.mark.parametrize("emotion", EMOTIONS)
@pytest.mark.parametrize(("width", "height"), SMALL_SIZES)
def test_every_emotion_renders_a_real_picture(emotion: str, width: int, height: int) -> None:
    image = render(emotion, width, height, seed=7)

    assert image.size == (width, height)
    assert image.mode == "RGB"
    # Not a flat fill: there is a scene in there.
    assert np.asarray(image, dtype=np.float64).std() > 10


def test_covers_all_rekognition_emotions() -> None:
    assert set(EMOTIONS) == {"HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"}


def test_emotion_name_is_case_insensitive() -> None:
    assert render("calm").tobytes() == render("CALM").tobytes()


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_same_arguments_give_identical_bytes(emotion: str) -> None:
    first = render(emotion, seed=42, theme="winter,snowy,night")
    second = render(emotion, seed=42, theme="winter,snowy,night")

    assert first.tobytes() == second.tobytes()


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_different_seeds_give_different_images(emotion: str) -> None:
    assert render(emotion, seed=1).tobytes() != render(emotion, seed=2).tobytes()


def test_twelve_seeds_give_twelve_distinct_images() -> None:
    images = {render("CALM", seed=seed).tobytes() for seed in range(12)}

    assert len(images) == 12


def test_rendering_leaves_global_random_state_alone() -> None:
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    render("SURPRISED", seed=5)

    assert np.random.random() == expected


def test_theme_words_change_the_picture() -> None:
    plain = render("CALM", seed=3)
    snowy_night = render("CALM", seed=3, theme="winter,snowy,night")

    assert plain.tobytes() != snowy_night.tobytes()
    # Night darkens the scene.
    assert np.asarray(snowy_night).mean() < np.asarray(plain).mean()


def test_unknown_theme_words_are_ignored() -> None:
    assert render("SAD", seed=3, theme="purple,elephants").tobytes() == render("SAD", seed=3).tobytes()


def test_happy_is_bright_and_warm() -> None:
    happy = colour_profile("HAPPY")

    assert happy["red"] > happy["blue"] + 60
    for other in ("SAD", "ANGRY", "FEAR", "DISGUSTED", "SURPRISED"):
        assert happy["luma"] > colour_profile(other)["luma"] + 40, other


def test_sad_is_cool_grey_and_muted() -> None:
    sad, happy = colour_profile("SAD"), colour_profile("HAPPY")

    assert sad["blue"] > sad["red"] + 15
    assert sad["saturation"] < happy["saturation"] - 30
    assert sad["luma"] < happy["luma"] - 50


def test_fear_is_the_darkest_emotion() -> None:
    fear = colour_profile("FEAR")

    assert fear["luma"] < 40
    # Purple rather than neutral black.
    assert fear["blue"] > fear["green"] + 10
    for other in EMOTIONS:
        if other != "FEAR":
            assert fear["luma"] < colour_profile(other)["luma"], other


def test_angry_is_red_dominated() -> None:
    angry = colour_profile("ANGRY")

    assert angry["red"] > angry["green"] + 40
    assert angry["red"] > angry["blue"] + 40


def test_calm_is_soft_bright_teal() -> None:
    calm = colour_profile("CALM")

    assert calm["luma"] > 150
    assert calm["green"] > calm["red"] and calm["blue"] > calm["red"]
    assert calm["saturation"] < colour_profile("HAPPY")["saturation"]
    assert calm["contrast"] < colour_profile("SURPRISED")["contrast"]


def test_disgusted_is_sickly_yellow_green() -> None:
    disgusted = colour_profile("DISGUSTED")

    assert disgusted["green"] > disgusted["blue"] + 50
    assert abs(disgusted["green"] - disgusted["red"]) < 30
    # Murkier than the sunny yellow of HAPPY.
    assert disgusted["luma"] < colour_profile("HAPPY")["luma"] - 50


def test_surprised_has_the_most_contrast() -> None:
    surprised = colour_profile("SURPRISED")

    for other in EMOTIONS:
        if other != "SURPRISED":
            assert surprised["contrast"] > colour_profile(other)["contrast"], other


def test_confused_spreads_over_the_most_hues() -> None:
    confused = colour_profile("CONFUSED")

    assert confused["hue_bins"] >= 5
    for other in EMOTIONS:
        if other != "CONFUSED":
            assert confused["hue_bins"] > colour_profile(other)["hue_bins"], other


def test_every_pair_of_emotions_has_a_clearly_different_average_colour() -> None:
    for first, second in itertools.combinations(EMOTIONS, 2):
        a, b = colour_profile(first), colour_profile(second)
        distance = np.linalg.norm([a[c] - b[c] for c in ("red", "green", "blue")])
        assert distance > 25, (first, second)


@pytest.mark.parametrize("emotion", ["", "JOY", "UNKNOWN", "HAPPY "])
def test_unknown_emotion_raises_value_error(emotion: str) -> None:
    with pytest.raises(ValueError, match="emotion"):
        render(emotion)


@pytest.mark.parametrize(("width", "height"), [(63, 128), (128, 63), (2049, 512), (512, 2049), (0, 0), (-5, 100)])
def test_size_outside_64_to_2048_raises_value_error(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="between 64 and 2048"):
        render("HAPPY", width, height)


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_boundary_sizes_are_accepted(emotion: str) -> None:
    for width, height in ((64, 64), (64, 2048), (2048, 64)):
        assert render(emotion, width, height).size == (width, height)
