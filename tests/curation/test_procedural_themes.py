"""The procedural painter follows its input: theme words change the light and weather, prompt words add animals and
things, the same input always paints the same picture, and the words it cannot draw are reported."""

import numpy as np
import pytest
from PIL import Image

from curation.generators.procedural_art import EMOTIONS, draw_emotion_art, read_scene, undrawable_words
from emotion_garden.themes import Animal, all_combinations

SIZE = (192, 128)
CAT_ON_CAR = "a black cat on a red car in the snow"


def render(emotion: str = "CALM", *, seed: int = 3, theme: str = "", prompt: str = "",
           size: tuple[int, int] = SIZE) -> Image.Image:
    return draw_emotion_art(emotion=emotion, width=size[0], height=size[1], seed=seed, theme=theme, prompt=prompt)


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float64)


def white_share(image: Image.Image) -> float:
    return float((pixels(image).min(axis=-1) > 215).mean())


def luma(image: Image.Image) -> float:
    rgb = pixels(image)
    return float((0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).mean())


def warmth(image: Image.Image) -> float:
    rgb = pixels(image)
    return float((rgb[..., 0] - rgb[..., 2]).mean())


def share(image: Image.Image, test) -> float:  # noqa: ANN001 (a predicate over the r, g, b planes)
    rgb = pixels(image)
    return float(test(rgb[..., 0], rgb[..., 1], rgb[..., 2]).mean())


@pytest.mark.parametrize(("theme", "prompt"), [("winter,snowy,sunset", ""), ("", CAT_ON_CAR),
                                               ("spring,rainy,the-middle-of-the-night,dog", "two birds and a house")])
def test_the_same_input_paints_the_same_picture(theme: str, prompt: str) -> None:
    first = render("HAPPY", seed=11, theme=theme, prompt=prompt)
    assert first.tobytes() == render("HAPPY", seed=11, theme=theme, prompt=prompt).tobytes()
    assert first.tobytes() != render("HAPPY", seed=12, theme=theme, prompt=prompt).tobytes()


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_snow_paints_more_white(emotion: str) -> None:
    for seed in (1, 2):
        snowy, rainy = render(emotion, seed=seed, theme="snowy"), render(emotion, seed=seed, theme="rainy")
        plain = render(emotion, seed=seed)
        assert white_share(snowy) > white_share(plain) + 0.05, seed
        assert white_share(snowy) > white_share(rainy) + 0.05, seed


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_night_is_darker_than_day(emotion: str) -> None:
    for seed in (1, 2):
        night = render(emotion, seed=seed, theme="the-middle-of-the-night")
        assert luma(night) < luma(render(emotion, seed=seed, theme="day")) * 0.8, seed


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_sunset_is_warmer_than_day(emotion: str) -> None:
    for seed in (1, 2):
        sunset = render(emotion, seed=seed, theme="sunset")
        assert warmth(sunset) > warmth(render(emotion, seed=seed, theme="day")) + 15, seed


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_clouds_and_rain_grey_the_sky(emotion: str) -> None:
    def sky_saturation(image: Image.Image) -> float:
        return float(np.asarray(image.convert("HSV"))[: SIZE[1] // 2, :, 1].mean())

    clear = sky_saturation(render(emotion))
    # SAD's own garden is already grey and raining: only clouds can grey it further.
    for theme in ("cloudy",) if emotion == "SAD" else ("cloudy", "rainy"):
        assert sky_saturation(render(emotion, theme=theme)) < clear - 10, theme


def test_a_cat_on_a_car_in_the_snow_is_not_a_winter_sunset() -> None:
    cat_on_car = render(prompt=CAT_ON_CAR, size=(384, 256))
    winter_sunset = render(theme="winter,snowy,sunset", size=(384, 256))

    assert np.abs(pixels(cat_on_car) - pixels(winter_sunset)).mean() > 20
    car_red = share(cat_on_car, lambda r, g, b: (r > 150) & (g < 80) & (b < 80))
    assert car_red > 0.01
    assert share(winter_sunset, lambda r, g, b: (r > 150) & (g < 80) & (b < 80)) < car_red / 10
    black_cat = share(cat_on_car, lambda r, g, b: (r < 50) & (g < 50) & (b < 50))
    assert black_cat > 0.003
    assert share(winter_sunset, lambda r, g, b: (r < 50) & (g < 50) & (b < 50)) < black_cat / 10
    # Both in the snow, only one at sunset.
    assert white_share(cat_on_car) > 0.1 and warmth(winter_sunset) > warmth(cat_on_car) + 15


@pytest.mark.parametrize("animal", Animal.values)
def test_a_theme_animal_is_drawn_into_the_picture(animal: str) -> None:
    plain = pixels(render("HAPPY", theme="summer,sunny,day"))
    with_animal = pixels(render("HAPPY", theme=f"summer,sunny,day,{animal}"))

    changed = np.abs(with_animal - plain).max(axis=-1) > 40
    # A few dozen pixels for a bird or a butterfly in flight, hundreds for the others.
    assert changed.mean() > (0.001 if animal in ("bird", "butterfly") else 0.004)


def test_colour_words_paint_the_thing_they_name() -> None:
    red = render(prompt="a red car", size=(384, 256))
    blue = render(prompt="a blue car", size=(384, 256))

    assert share(red, lambda r, g, b: (r > 150) & (g < 80) & (b < 80)) > 0.01
    assert share(blue, lambda r, g, b: (b > 140) & (r < 90) & (g < 130)) > 0.01
    assert share(blue, lambda r, g, b: (r > 150) & (g < 80) & (b < 80)) < 0.002


@pytest.mark.parametrize("size", [(64, 64), (128, 512), (512, 128)])
def test_every_subject_fits_any_canvas(size: tuple[int, int]) -> None:
    prompt = ("a cat on a dog on a house, a rabbit, a car, trees, flowers, a boat, an umbrella, birds, butterflies, "
              "balloons, hearts, the moon, stars and a rainbow")
    image = render("FEAR", theme="autumn,stormy,dawn,foggy", prompt=prompt, size=size)
    assert image.size == size and image.mode == "RGB"


def test_a_prompt_it_understands_reports_nothing() -> None:
    assert undrawable_words(emotion="CALM", theme="", prompt=CAT_ON_CAR) == []
    assert undrawable_words(emotion="CALM", theme="winter,snowy,sunset", prompt="") == []


def test_every_original_favorite_and_animal_is_drawable() -> None:
    for favorite in all_combinations():
        for animal in ("", *Animal.values):
            theme = f"{favorite},{animal}" if animal else favorite
            assert undrawable_words(emotion="HAPPY", theme=theme, prompt="") == [], theme


def test_words_it_cannot_draw_are_reported_once_in_order() -> None:
    prompt = "A purple elephant next to a black cat, cinematic lighting, (best quality:1.2), cinematic, sad"
    assert undrawable_words(emotion="HAPPY", theme="spring,castle", prompt=prompt) == [
        "purple", "elephant", "cinematic", "lighting", "best", "quality", "sad", "castle"]


def test_the_emotions_own_words_are_drawn_by_its_painting() -> None:
    assert undrawable_words(emotion="SAD", theme="", prompt="a very sad, gloomy garden") == []


def test_reading_a_prompt() -> None:
    scene = read_scene(emotion="HAPPY", theme="autumn,dog", prompt="two small white rabbits on a big red car at night")

    assert scene.moods == {"autumn", "night"}
    rabbits, car, dog = scene.subjects
    assert (rabbits.kind, rabbits.count, rabbits.scale, rabbits.colour, rabbits.on) == ("rabbit", 2, 0.7,
                                                                                        (244, 244, 240), 1)
    assert (car.kind, car.scale, car.colour, car.on) == ("car", 1.4, (206, 34, 40), None)
    assert dog.kind == "dog"


def test_a_theme_animal_the_prompt_already_names_is_drawn_once() -> None:
    scene = read_scene(emotion="HAPPY", theme="spring,dog", prompt="a brown puppy")
    assert [(subject.kind, subject.colour) for subject in scene.subjects] == [("dog", (118, 76, 44))]


def test_a_crowd_of_subjects_is_cut_short_and_the_rest_reported() -> None:
    scene = read_scene(emotion="CALM", theme="", prompt=" ".join(["cat", "dog"] * 10))
    assert len(scene.subjects) == 12
    assert scene.undrawn == ("cat", "dog")
