"""The cached loader behind every pluggable capability (face analysis, face identity, recommender, generation).

settings.EMOTION_GARDEN_BACKENDS maps a capability to {"BACKEND": dotted path, "OPTIONS": keyword arguments},
like STORAGES. A backend is built once per process (models load once) and rebuilt when a test overrides the
setting.
"""

import functools
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

BackendT = TypeVar("BackendT")


@functools.cache
def _build(capability: str) -> Any:
    try:
        config = settings.EMOTION_GARDEN_BACKENDS[capability]
    except KeyError:
        raise ImproperlyConfigured(f"EMOTION_GARDEN_BACKENDS has no {capability!r} entry.") from None
    backend_class = import_string(config["BACKEND"])
    return backend_class(**config.get("OPTIONS", {}))


def get_backend(capability: str, interface: type[BackendT]) -> BackendT:
    """The configured backend for `capability`, checked against the interface it must implement."""
    backend = _build(capability)
    if not isinstance(backend, interface):
        raise ImproperlyConfigured(
            f"{type(backend).__qualname__} (EMOTION_GARDEN_BACKENDS[{capability!r}]) "
            f"does not implement {interface.__qualname__}."
        )
    return backend


@receiver(setting_changed)
def _forget_backends(*, setting: str, **kwargs: Any) -> None:
    if setting == "EMOTION_GARDEN_BACKENDS":
        _build.cache_clear()
