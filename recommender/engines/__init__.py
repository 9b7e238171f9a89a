"""Recommendation engines behind one interface; settings.EMOTION_GARDEN_BACKENDS["recommender"] picks one."""

from emotion_garden.backends import get_backend
from recommender.engines.base import RecommenderEngine

# The capability that recommends each kind of item (recommender.items.KINDS): the songs have an engine of their own,
# the local one over tracks, whichever engine serves the images.
CAPABILITIES = {"image": "recommender", "track": "song_recommender"}


def recommender_engine(kind: str = "image") -> RecommenderEngine:
    return get_backend(CAPABILITIES[kind], RecommenderEngine)
