"""The vocabulary shared by every layer: Rekognition's eight emotions, genders and age bands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Emotion(models.TextChoices):
    HAPPY = "HAPPY", _("Happy")
    SAD = "SAD", _("Sad")
    ANGRY = "ANGRY", _("Angry")
    CONFUSED = "CONFUSED", _("Confused")
    DISGUSTED = "DISGUSTED", _("Disgusted")
    SURPRISED = "SURPRISED", _("Surprised")
    CALM = "CALM", _("Calm")
    FEAR = "FEAR", _("Fear")

    @classmethod
    def parse(cls, value: str) -> "Emotion":
        """Accept any case ("happy" from the original pages, "HAPPY" from Rekognition)."""
        return cls(value.strip().upper())

    @property
    def feeling(self) -> str:
        """The emotion inside a sentence ("visitors who looked afraid", "an image that feels afraid"): the labels
        are names, and "looked fear" is not English."""
        return str(_FEELINGS[self.value])


_FEELINGS = {
    Emotion.HAPPY: pgettext_lazy("an emotion inside a sentence", "happy"),
    Emotion.SAD: pgettext_lazy("an emotion inside a sentence", "sad"),
    Emotion.ANGRY: pgettext_lazy("an emotion inside a sentence", "angry"),
    Emotion.CONFUSED: pgettext_lazy("an emotion inside a sentence", "confused"),
    Emotion.DISGUSTED: pgettext_lazy("an emotion inside a sentence", "disgusted"),
    Emotion.SURPRISED: pgettext_lazy("an emotion inside a sentence", "surprised"),
    Emotion.CALM: pgettext_lazy("an emotion inside a sentence", "calm"),
    Emotion.FEAR: pgettext_lazy("an emotion inside a sentence", "afraid"),
}


class Gender(models.TextChoices):
    MALE = "Male", _("Male")
    FEMALE = "Female", _("Female")

    @classmethod
    def parse(cls, value: str) -> "Gender":
        return cls(value.strip().capitalize())


class AgeBand(models.TextChoices):
    """The original system's "generation", decided by the middle of the age range."""

    TODDLER = "toddler", _("Toddler")
    CHILD = "child", _("Child")
    TEENAGER = "teenager", _("Teenager")
    YOUNG_ADULT = "young-adult", _("Young adult")
    ADULT = "adult", _("Adult")
    MIDDLE_AGE = "middle-age", _("Middle age")
    ELDER = "elder", _("Elder")

    @classmethod
    def for_age_range(cls, low: int, high: int) -> "AgeBand":
        middle = (low + high) / 2
        # Upper bounds are inclusive; the original left 64 < middle < 65 undefined, which we close.
        for upper, band in ((5, cls.TODDLER), (12, cls.CHILD), (18, cls.TEENAGER), (25, cls.YOUNG_ADULT),
                            (49, cls.ADULT), (64, cls.MIDDLE_AGE)):
            if middle <= upper:
                return band
        return cls.ELDER
