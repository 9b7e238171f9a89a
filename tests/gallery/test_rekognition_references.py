"""The look-alike on Amazon Rekognition, against botocore's Stubber: reference photos are indexed into a collection of
their own and searched there, never in the visitors' collection (whose stub answers nothing: any call to it fails)."""

import io
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from gallery.faces.base import FaceServiceUnavailable
from gallery.models import ReferencePerson, ReferencePhoto
from gallery.references import add_reference_photo, import_reference_archive
from gallery.services import NoFaceFound
from recommender.models import OutboxMessage
from recommender.outbox import deliver_due
from tests.aws import aws_client
from tests.conftest import encode

pytestmark = pytest.mark.django_db

REFERENCES = "garden-test-references"
INDEX = f"rekognition:{REFERENCES}"
BOX = {"Width": 0.4, "Height": 0.5, "Left": 0.3, "Top": 0.2}


@pytest.fixture
def references(no_real_aws: None, settings: Settings, rekognition_identity: Stubber) -> Iterator[Stubber]:
    """The look-alike served by a Rekognition collection (REFERENCES), beside visitors in another one
    (rekognition_identity, which is given no answers)."""
    client = aws_client("rekognition")
    settings.EMOTION_GARDEN_BACKENDS = {**settings.EMOTION_GARDEN_BACKENDS, "face_reference": {
        "BACKEND": "gallery.faces.rekognition_references.RekognitionReferenceFaces",
        "OPTIONS": {"client": client, "collection_id": REFERENCES},
    }}
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def face_id(number: int) -> str:
    return str(uuid.UUID(int=number))


def indexed(stub: Stubber, number: int) -> None:
    stub.add_response(
        "index_faces",
        {"FaceRecords": [{"Face": {"FaceId": face_id(number), "BoundingBox": BOX, "ImageId": face_id(1000 + number),
                                   "Confidence": 99.9}, "FaceDetail": {"BoundingBox": BOX}}],
         "FaceModelVersion": "7.0", "UnindexedFaces": []},
        {"CollectionId": REFERENCES, "Image": {"Bytes": ANY}, "MaxFaces": 1, "QualityFilter": "AUTO"},
    )


def person_with_photos(stub: Stubber, name: str, *numbers: int) -> ReferencePerson:
    person = ReferencePerson.objects.create(name=name)
    for number in numbers:
        indexed(stub, number)
        # Distinct bytes per photo, or the second would be refused as already in the collection.
        add_reference_photo(person=person, photo=encode(Image.new("RGB", (64, 64), (number, 90, 40)), "PNG"))
    return person


def matches(*found: tuple[int, float]) -> dict[str, Any]:
    return {"FaceMatches": [{"Similarity": similarity, "Face": {"FaceId": face_id(number), "BoundingBox": BOX,
                                                                "ImageId": face_id(1000 + number), "Confidence": 99.9}}
                            for number, similarity in found],
            "SearchedFaceBoundingBox": BOX, "SearchedFaceConfidence": 99.9, "FaceModelVersion": "7.0"}


def searched(stub: Stubber, response: dict[str, Any], *, max_faces: int) -> None:
    stub.add_response("search_faces_by_image", response, {
        "CollectionId": REFERENCES, "Image": {"Bytes": ANY}, "MaxFaces": max_faces, "FaceMatchThreshold": 0})


def test_reference_photos_are_indexed_into_the_reference_collection(references: Stubber) -> None:
    person = person_with_photos(references, "Eileen Collins", 1)
    photo = ReferencePhoto.objects.get()
    assert (photo.person, photo.model, photo.face_id, bytes(photo.vector)) == (person, INDEX, face_id(1), b"")


def test_the_reference_collection_is_created_on_first_use(references: Stubber) -> None:
    references.add_client_error("index_faces", service_error_code="ResourceNotFoundException",
                                expected_params={"CollectionId": REFERENCES, "Image": {"Bytes": ANY},
                                                 "MaxFaces": 1, "QualityFilter": "AUTO"})
    references.add_response("create_collection", {"StatusCode": 200}, {"CollectionId": REFERENCES})
    person_with_photos(references, "Eileen Collins", 1)
    assert ReferencePhoto.objects.get().face_id == face_id(1)


def test_a_photo_rekognition_will_not_index_is_refused_whole(references: Stubber, settings: Settings,
                                                              tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    references.add_response("index_faces", {"FaceRecords": [], "UnindexedFaces": [
        {"Reasons": ["LOW_SHARPNESS"], "FaceDetail": {"BoundingBox": BOX}}]})
    with pytest.raises(NoFaceFound):
        add_reference_photo(person=ReferencePerson.objects.create(name="Blurred"),
                            photo=encode(Image.new("RGB", (64, 64)), "PNG"))
    assert not ReferencePhoto.objects.exists() and not list(tmp_path.rglob("*.jpeg"))


def test_the_three_closest_people_come_from_the_reference_collection(references: Stubber, api_client: APIClient,
                                                                     astronaut_png: bytes) -> None:
    eileen = person_with_photos(references, "Eileen Collins", 1)
    grace = person_with_photos(references, "Grace Hopper", 2)
    cameraman = person_with_photos(references, "The cameraman", 3)
    # One photo each: MaxFaces 3. A face indexed for a photo that was never saved (number 9) is skipped.
    searched(references, matches((1, 99.1), (9, 70.0), (2, 61.5), (3, 12.0)), max_faces=3)
    response = api_client.post("/api/v1/lookalike", astronaut_png, content_type="image/png")
    assert response.status_code == 200
    body = response.json()
    assert [(match["person"]["id"], match["similarity"], match["band"]) for match in body["matches"]] == [
        (eileen.pk, 99.1, "same_person"), (grace.pk, 61.5, "strong_resemblance"),
        (cameraman.pk, 12.0, "faint_resemblance")]
    assert body["person"]["name"] == "Eileen Collins"


def test_enough_faces_are_asked_for_to_name_three_people(references: Stubber, api_client: APIClient,
                                                         astronaut_png: bytes) -> None:
    eileen = person_with_photos(references, "Eileen Collins", 1, 2)
    grace = person_with_photos(references, "Grace Hopper", 3)
    person_with_photos(references, "The cameraman", 4)
    # Two photos of one person could fill two places: (3 - 1) x 2 + 1 = 5 faces hold three people whatever happens.
    searched(references, matches((2, 95.0), (1, 91.0), (3, 40.0)), max_faces=5)
    body = api_client.post("/api/v1/lookalike", astronaut_png, content_type="image/png").json()
    assert [match["person"]["id"] for match in body["matches"]] == [eileen.pk, grace.pk]
    assert body["matches"][0]["photo_url"].endswith(ReferencePhoto.objects.get(face_id=face_id(2)).photo.url)


def test_no_face_for_rekognition_is_a_422(references: Stubber, api_client: APIClient, astronaut_png: bytes) -> None:
    person_with_photos(references, "Eileen Collins", 1)
    references.add_client_error("search_faces_by_image", service_error_code="InvalidParameterException",
                                service_message="There are no faces in the image. Should be at least 1.")
    response = api_client.post("/api/v1/lookalike", astronaut_png, content_type="image/png")
    assert response.status_code == 422 and response.json()["error"]["code"] == "no_face"


def test_an_outage_is_a_503(references: Stubber, api_client: APIClient, astronaut_png: bytes) -> None:
    references.add_client_error("search_faces_by_image", service_error_code="ThrottlingException",
                                http_status_code=400)
    response = api_client.post("/api/v1/lookalike", astronaut_png, content_type="image/png")
    assert response.status_code == 503 and response.json()["error"]["code"] == "face_service_unavailable"


def test_deleting_a_person_deletes_their_faces_from_the_reference_collection(references: Stubber) -> None:
    person = person_with_photos(references, "Eileen Collins", 1, 2)
    person.delete()
    assert sorted((message.capability, message.operation, message.payload["face_ids"][0])
                  for message in OutboxMessage.objects.all()) == [
        ("face_reference", "delete_faces", face_id(1)), ("face_reference", "delete_faces", face_id(2))]
    for message in OutboxMessage.objects.order_by("id"):
        references.add_response("delete_faces", {"DeletedFaces": message.payload["face_ids"]},
                                {"CollectionId": REFERENCES, "FaceIds": message.payload["face_ids"]})
    assert deliver_due().delivered == 2


def test_an_outage_during_an_import_stores_nothing_and_forgets_what_was_indexed(references: Stubber) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in (1, 2):
            archive.writestr(f"Person_{number:04d}.png", encode(Image.new("RGB", (64, 64), (number, 0, 0)), "PNG"))
    indexed(references, 1)
    references.add_client_error("index_faces", service_error_code="ServiceUnavailableException",
                                http_status_code=503)
    with pytest.raises(FaceServiceUnavailable):
        import_reference_archive(archive=buffer.getvalue())
    assert not ReferencePerson.objects.exists() and not ReferencePhoto.objects.exists()
    [message] = OutboxMessage.objects.all()
    assert message.payload == {"collection_id": REFERENCES, "face_ids": [face_id(1)]}


def test_enrolling_again_after_a_backend_change_survives_an_outage(references: Stubber) -> None:
    person = ReferencePerson.objects.create(name="Eileen Collins")
    for number in (1, 2):
        photo = ReferencePhoto(person=person, model="sface-2021dec-int8bq", vector=b"\0" * 512)
        photo.photo.save(f"{number}.png", ContentFile(encode(Image.new("RGB", (64, 64), (number, 0, 0)), "PNG")))
    indexed(references, 1)
    references.add_client_error("index_faces", service_error_code="ServiceUnavailableException",
                                http_status_code=503)
    errors = io.StringIO()
    call_command("enrol_reference_photos", stderr=errors)
    assert "unavailable" in errors.getvalue()
    assert sorted(ReferencePhoto.objects.values_list("model", "face_id")) == [
        (INDEX, face_id(1)), ("sface-2021dec-int8bq", "")]
