"""Recommendation engines behind one interface; settings.EMOTION_GARDEN_BACKENDS["recommender"] picks one."""

from emotion_garden.backends import get_backend
from recommender.engines.base import RecommenderEngine


def recommender_engine() -> RecommenderEngine:
    return get_backend("recommender", RecommenderEngine)
