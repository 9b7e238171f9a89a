"""The catalogue and how it grows: every image or track starts in the pool (pending) until a curator approves it."""

import re
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from curation.placeholders import validate_prompt_placeholders
from curation.songs.names import ARTIST_MAX, KEY_MAX, TITLE_MAX, match_key, youtube_search_url
from emotion_garden.themes import validate_theme
from emotion_garden.vocabulary import Emotion


class PromptTemplate(models.Model):
    """A text-to-image prompt for an emotion (and optionally a theme), with {emotion} and {theme} placeholders."""


    name = models.CharField(_("name"), max_length=100, unique=True)
    emotion = models.CharField(_("emotion"), max_length=16, choices=Emotion.choices)
    theme = models.CharField(
        _("theme"), max_length=100, blank=True, help_text=_("Leave empty for a template of every theme."),
    )
    text = models.TextField(
        _("text"), help_text=_("May use {emotion} and {theme}; write {{ and }} for literal braces."),
    )
    negative_text = models.TextField(
        _("negative text"), blank=True, validators=[validate_prompt_placeholders],
        help_text=_("What the image must not show (where supported)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("prompt template")
        verbose_name_plural = _("prompt templates")
        ordering = ["emotion", "theme", "name"]

    def __str__(self) -> str:
        return self.name


class GenerationJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    emotion = models.CharField(_("emotion"), max_length=16, choices=Emotion.choices)
    theme = models.CharField(_("theme"), max_length=100, blank=True, validators=[validate_theme])
    prompt_template = models.ForeignKey(
        PromptTemplate, verbose_name=_("prompt template"), null=True, blank=True, on_delete=models.SET_NULL,
    )
    prompt = models.TextField(
        _("prompt"), blank=True, help_text=_("The prompt as sent, with the placeholders filled in."),
    )
    negative_prompt = models.TextField(
        _("negative prompt"), blank=True,
        help_text=_("What the images must not show, as sent: the prompt template's negative text, filled in."),
    )
    count = models.PositiveSmallIntegerField(_("count"))
    width = models.PositiveSmallIntegerField(_("width"))
    height = models.PositiveSmallIntegerField(_("height"))
    backend = models.CharField(
        _("backend"),
        max_length=64, default="image_generation",
        help_text=_('The generator: an "image_generation..." entry of settings.EMOTION_GARDEN_BACKENDS.'),
    )
    file_stem = models.CharField(
        _("file stem"),
        max_length=200, blank=True,
        help_text=_("Images are named <stem>_<index><h|v>.jpeg (the original clients' keys)."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    undrawn_words = models.JSONField(
        _("undrawn words"),
        default=list, blank=True,
        help_text=_(
            "Words of the theme and prompt the generator could not draw, as it reported them when the job ran."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("generation job")
        verbose_name_plural = _("generation jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.count} x {self.emotion} {self.theme}".strip()

    @property
    def orientation_letter(self) -> str:
        return "v" if self.height > self.width else "h"


class GenerationItem(models.Model):
    """One image of a generation job: its attempts, its error if it failed, and the image once generated."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    job = models.ForeignKey(GenerationJob, verbose_name=_("job"), on_delete=models.CASCADE, related_name="items")
    index = models.PositiveSmallIntegerField(_("index"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    image = models.OneToOneField(
        "Image", verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("generation item")
        verbose_name_plural = _("generation items")
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="unique_job_index")]

    def __str__(self) -> str:
        return f"job {self.job_id} #{self.index} ({self.status})"


# What a name may not hold: it is the last part of the original keys (emotions/<emotion>[/<theme>]/<name>), which
# the original pages put in URLs and query strings (/image?content=<key>) as they are. "a/b.jpeg" made an image that
# they could neither show nor remove, and "a+b.jpeg" one whose page was not found.
_NAME_BREAKERS = re.compile(r"[/\\?#%&+\x00-\x1f\x7f]")


def validate_image_name(name: str) -> None:
    if _NAME_BREAKERS.search(name) or name.startswith("."):
        raise ValidationError(
            "A name is a file name: no /, \\, ?, #, %, &, + or control characters, and not starting with a dot.",
            code="invalid_name")


def _image_path(image: "Image", filename: str) -> str:
    # A fresh uuid per file: names never collide, and a replaced file never serves a stale cached copy.
    return f"images/{image.emotion.lower()}/{uuid.uuid4().hex}{image.orientation_letter}.jpeg"


def _thumbnail_path(image: "Image", filename: str) -> str:
    return f"thumbnails/{image.emotion.lower()}/{uuid.uuid4().hex}.jpeg"


class Image(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    class Source(models.TextChoices):
        GENERATED = "generated", _("Generated")
        UPLOADED = "uploaded", _("Uploaded")

    emotion = models.CharField(_("emotion"), max_length=16, choices=Emotion.choices)
    theme = models.CharField(_("theme"), max_length=100, blank=True, validators=[validate_theme],
                             help_text=_('Free "favorite" such as "spring,rainy,day".'))
    # The file name clients know the image by, unique in its emotion and theme: the original system's keys were
    # emotions/<emotion>[/<theme>]/<name> and imgPool/<emotion>[/<theme>]/<name>.
    name = models.CharField(_("name"), max_length=200, validators=[validate_image_name])
    # Indexed: the embedded media view looks a file up by its name on every request (gallery.media).
    file = models.ImageField(_("file"), upload_to=_image_path, db_index=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=_thumbnail_path, blank=True, db_index=True)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    orientation = models.CharField(_("orientation"), max_length=16, choices=Orientation.choices)
    prompt = models.TextField(_("prompt"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    generation_job = models.ForeignKey(
        GenerationJob, verbose_name=_("generation job"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="images",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # How a new picture is matched against the catalogue (curation.duplicates); empty for images stored without them.
    pixel_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    perceptual_hash = models.CharField(max_length=16, blank=True, editable=False)
    colour = models.CharField(max_length=6, blank=True, editable=False, help_text=_("The mean colour, as hex RGB."))
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        help_text=_("The image this generated one repeats, found when it was made: a flag for the reviewer."),
    )

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "emotion"])]
        permissions = [("review_image", _("Can approve, reject and retire images"))]
        constraints = [models.UniqueConstraint(fields=["emotion", "theme", "name"], name="unique_image_name")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.emotion} {self.orientation} ({self.status})"

    @property
    def orientation_letter(self) -> str:
        """The original key layout's convention: "v" before the extension means portrait, "h" landscape."""
        return "v" if self.orientation == self.Orientation.PORTRAIT else "h"


# --- Tracks: songs for a mood ---------------------------------------------------------------------------------------


class SongSuggestionRun(models.Model):
    """One request to a song-suggestion backend for an emotion, and what became of each song it answered."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    emotion = models.CharField(_("emotion"), max_length=16, choices=Emotion.choices)
    count = models.PositiveSmallIntegerField(_("count"), help_text=_("How many songs were asked for."))
    backend = models.CharField(
        _("backend"),
        max_length=64, default="song_suggestion",
        help_text=_('The suggester: a "song_suggestion..." entry of settings.EMOTION_GARDEN_BACKENDS.'),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(
        _("error"), blank=True, help_text=_("Why the whole run failed (the backend, or an unreadable answer)."),
    )
    answer = models.TextField(
        _("answer"), blank=True, help_text=_("The backend's answer as received (its beginning, if long)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("song suggestion run")
        verbose_name_plural = _("song suggestion runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.count} songs for {self.emotion} from {self.backend}"


def _cover_path(track: "Track", filename: str) -> str:
    return f"covers/{uuid.uuid4().hex}.jpeg"


class Track(models.Model):
    """A song for a mood: a title and an artist (facts, never lyrics or audio), a generated cover and a link that
    searches YouTube for it. Like an image it waits for review (pending), is live once approved, and may be rejected
    or retired."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        RETIRED = "retired", _("Retired")

    class Source(models.TextChoices):
        SEEDED = "seeded", _("Offline catalogue")
        BEDROCK = "bedrock", "Amazon Bedrock"
        OPENAI_COMPATIBLE = "openai-compatible", _("OpenAI-compatible endpoint")
        CURATOR = "curator", _("Curator")

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    artist = models.CharField(_("artist"), max_length=ARTIST_MAX)
    # What makes two tracks the same song (case, width, quotes and spacing aside): set from title and artist on
    # every save, so no path into the table can bypass the uniqueness below.
    title_key = models.CharField(max_length=KEY_MAX, editable=False)
    artist_key = models.CharField(max_length=KEY_MAX, editable=False)
    cover = models.ImageField(_("cover"), upload_to=_cover_path, db_index=True)  # looked up by name: gallery.media
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    suggestion_run = models.ForeignKey(
        SongSuggestionRun, verbose_name=_("suggestion run"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="tracks",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        permissions = [("review_track", _("Can approve, reject and retire tracks"))]
        constraints = [
            models.UniqueConstraint(fields=["title_key", "artist_key"], name="unique_track_title_artist"),
            models.CheckConstraint(condition=~models.Q(title_key="") & ~models.Q(artist_key=""),
                                   name="track_has_title_and_artist"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.artist}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.title_key, self.artist_key = match_key(self.title), match_key(self.artist)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "artist"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "title_key", "artist_key"}
        super().save(*args, **kwargs)

    @property
    def link(self) -> str:
        return youtube_search_url(title=self.title, artist=self.artist)

    @property
    def emotions(self) -> list[str]:
        """The track's emotions in the vocabulary's order (read from a prefetch when there is one)."""
        tagged = {tag.emotion for tag in self.emotion_tags.all()}
        return [emotion for emotion in Emotion.values if emotion in tagged]


class TrackEmotion(models.Model):
    """One of the moods a track suits; a track has one or several. A table rather than a list in a column, so that
    "the approved tracks of SAD" is an indexed join on SQLite and PostgreSQL alike."""

    track = models.ForeignKey(Track, verbose_name=_("track"), on_delete=models.CASCADE, related_name="emotion_tags")
    emotion = models.CharField(_("emotion"), max_length=16, choices=Emotion.choices)

    class Meta:
        verbose_name = _("track emotion")
        verbose_name_plural = _("track emotions")
        constraints = [models.UniqueConstraint(fields=["track", "emotion"], name="unique_track_emotion")]
        indexes = [models.Index(fields=["emotion", "track"])]

    def __str__(self) -> str:
        return f"{self.track_id} {self.emotion}"


class SongSuggestionItem(models.Model):
    """One song of a suggestion run's answer: added as a pending track, or why not."""

    class Outcome(models.TextChoices):
        ADDED = "added", _("Added for review")
        DUPLICATE = "duplicate", _("Duplicate")
        INVALID = "invalid", _("Invalid")
        SKIPPED = "skipped", _("Beyond the count asked for")

    run = models.ForeignKey(SongSuggestionRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="items")
    index = models.PositiveSmallIntegerField(_("index"), help_text=_("The song's place in the answer, from 1."))
    # As the answer gave them, cut to a length the list can show (an invalid item may have anything there).
    title = models.CharField(_("title"), max_length=TITLE_MAX, blank=True)
    artist = models.CharField(_("artist"), max_length=ARTIST_MAX, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    track = models.ForeignKey(
        Track, verbose_name=_("track"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("song suggestion item")
        verbose_name_plural = _("song suggestion items")
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="unique_suggestion_item")]

    def __str__(self) -> str:
        return f"run {self.run_id} #{self.index} ({self.outcome})"
