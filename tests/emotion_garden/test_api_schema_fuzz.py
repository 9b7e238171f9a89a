"""Schemathesis sends generated requests, valid and invalid, to every /api/v1 operation of the schema the app itself
serves (in-process, through WSGI). No answer may be a 5xx, and every answer must match the schema: its status
code, content type, headers and body (errors included, in the one error format).

Hypothesis is derandomized, so CI sends the same requests on every run; a failure prints a curl line to replay.
"""

import hashlib
import uuid

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gallery.models import PersonCredential
from recommender.models import Interaction
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, ApprovedTrackFactory, FaceUserFactory

# A fixed id, so that generated requests about a face user can be pointed at one who exists, with their credential.
KNOWN_FACE_USER = uuid.UUID("6f0c3f9e-4a55-4d2e-9a43-1c1d4c0f7a21")
KNOWN_TOKEN = "egp_schema-fuzz-known-person"

# Loaded at collection (generating the schema needs no database); schemathesis' fixture-based loader does not work
# with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application()).include(path_regex=r"^/api/v1/")


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """A few gallery images and songs and a face user with a like, so that generated ids sometimes exist.

    Transactional: the requests go through the real WSGI handler, which ends each request by closing a connection
    left inside a transaction, as the test database's outer transaction would be; and every view then runs with
    its own transactions, as in production.
    """
    images = [ApprovedImageFactory(emotion=emotion) for emotion in ("HAPPY", "HAPPY", "SAD", "CALM", "FEAR")]
    ApprovedTrackFactory.create_batch(3, emotions=["SAD", "CALM"])
    person = FaceUserFactory(id=KNOWN_FACE_USER)
    PersonCredential.objects.create(face_user=person, token_hash=hashlib.sha256(KNOWN_TOKEN.encode()).hexdigest())
    record_interaction(event=Interaction.Event.LIKE, image_id=images[0].pk, visitor=person.as_visitor(),
                       impression_ids=[image.pk for image in images[:3]], emotion="HAPPY")


@schema.parametrize()
@settings(max_examples=50, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error(seeded: None, case: Case) -> None:
    face_user_id = (case.path_parameters or {}).get("face_user_id")
    if isinstance(face_user_id, str) and len(face_user_id) % 2:  # about half the cases: a face user who exists
        case.path_parameters["face_user_id"] = str(KNOWN_FACE_USER)
        case.headers = {**(case.headers or {}), "X-Person-Token": KNOWN_TOKEN}  # and their own credential
    case.call_and_validate(checks=[not_a_server_error, content_type_conformance, response_schema_conformance,
                                   response_headers_conformance, status_code_conformance])
