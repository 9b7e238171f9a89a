"""People known by their face. Biometric data lives only in FaceEmbedding (vectors in our database) and in remote
collections (the faces CollectionFace names), so it can be purged alone."""

import uuid
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import models

from curation.songs.names import KEY_MAX, match_key
from emotion_garden.vocabulary import AgeBand, Gender
from gallery.rates import validate_rate
from recommender.engines.base import Visitor


class FaceUser(models.Model):
    """A visitor the site can recognise. Exists only with the visitor's consent to keep their face."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gender = models.CharField(max_length=8, choices=Gender.choices, blank=True)
    age_low = models.PositiveSmallIntegerField(null=True, blank=True)
    age_high = models.PositiveSmallIntegerField(null=True, blank=True)
    consented_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return str(self.id)

    def clean(self) -> None:
        if self.age_low is not None and self.age_high is not None and self.age_low > self.age_high:
            raise ValidationError({"age_high": "The age range must not end before it starts."})

    @property
    def age_band(self) -> str:
        if self.age_low is None or self.age_high is None:
            return ""
        return AgeBand.for_age_range(self.age_low, self.age_high)

    def as_visitor(self) -> Visitor:
        """What the recommender knows of this person: their id and the segment they belong to."""
        return Visitor(id=self.pk, gender=self.gender, age_band=self.age_band)


class FaceEmbedding(models.Model):
    """One face vector of a FaceUser (L2-normalised float32), from the identity backend named in `model`."""

    face_user = models.ForeignKey(FaceUser, on_delete=models.CASCADE, related_name="embeddings")
    model = models.CharField(max_length=64)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["model"])]

    def __str__(self) -> str:
        return f"{self.model} face of {self.face_user_id}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class CollectionFace(models.Model):
    """A face of a FaceUser held in a remote collection (Amazon Rekognition). The vector stays there; its id is kept
    here so that forgetting the person deletes exactly their faces, and so their data export can say what is held."""

    face_user = models.ForeignKey(FaceUser, on_delete=models.CASCADE, related_name="collection_faces")
    collection_id = models.CharField(max_length=255)
    face_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collection_id", "face_id"], name="unique_collection_face")]

    def __str__(self) -> str:
        return f"face {self.face_id} of {self.face_user_id} in {self.collection_id}"


class PersonCredential(models.Model):
    """A device's secret for one face user, issued when they enrol or are recognised with consent. Whoever presents
    it may read, export and forget that person and act for them (personal picks, likes); the face user's id alone
    opens nothing. Only a SHA-256 hash is kept (the token is 256 random bits, so a fast hash is safe, as for API
    keys). Revoking deletes the row, and forgetting the person deletes all of theirs with them."""

    face_user = models.ForeignKey(FaceUser, on_delete=models.CASCADE, related_name="credentials")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"credential of {self.face_user_id} from {self.created_at:%Y-%m-%d %H:%M}"


class ReferencePerson(models.Model):
    """Someone visitors can be compared with ("who do I look like?"), curated in the admin."""

    name = models.CharField(max_length=200)
    # What makes two spellings one person (case, width and spacing aside): set from the name on every save, so that
    # no path into the table can add "scott wolf" beside "Scott Wolf"; an archive's photos are matched by it too.
    name_key = models.CharField(max_length=KEY_MAX, editable=False)
    info_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name_key"], name="unique_reference_person_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = match_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)


class ReferencePhoto(models.Model):
    """A photo of a reference person, with its largest face enrolled in the look-alike's index (`model`): the
    embedding itself where our database holds it (`vector`), or the face's id in a remote collection (`face_id`)."""

    person = models.ForeignKey(ReferencePerson, on_delete=models.CASCADE, related_name="photos")
    photo = models.ImageField(upload_to="references/")
    model = models.CharField(max_length=300, editable=False)
    vector = models.BinaryField(editable=False, default=b"")
    face_id = models.CharField(max_length=64, editable=False, blank=True)
    # Of the file as it was uploaded: the same photo is not enrolled twice.
    sha256 = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"photo of {self.person}"

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)


class ApiScope(models.TextChoices):
    """What an API key may do; each /api/v1 view declares the one it needs."""

    FACES = "faces", "faces: read emotions, compare faces, find look-alikes"
    GARDEN = "garden", "garden: get image picks"
    LIKES = "likes", "likes: record likes and unlikes"
    USERS = "users", "users: read, export or forget any face user, and act for them (an operator's scope)"
    CURATION = "curation", "curation: change the catalogue and start generation through the original endpoints"


def validate_scopes(scopes: Any) -> None:
    if not isinstance(scopes, list) or not set(scopes) <= set(ApiScope.values):
        raise ValidationError(f"Scopes must be a list drawn from {', '.join(ApiScope.values)}.")


class ApiKey(models.Model):
    """A key for a mobile or third-party client. Only a SHA-256 hash of the key is kept: the raw key is shown once.

    Keys are 256-bit random strings, so a fast unsalted hash is safe (nothing to brute-force) and keeps every
    authenticated request cheap; a password hash (PBKDF2) would cost ~100 ms per request.
    """

    name = models.CharField(max_length=100, help_text="Who uses the key, e.g. 'iOS app' or 'Museum kiosk'.")
    # The key's first characters after "eg_": not secret, so admins and logs can tell keys apart.
    prefix = models.CharField(max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, validators=[validate_scopes], help_text="What the key may do.")
    rate = models.CharField(
        max_length=20, blank=True, validators=[validate_rate],
        help_text="Requests allowed, e.g. '600/min' or 'none'; blank: the API_KEY_RATE setting.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} (eg_{self.prefix}…)"
