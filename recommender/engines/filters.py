"""Our own filters over a remote engine's answer: what its filters may lack, or not have refreshed yet."""

import uuid

from curation.models import Image
from recommender.engines.base import Context, Recommendation
from recommender.models import Interaction


def allowed_recommendations(ranked: list[Recommendation], *, context: Context,
                            face_user_id: uuid.UUID | None) -> list[Recommendation]:
    """The ranked items still live, of the context's theme (and emotion when strict), that the visitor has not said
    they are not interested in: the filters Personalize may not have (or not have refreshed yet)."""
    images = Image.objects.filter(pk__in=[item.image_id for item in ranked], status=Image.Status.APPROVED)
    if context.strict_emotion and context.emotion:
        images = images.filter(emotion=context.emotion)
    allowed = set(images.values_list("pk", flat=True))
    if context.theme:
        allowed = {pk for pk, theme in Image.objects.filter(pk__in=allowed).values_list("pk", "theme")
                   if context.in_theme(theme)}
    if face_user_id is not None:
        allowed -= set(Interaction.objects.filter(face_user_id=face_user_id, image_id__in=allowed,
                                                  event=Interaction.Event.NOT_INTERESTED)
                       .values_list("image_id", flat=True))
    return [item for item in ranked if item.image_id in allowed]
