"""The recommender's answers to the catalogue's signals: an approved image becomes recommendable, a withdrawn one
never appears again. Connected in RecommenderConfig.ready()."""

from typing import Any

from django.dispatch import receiver

from curation.models import Image
from curation.signals import image_published, image_withdrawn
from recommender.engines import recommender_engine


@receiver(image_published, sender=Image)
def publish_image(*, image: Image, **kwargs: Any) -> None:
    recommender_engine().publish_item(image)


@receiver(image_withdrawn, sender=Image)
def withdraw_image(*, image: Image, **kwargs: Any) -> None:
    recommender_engine().retire_item(image)
