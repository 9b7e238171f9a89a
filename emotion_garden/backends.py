"""The cached loader behind every pluggable capability (face analysis, face identity, recommender, generation).

settings.EMOTION_GARDEN_BACKENDS maps a capability to {"BACKEND": dotted path, "OPTIONS": keyword arguments},
like STORAGES. A backend is built once per process (models load once) and rebuilt when a test overrides the
setting. A system check (`check_backends`) imports every configured class and binds its OPTIONS at start-up, without
building it, so a misspelt path or option stops `manage.py serve` instead of failing the requests that need it.
"""

import functools
import inspect
from typing import Any, TypeVar

from django.conf import settings
from django.core.checks import CheckMessage, Error
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


def check_backends(**kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for capability, config in settings.EMOTION_GARDEN_BACKENDS.items():
        where = f"EMOTION_GARDEN_BACKENDS[{capability!r}]"
        try:
            backend_class = import_string(config["BACKEND"])
        except ImportError as error:
            errors.append(Error(f"{where}: {error}", hint="Check the *_BACKEND environment variable that names it.",
                                id="emotion_garden.E001"))
            continue
        try:
            inspect.signature(backend_class).bind(**config.get("OPTIONS", {}))
        except TypeError as error:
            errors.append(Error(f"{where}: {config['BACKEND']} does not take its OPTIONS: {error}.",
                                id="emotion_garden.E002"))
    return errors
