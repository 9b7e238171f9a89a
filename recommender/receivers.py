"""The recommender's answers to the catalogue's signals: an approved image or track becomes recommendable, a
withdrawn one never appears again, a corrected image is recomputed. Connected in RecommenderConfig.ready()."""

from typing import Any

from django.dispatch import receiver

from curation.models import Image, Track
from curation.signals import image_corrected, image_published, image_withdrawn, track_published, track_withdrawn
from recommender.engines import recommender_engine
from recommender.items import TRACKS


@receiver(image_published, sender=Image)
def publish_image(*, image: Image, **kwargs: Any) -> None:
    recommender_engine().publish_item(image)


@receiver(image_corrected, sender=Image)
def republish_image(*, image: Image, **kwargs: Any) -> None:
    """Publishing again is how every engine updates an item: the local one recomputes its ItemContent and reads the
    catalogue afresh, a managed one gets the item's new metadata."""
    recommender_engine().publish_item(image)


@receiver(image_withdrawn, sender=Image)
def withdraw_image(*, image: Image, **kwargs: Any) -> None:
    recommender_engine().retire_item(image)


@receiver(track_published, sender=Track)
def publish_track(*, track: Track, **kwargs: Any) -> None:
    recommender_engine(TRACKS.name).publish_item(track)


@receiver(track_withdrawn, sender=Track)
def withdraw_track(*, track: Track, **kwargs: Any) -> None:
    recommender_engine(TRACKS.name).retire_item(track)
