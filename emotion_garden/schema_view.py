"""GET /api/schema, one build at a time, and its errors in the API's JSON error format.

drf-spectacular loads its extensions into class attributes while it builds the schema, and concurrent first builds
race on them: of 6 requests arriving together at a fresh process, 4 or 5 answered 500 (AttributeError), which a
cold start under a load balancer's or a client generator's probes meets. Builds after the first are quick, so a lock
costs nothing worth measuring.
"""

import threading
from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    _building = threading.Lock()

    @extend_schema(exclude=True)  # as the parent's: the schema does not describe itself
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with self._building:
            return super().get(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        # The schema is a YAML or JSON document; its errors (405, 406, an unknown ?format=) were YAML too.
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response
