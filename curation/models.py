"""The image catalogue and how it grows: every image starts in the pool (pending) and is approved into the gallery."""

import uuid

from django.conf import settings
from django.db import models

from emotion_garden.vocabulary import Emotion


class PromptTemplate(models.Model):
    """A text-to-image prompt for an emotion (and optionally a theme), with {emotion} and {theme} placeholders."""

    PLACEHOLDERS = ("emotion", "theme")

    name = models.CharField(max_length=100, unique=True)
    emotion = models.CharField(max_length=16, choices=Emotion.choices)
    theme = models.CharField(max_length=100, blank=True, help_text="Leave empty for a template of every theme.")
    text = models.TextField(help_text="May use {emotion} and {theme}; write {{ and }} for literal braces.")
    negative_text = models.TextField(blank=True, help_text="What the image must not show (where supported).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["emotion", "theme", "name"]

    def __str__(self) -> str:
        return self.name


class GenerationJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    emotion = models.CharField(max_length=16, choices=Emotion.choices)
    theme = models.CharField(max_length=100, blank=True)
    prompt_template = models.ForeignKey(PromptTemplate, null=True, blank=True, on_delete=models.SET_NULL)
    prompt = models.TextField(blank=True, help_text="The prompt as sent, with the placeholders filled in.")
    count = models.PositiveSmallIntegerField()
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    backend = models.CharField(
        max_length=64, default="image_generation",
        help_text='The generator: an "image_generation..." entry of settings.EMOTION_GARDEN_BACKENDS.',
    )
    file_stem = models.CharField(
        max_length=200, blank=True, help_text="Images are named <stem>_<index><h|v>.jpeg (the original clients' keys)."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    undrawn_words = models.JSONField(
        default=list, blank=True,
        help_text="Words of the theme and prompt the generator could not draw, as it reported them when the job ran.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.count} x {self.emotion} {self.theme}".strip()

    @property
    def orientation_letter(self) -> str:
        return "v" if self.height > self.width else "h"


class GenerationItem(models.Model):
    """One image of a generation job: its attempts, its error if it failed, and the image once generated."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey(GenerationJob, on_delete=models.CASCADE, related_name="items")
    index = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    image = models.OneToOneField("Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="unique_job_index")]

    def __str__(self) -> str:
        return f"job {self.job_id} #{self.index} ({self.status})"


def _image_path(image: "Image", filename: str) -> str:
    # A fresh uuid per file: names never collide, and a replaced file never serves a stale cached copy.
    return f"images/{image.emotion.lower()}/{uuid.uuid4().hex}{image.orientation_letter}.jpeg"


def _thumbnail_path(image: "Image", filename: str) -> str:
    return f"thumbnails/{image.emotion.lower()}/{uuid.uuid4().hex}.jpeg"


class Image(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RETIRED = "retired", "Retired"

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", "Landscape"
        PORTRAIT = "portrait", "Portrait"

    class Source(models.TextChoices):
        GENERATED = "generated", "Generated"
        UPLOADED = "uploaded", "Uploaded"

    emotion = models.CharField(max_length=16, choices=Emotion.choices)
    theme = models.CharField(max_length=100, blank=True, help_text='Free "favorite" such as "spring,rainy,day".')
    # The file name clients know the image by, unique in its emotion and theme: the original system's keys were
    # emotions/<emotion>[/<theme>]/<name> and imgPool/<emotion>[/<theme>]/<name>.
    name = models.CharField(max_length=200)
    file = models.ImageField(upload_to=_image_path)
    thumbnail = models.ImageField(upload_to=_thumbnail_path, blank=True)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    orientation = models.CharField(max_length=16, choices=Orientation.choices)
    prompt = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    generation_job = models.ForeignKey(
        GenerationJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="images"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "emotion"])]
        permissions = [("review_image", "Can approve, reject and retire images")]
        constraints = [models.UniqueConstraint(fields=["emotion", "theme", "name"], name="unique_image_name")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.emotion} {self.orientation} ({self.status})"

    @property
    def orientation_letter(self) -> str:
        """The original key layout's convention: "v" before the extension means portrait, "h" landscape."""
        return "v" if self.orientation == self.Orientation.PORTRAIT else "h"
