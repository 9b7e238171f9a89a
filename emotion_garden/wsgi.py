"""WSGI entry point (gunicorn emotion_garden.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotion_garden.settings")

application = get_wsgi_application()
