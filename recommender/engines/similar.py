"""More like this: the live images nearest to one image by content (theme, prompt, emotion, pixels) and co-likes
(EASE weights), each with the reason that weighs most."""

import numpy as np

from emotion_garden.vocabulary import Emotion
from recommender.engines.base import ReasonCode, Recommendation
from recommender.items import Catalogue
from recommender.taste import colike_relevance
from recommender.training import PersonalModel

# A co-like link with the evidence to count fully (recommender.taste.colike_relevance: a chance co-like of a young
# gallery counts little) weighs as much as this share of perfect content similarity.
COLIKE_WEIGHT = 0.5


def similar_items(catalogue: Catalogue, *, image_id: int, n: int, model: PersonalModel | None,
                  hidden: np.ndarray) -> list[Recommendation]:
    """Up to n live images like image_id, best first, never image_id itself nor hidden ones; none while the catalogue
    this process holds does not know image_id yet (approved a moment ago by another process)."""
    found = catalogue.positions([image_id])
    if found.size == 0:
        return []
    item = int(found[0])
    rows = catalogue.content / np.maximum(np.linalg.norm(catalogue.content, axis=1, keepdims=True), 1e-9)
    content = rows @ rows[item]
    colike = np.zeros(catalogue.size)
    if model is not None and image_id in model.index_of:
        weights = model.weights[[model.index_of[image_id]]].toarray().ravel()
        positions = catalogue.positions(model.image_ids.tolist())
        known = np.isin(model.image_ids, catalogue.ids)
        colike[positions] = colike_relevance(weights[known])
    scores = content + COLIKE_WEIGHT * colike
    scores[item] = -np.inf
    candidates = np.flatnonzero(~hidden & np.isfinite(scores))
    picked = candidates[np.argsort(-scores[candidates], kind="stable")[:n]]
    return [Recommendation(image_id=int(catalogue.ids[other]), score=round(float(scores[other]), 6),
                           reason=text, reason_code=ReasonCode.SIMILAR)
            for other in picked.tolist()
            for text in [_reason(catalogue, item, other, colike[other] * COLIKE_WEIGHT, content[other])]]


def _reason(catalogue: Catalogue, item: int, other: int, colike: float, content: float) -> str:
    if colike > content / 2:
        return "liked by the same visitors"
    shared = sorted(catalogue.theme_words[item] & catalogue.theme_words[other])
    if shared:
        return f"also {', '.join(shared)}"
    if catalogue.emotions[item] == catalogue.emotions[other]:
        return f"also {str(Emotion(Emotion.values[int(catalogue.emotions[other])]).label).lower()}"
    return "similar colours and composition"
