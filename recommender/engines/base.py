"""The one interface every recommendation engine implements, local or managed (Amazon Personalize)."""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from curation.models import Image
from emotion_garden.themes import ThemeMatch, parsed_theme
from recommender.history import visitor_events
from recommender.models import Interaction


class RecommenderUnavailable(Exception):
    """A remote engine could not answer (outage, throttling, missing campaign); worth a 503."""


class NotSupported(RecommenderUnavailable):
    """The configured engine offers no such answer (e.g. Personalize without a campaign of the needed recipe)."""


@dataclass(frozen=True)
class Visitor:
    """A person the recommender knows by id (the gallery's face user), with the segment they belong to."""

    id: uuid.UUID
    gender: str = ""
    age_band: str = ""


@dataclass(frozen=True)
class Context:
    """What is known about the visitor right now: the emotion just read, and their gender and age band if known.

    `theme` (emotion_garden.themes, e.g. "spring,cloudy,day"; "" for any) narrows the candidates to the images whose
    theme matches it as `theme_match` says: every engine recommends only images for which in_theme() is true.
    `strict_emotion`: only images of the emotion (mode=emotion and the original clients); otherwise the emotion is a
    prior that the visitor's and their segment's mood response may override.
    """

    emotion: str
    gender: str = ""
    age_band: str = ""
    theme: str = ""
    theme_match: ThemeMatch = ThemeMatch.ANY
    strict_emotion: bool = False

    def in_theme(self, image_theme: str) -> bool:
        """Whether an image with this theme may be recommended in this context."""
        return not self.theme or parsed_theme(self.theme).matches(parsed_theme(image_theme), self.theme_match)


class ReasonCode(StrEnum):
    """Why an image was picked, stable for clients that word it themselves (in the visitor's language)."""

    BECAUSE_YOU_LIKED = "because_you_liked"
    POPULAR_WITH_MOOD = "popular_with_mood"
    POPULAR_WITH_EVERYONE = "popular_with_everyone"
    MATCHES_MOOD = "matches_mood"
    NEW = "new"
    RARELY_SHOWN = "rarely_shown"
    IN_GALLERY = "in_gallery"
    PROMOTED = "promoted"
    RECOMMENDED = "recommended"
    MATCHES_TASTE = "matches_taste"
    FOR_YOUR_MOOD = "for_your_mood"
    TRENDING = "trending"
    SIMILAR = "similar"


@dataclass(frozen=True)
class Recommendation:
    image_id: int
    score: float
    reason: str  # why this image was picked, in English words
    reason_code: ReasonCode
    # The like-probability the visitor's own taste added to the image's rate in their segment: handed back with the
    # served page (record_served), so the segment's counters do not credit the image with what the taste foresaw.
    taste_lift: float = 0.0


class RecommenderEngine(ABC):
    @abstractmethod
    def recommend(
        self, *, face_user_id: uuid.UUID | None, context: Context, n: int, exclude: Collection[int] = ()
    ) -> list[Recommendation]:
        """Up to n approved images, best first, never one in `exclude` unless nothing else is left."""

    @abstractmethod
    def record_interaction(self, interaction: Interaction) -> None:
        """Learn from a like, unlike or view (with its impressions). Called inside the transaction that stored it."""

    @abstractmethod
    def publish_item(self, image: Image) -> None:
        """Make an approved image recommendable."""

    @abstractmethod
    def retire_item(self, image: Image) -> None:
        """Never recommend this image again."""

    @abstractmethod
    def upsert_user(self, visitor: Visitor) -> None:
        """Tell the engine about a (new or changed) visitor."""

    @abstractmethod
    def forget_user(self, face_user_id: uuid.UUID) -> None:
        """Erase what the engine keeps about a face user who asked to be forgotten."""

    def record_served(self, *, context: Context, image_ids: list[int],  # noqa: B027 - optional hook
                      taste_lifts: Sequence[float] = ()) -> None:
        """Learn that a garden showed these images (with each one's Recommendation.taste_lift, or none), once its
        answer is stored (in the caller's transaction if there is one); engines that learn impressions from events
        alone ignore it."""

    def trending(self, *, context: Context, n: int, exclude: Collection[int] = ()) -> list[Recommendation]:
        """Up to n images liked most in a recent window by visitors of the context's emotion (smoothed)."""
        raise NotSupported(f"{type(self).__name__} has no trending answer.")

    def similar(self, *, image_id: int, n: int, face_user_id: uuid.UUID | None = None) -> list[Recommendation]:
        """Up to n live images like `image_id` (content and co-likes), with reasons; hidden ones of the visitor
        left out."""
        raise NotSupported(f"{type(self).__name__} has no similar-items answer.")

    def hidden_items(self, *, face_user_id: uuid.UUID) -> set[int]:
        """The images this visitor is not shown in any mode: those they said they are not interested in (an engine
        that knows near-duplicates adds those)."""
        return set(visitor_events(face_user_id).not_interested)
