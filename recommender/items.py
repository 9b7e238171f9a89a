"""The kinds of item the engine recommends, their content, and the live catalogue the engine ranks.

Everything that depends on which catalogue model an item lives in is here, in one ItemKind per kind: images and
songs (tracks). The engine itself works on item indices and content rows.

Content is computed when an item goes live (the engine's publish hook) and stored in ItemContent, so ranking never
decodes a file; `manage.py compute_item_content` backfills items approved before it existed.
"""

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.db import models
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from PIL import Image as PillowImage

from curation.models import Image, Track, TrackEmotion
from emotion_garden.vocabulary import Emotion
from recommender.content import VISUAL_DIMS, content_matrix, visual_statistics, words
from recommender.models import Interaction, ItemContent, SegmentStat, TrackInteraction, TrackSegmentStat

logger = logging.getLogger(__name__)

EMOTION_INDEX = {emotion: index for index, emotion in enumerate(Emotion.values)}
# The statistics are about colour and layout, not detail: a thumbnail-sized copy gives the same numbers, faster.
ANALYSED_SIDE = 128
# Pixel statistics (fractions of full scale) this close in every dimension are the same picture: resizing and
# re-encoding move them by well under a hundredth, while two paintings of one prompt differ by several.
NEAR_DUPLICATE = 0.02


@dataclass(frozen=True)
class ItemKind(ABC):
    """One kind of recommendable item: which model holds it and which rows are live, the tables of its events and
    segment counters (each with a foreign key named `field` to the item), and what it shows."""

    name: str
    model: type[models.Model]
    events: type[models.Model]
    counters: type[models.Model]
    field: str
    plural: str  # how reasons name several of them ("images you liked")

    def live(self) -> QuerySet[Any]:
        return self.model.objects.filter(status=self.model.Status.APPROVED)

    def is_live(self, item_id: int) -> bool:
        return self.live().filter(pk=item_id).exists()

    def version(self) -> tuple[object, ...]:
        """Changes with every approval, retirement, rejection of a live item or deletion: one indexed aggregate."""
        live = self.live().aggregate(count=Count("id"), last_approved=Max("approved_at"),
                                     last_reviewed=Max("reviewed_at"), top=Max("id"))
        return tuple(live.values())

    @abstractmethod
    def describe(self, item: Any) -> tuple[str, str, str]:
        """The item's emotion, theme and descriptive text (the words the taste model may learn from)."""

    @abstractmethod
    def rows(self) -> list[tuple[int, str, str, str, datetime | None]]:
        """(id, emotion, theme, text, approved_at) of every live item, by id."""

    def visual(self, item: Any) -> np.ndarray | None:
        """The item's visual statistics, None when it has none to measure."""
        return None


class ImageKind(ItemKind):
    def describe(self, item: Image) -> tuple[str, str, str]:
        return item.emotion, item.theme, item.prompt

    def rows(self) -> list[tuple[int, str, str, str, datetime | None]]:
        return list(self.live().order_by("id").values_list("id", "emotion", "theme", "prompt", "approved_at"))

    def visual(self, item: Image) -> np.ndarray | None:
        """The item's visual statistics from its stored file (the thumbnail when there is one), None if unreadable."""
        stored = item.thumbnail or item.file
        try:
            with stored.open("rb") as file, PillowImage.open(file) as picture:
                picture.draft("RGB", (ANALYSED_SIDE, ANALYSED_SIDE))
                rgb = picture.convert("RGB")
                rgb.thumbnail((ANALYSED_SIDE, ANALYSED_SIDE))
                return visual_statistics(np.asarray(rgb))
        except (OSError, ValueError, PillowImage.DecompressionBombError) as error:
            logger.warning("No visual statistics for %s #%s: %s", self.name, item.pk, error)
            return None


class TrackKind(ItemKind):
    """Songs. A track suits one or several emotions: the first in the vocabulary's order is the emotion the engine
    ranks it by (its mood response and cold start), and all of them are words of its text, with its title and
    artist, so a visitor's taste learns them all. No visual statistics: a cover is drawn from the emotion's colours
    and the same words, so measuring it would count them twice."""

    def describe(self, item: Track) -> tuple[str, str, str]:
        emotions = item.emotions
        return (emotions[0] if emotions else ""), "", _track_text(item.title, item.artist, emotions)

    def rows(self) -> list[tuple[int, str, str, str, datetime | None]]:
        live = self.live()
        tagged: dict[int, set[str]] = {}
        for track_id, emotion in TrackEmotion.objects.filter(track__in=live).values_list("track_id", "emotion"):
            tagged.setdefault(track_id, set()).add(emotion)
        rows = []
        for track_id, title, artist, approved_at in live.order_by("id").values_list("id", "title", "artist",
                                                                                     "approved_at"):
            emotions = [emotion for emotion in Emotion.values if emotion in tagged.get(track_id, ())]
            rows.append((track_id, emotions[0] if emotions else "", "", _track_text(title, artist, emotions),
                         approved_at))
        return rows


def _track_text(title: str, artist: str, emotions: list[str]) -> str:
    return " ".join([title, artist, *(emotion.lower() for emotion in emotions)])


IMAGES = ImageKind("image", model=Image, events=Interaction, counters=SegmentStat, field="image",
                   plural="images")
TRACKS = TrackKind("track", model=Track, events=TrackInteraction, counters=TrackSegmentStat, field="track",
                   plural="songs")
KINDS = {kind.name: kind for kind in (IMAGES, TRACKS)}


def store_item_content(item: Any, *, kind: ItemKind = IMAGES) -> ItemContent:
    """Compute and store what the item shows (emotion, theme, prompt words, pixel statistics)."""
    visual = kind.visual(item)
    emotion, theme, text = kind.describe(item)
    content, _ = ItemContent.objects.update_or_create(
        kind=kind.name, item_id=item.pk,
        defaults={"emotion": emotion, "theme": theme, "prompt_words": " ".join(words(text)),
                  "visual": visual.astype(np.float32).tobytes() if visual is not None else None},
    )
    return content


def backfill_item_content(*, kind: ItemKind = IMAGES, recompute: bool = False) -> int:
    """Store the content of live items that have none (every live item with recompute); returns how many."""
    items = kind.live().order_by("id")
    if not recompute:
        known = ItemContent.objects.filter(kind=kind.name).values("item_id")
        items = items.exclude(pk__in=known)
    stored = 0
    for item in items.iterator(chunk_size=500):
        store_item_content(item, kind=kind)
        stored += 1
    return stored


@dataclass(frozen=True)
class Catalogue:
    """The live items of one kind as the engine ranks them: sorted ids and, per item, its emotion index, content
    row, theme words and go-live time."""

    version: tuple[object, ...]
    ids: np.ndarray
    emotions: np.ndarray
    content: np.ndarray
    theme_words: list[frozenset[str]]
    distinct_themes: tuple[str, ...]
    theme_of: np.ndarray  # each item's theme, as a position in distinct_themes
    live_since: np.ndarray  # epoch seconds
    visuals: np.ndarray  # the raw visual statistics (NaN rows for items not measured yet)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def positions(self, item_ids: Iterable[int]) -> np.ndarray:
        """Indices of the given ids that are in the catalogue."""
        wanted = np.fromiter(item_ids, dtype=np.int64)
        found = np.searchsorted(self.ids, wanted).clip(max=max(self.size - 1, 0))
        return found[(self.size > 0) & (self.ids[found] == wanted)] if self.size else np.zeros(0, dtype=np.intp)

    def near_duplicates(self, positions: np.ndarray) -> np.ndarray:
        """Items that are the same picture as one at `positions` (another size or a re-upload)."""
        found = np.zeros(self.size, dtype=bool)
        for position in positions.tolist():
            found |= self.same_picture(emotion=int(self.emotions[position]), theme_at=int(self.theme_of[position]),
                                       visual=self.visuals[position])
        return found

    def same_picture(self, *, emotion: int, theme_at: int, visual: np.ndarray) -> np.ndarray:
        """Items of this emotion and theme (its position in distinct_themes) whose pixel statistics are within
        NEAR_DUPLICATE of `visual` (an item in the catalogue or not). An unmeasured picture has no duplicates."""
        if np.isnan(visual).any():
            return np.zeros(self.size, dtype=bool)
        alike = (self.emotions == emotion) & (self.theme_of == theme_at)
        return alike & (np.abs(self.visuals - visual).max(axis=1) <= NEAR_DUPLICATE)

    def hidden_by(self, not_interested: Collection[int], *, kind: "ItemKind") -> np.ndarray:
        """The items a visitor who said they are not interested in these is not shown: those and the same pictures,
        also of one that has left the catalogue since (its copies stayed hidden only while it was live)."""
        hidden = np.zeros(self.size, dtype=bool)
        positions = self.positions(not_interested)
        hidden[positions] = True
        hidden |= self.near_duplicates(positions)
        gone = set(not_interested) - set(self.ids[positions].tolist())
        for emotion, theme, visual in gone_pictures(kind, gone) if gone else ():
            if theme in self.distinct_themes:  # else no live image shares its theme
                hidden |= self.same_picture(emotion=EMOTION_INDEX.get(emotion, 0),
                                            theme_at=self.distinct_themes.index(theme), visual=visual)
        return hidden

    def theme_mask(self, in_theme: Callable[[str], bool]) -> np.ndarray:
        """Items whose theme passes `in_theme` (Context.in_theme), judged once per distinct theme."""
        return np.array([in_theme(theme) for theme in self.distinct_themes], dtype=bool)[self.theme_of]


def gone_pictures(kind: ItemKind, item_ids: Collection[int]) -> list[tuple[str, str, np.ndarray]]:
    """(emotion, theme, visual statistics) of the measured items among item_ids, live or not."""
    visuals = dict(ItemContent.objects.filter(kind=kind.name, item_id__in=item_ids, visual__isnull=False)
                   .values_list("item_id", "visual"))
    if not visuals:  # songs have no pictures
        return []
    pictures = kind.model.objects.filter(pk__in=visuals).values_list("id", "emotion", "theme")
    return [(emotion, theme, np.frombuffer(bytes(visuals[item_id]), dtype=np.float32))
            for item_id, emotion, theme in pictures]


def load_catalogue(*, kind: ItemKind = IMAGES, version: tuple[object, ...] = ()) -> Catalogue:
    """Read the live items and their stored content; an item without content yet counts with what its row says
    (its pixels are measured at the next backfill)."""
    rows = kind.rows()
    stored = {
        item_id: (prompt_words, visual)
        for item_id, prompt_words, visual in ItemContent.objects.filter(kind=kind.name).values_list(
            "item_id", "prompt_words", "visual")
    }
    now = timezone.now()
    visuals = np.full((len(rows), VISUAL_DIMS), np.nan, dtype=np.float32)
    prompts = []
    for position, (item_id, _, _, prompt, _) in enumerate(rows):
        prompt_words, visual = stored.get(item_id, (None, None))
        prompts.append(prompt_words if prompt_words is not None else prompt)
        if visual:
            visuals[position] = np.frombuffer(bytes(visual), dtype=np.float32)
    emotions = np.array([EMOTION_INDEX.get(emotion, 0) for _, emotion, _, _, _ in rows], dtype=np.intp)
    themes = [theme for _, _, theme, _, _ in rows]
    distinct, theme_of = np.unique(np.array(themes, dtype=str), return_inverse=True)
    return Catalogue(
        version=version,
        ids=np.array([row[0] for row in rows], dtype=np.int64),
        emotions=emotions,
        content=content_matrix(emotions, themes, prompts, visuals),
        theme_words=[frozenset(words(theme)) for theme in themes],
        distinct_themes=tuple(distinct.tolist()),
        theme_of=theme_of.reshape(-1),
        live_since=np.array([(moment or now).timestamp() for *_, moment in rows], dtype=float),
        visuals=visuals,
    )
