"""What visitors did with the items (images, and tracks: the songs for the mood), the local engine's counters, and
the outbox towards managed backends."""

from django.db import models
from django.utils.functional import cached_property

from curation.models import Image, Track
from emotion_garden.vocabulary import AgeBand, Emotion, Gender


class VisitorEvent(models.Model):
    """What an event on an item holds besides the item: who, what, the visitor's context at the time and how the client
    named it. Interaction (images) and TrackInteraction (songs) are its two tables."""

    class Event(models.TextChoices):
        LIKE = "like", "Like"
        UNLIKE = "unlike", "Unlike"
        VIEW = "view", "View"
        NOT_INTERESTED = "not_interested", "Not interested"

    event = models.CharField(max_length=16, choices=Event.choices)
    # The visitor's context at the time, which decides the segment the event counts for.
    emotion = models.CharField(max_length=16, choices=Emotion.choices, blank=True)
    gender = models.CharField(max_length=8, choices=Gender.choices, blank=True)
    age_band = models.CharField(max_length=16, choices=AgeBand.choices, blank=True)
    # As the client sent it (NULL when it sent none), echoed in answers and exports.
    client_event_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # The garden answer (ServedPage) the event's item was picked in, when the client says: like-rates per mode and
    # per slot come from it. Not a foreign key: answers are pruned sooner than events.
    recommendation_id = models.CharField(max_length=32, blank=True, default="")
    # What makes an event idempotent: a keyed hash of who sent it and their client event id (record_interaction), so
    # one caller's id never names another caller's event, and a forgotten person's anonymised events share nothing
    # that links them. Unique through Meta.constraints, not unique=True, which on PostgreSQL adds a second index for
    # LIKE queries; NULL when the client sent no id: many such events must not collide as "" would.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @cached_property
    def impression_ids(self) -> list[int]:
        """The ids of the items on screen, sorted; set by the service that records the event, so the engines and the
        API answer need not read them back."""
        return sorted(self.impressions.values_list("pk", flat=True))


class Interaction(VisitorEvent):
    """One event on one image, with the images that were on screen beside it (shown-but-not-liked is signal)."""

    # Kept (anonymised) when the person is forgotten: the counts still teach the cold-start engine. Looked up through
    # the like history index below; a second index on face_user alone would only slow every like down.
    # The gallery's person, named by app label: the gallery sits above the recommender and imports it, not the reverse.
    face_user = models.ForeignKey(
        "gallery.FaceUser", null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions",
        db_index=False,
    )
    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="interactions")
    impressions = models.ManyToManyField(Image, blank=True, related_name="+")

    class Meta(VisitorEvent.Meta):
        indexes = [
            # A person's latest events, newest first, with what recommender.training.like_history reads of them in
            # the index itself: every like and every personal garden reads up to 400 of them, and from the table
            # that was a page per event (benchmarks/request_cost.py: a like's PostgreSQL CPU 2.29-2.35 ms before
            # this index, 1.41 ms with it). The emotion too: the taste model reads each event's mood
            # (recommender.history).
            models.Index(fields=["face_user", "-created_at", "-id", "event", "image", "emotion"],
                         name="interaction_history_mood"),
            # Trending's window of likes (recommender.queries.recent_likes_by_emotion) read from the index alone: from
            # the table, the 24-hour window of a busy site was a page visit per like (a million of them in
            # benchmarks/recommender_http.py). With the person: an anonymous unlike takes no like back there either.
            models.Index(fields=["event", "created_at", "image", "emotion", "face_user"],
                         name="interaction_recent_likes"),
        ]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.event} #{self.image_id} by {self.face_user_id or 'anonymous'}"


class TrackInteraction(VisitorEvent):
    """One event on one track, with the tracks that were on screen beside it: Interaction's twin for the songs.

    A table of its own (recommender.items.TRACKS names it) rather than a nullable column beside Interaction.image: the
    images' event table, its history index, the co-like fit, the trending aggregate and the exports read image ids
    with no kind to tell apart, and stay as they were measured.
    """

    face_user = models.ForeignKey(
        "gallery.FaceUser", null=True, blank=True, on_delete=models.SET_NULL, related_name="track_interactions",
        db_index=False,
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="interactions")
    impressions = models.ManyToManyField(Track, blank=True, related_name="+")

    class Meta(VisitorEvent.Meta):
        indexes = [
            # What recommender.history reads of a person's latest events, in the index itself (as Interaction's).
            models.Index(fields=["face_user", "-created_at", "-id", "event", "track", "emotion"],
                         name="track_interaction_history"),
        ]
        constraints = [models.UniqueConstraint(fields=["idempotency_key"], name="unique_track_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.event} track #{self.track_id} by {self.face_user_id or 'anonymous'}"


class SegmentStat(models.Model):
    """Impressions and likes of one image among visitors of one segment: the cold-start engine's O(1) counters.

    `segment` is a key such as "*" (everyone), "HAPPY", "HAPPY|Female" or "HAPPY|Female|adult".
    """

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="segment_stats")
    segment = models.CharField(max_length=48)
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    # What the viewers' own tastes predicted of these impressions, summed: the like-probability each visitor's taste
    # added to the segment's rate when the engine served them the image (negative where it took some away). An image
    # shown to the people who love its kind earns likes for being shown to them; its likes less this are its own
    # appeal (recommender.engines.counters.read_segment_counts).
    taste_lift = models.FloatField(default=0.0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "image"], name="unique_segment_image")]

    def __str__(self) -> str:
        return f"{self.segment} #{self.image_id}: {self.likes}/{self.impressions}"


class TrackSegmentStat(models.Model):
    """SegmentStat's twin for tracks: impressions and likes of one track among visitors of one segment."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="segment_stats")
    segment = models.CharField(max_length=48)
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    taste_lift = models.FloatField(default=0.0)  # as SegmentStat's

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "track"], name="unique_segment_track")]

    def __str__(self) -> str:
        return f"{self.segment} track #{self.track_id}: {self.likes}/{self.impressions}"


class OutboxMessage(models.Model):
    """A change that must reach a managed backend (Personalize, Rekognition), delivered by django-q2 with retries.

    Written in the same transaction as the change itself, so an outage of the backend loses nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Gave up"

    capability = models.CharField(max_length=32, help_text="Which backend of EMOTION_GARDEN_BACKENDS receives it.")
    operation = models.CharField(max_length=32)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.capability}.{self.operation} ({self.status})"


class ModelSnapshot(models.Model):
    """A fitted personalisation model: sparse item-item weights over the images known at fit time.

    Refit by a django-q2 schedule and as the likes grow (recommender.training.queue_refit_if_likes_grew); the newest
    snapshot serves, so serving never waits for training and the model survives restarts.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    image_ids = models.BinaryField(help_text="int64 image ids, in the weights' row/column order.")
    weights = models.BinaryField(help_text="The weights as a compressed scipy.sparse npz.")
    users = models.PositiveIntegerField()
    likes = models.PositiveIntegerField()
    fit_seconds = models.FloatField()
    through_event = models.BigIntegerField(default=0, help_text=(
        "The newest event (Interaction id) when the fit read the likes: a refit is queued as the events since grow."))

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"model of {self.created_at:%Y-%m-%d %H:%M} ({self.users} people, {self.likes} likes)"


def visitor_model() -> type[models.Model]:
    """The model of the people interactions belong to (the gallery's FaceUser), reached through the foreign key."""
    return Interaction._meta.get_field("face_user").related_model


class ServedPage(models.Model):
    """One garden answer (or songs answer: `kind`): the items in slot order, for whom, in which mode and mood.

    Its id is the answer's recommendation_id. Every item on it counts as shown to the visitor (the taste model's
    shown-but-not-liked signal) and it is the denominator of the dashboard's like-rates per mode and slot.
    """

    id = models.CharField(primary_key=True, max_length=32)
    face_user = models.ForeignKey("gallery.FaceUser", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    # Which ItemKind the ids name (recommender.items): "image" or "track".
    kind = models.CharField(max_length=16, default="image")
    mode = models.CharField(max_length=16)
    emotion = models.CharField(max_length=16, choices=Emotion.choices, blank=True)
    items = models.CharField(max_length=1100, help_text="Item ids in slot order, comma-separated.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        # A person's pages of one kind, newest first, with what recommender.history reads of them in the index.
        indexes = [models.Index(fields=["face_user", "kind", "-created_at", "items", "emotion"],
                                name="served_page_kind_history")]

    def __str__(self) -> str:
        return f"{self.mode} page {self.id}"

    @property
    def item_ids(self) -> list[int]:
        return [int(item) for item in self.items.split(",") if item]


class ItemContent(models.Model):
    """What a live item shows, computed when it goes live (recommender.items): the taste model's features."""

    kind = models.CharField(max_length=16, default="image")
    item_id = models.BigIntegerField()
    emotion = models.CharField(max_length=16, blank=True)
    theme = models.CharField(max_length=100, blank=True)
    prompt_words = models.TextField(blank=True)
    visual = models.BinaryField(null=True, help_text="float32 visual statistics (recommender.content).")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "item_id"], name="unique_item_content")]

    def __str__(self) -> str:
        return f"content of {self.kind} #{self.item_id}"
