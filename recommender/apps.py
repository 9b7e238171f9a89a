from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = _("Recommender")

    def ready(self) -> None:
        from recommender import receivers  # noqa: F401  (connects the catalogue's signals)
