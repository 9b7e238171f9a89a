"""The face collection through Rekognition: index, search, compare and forget."""

import logging
import uuid
from typing import Any

import pytest
from botocore.stub import Stubber
from PIL import Image

from emotion_garden.imaging import DecodedImage
from gallery.faces.rekognition import (
    RekognitionFaceIdentity,
    face_crop,
)
from gallery.models import CollectionFace, FaceUser
from recommender.models import OutboxMessage
from recommender.outbox import PermanentFailure
from tests.gallery.rekognition.stubs import (
    COMPARE_PARAMS,
    FACE_BOX,
    FACE_CROP_SIZE,
    FACE_ID,
    IMAGE_ID,
    LARGE_BOX,
    PERSON,
    SMALL_BOX,
    collection_missing,
    compare_response,
    deletion,
    face_in,
    image_bytes,
    index_params,
    indexed_face_response,
    no_face_in_image,
    opened,
    search_params,
    search_response,
    stored_face,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

# --- Face identity ------------------------------------------------------------------------------------------------

def test_index_face_creates_the_collection_on_first_use(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        sent: list[tuple[str, dict[str, Any]]],
                                                        photo: DecodedImage, person: FaceUser) -> None:
    collection_missing(stub, "index_faces")
    stub.add_response(
        "create_collection",
        {"StatusCode": 200, "CollectionArn": "aws:rekognition:us-east-1:123456789012:collection/garden-test",
         "FaceModelVersion": "7.0"},
        {"CollectionId": "garden-test"},
    )
    stub.add_response("index_faces", indexed_face_response(str(PERSON)), index_params())
    assert identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX)) is True
    assert [operation for operation, _ in sent] == ["IndexFaces", "CreateCollection", "IndexFaces"]
    assert opened(image_bytes(sent[-1][1])).size == FACE_CROP_SIZE
    # The FaceId is kept, so that forgetting the person deletes exactly this face.
    assert list(person.collection_faces.values_list("collection_id", "face_id")) == [("garden-test", FACE_ID)]


@pytest.mark.usefixtures("person")
def test_a_collection_created_meanwhile_by_another_process_is_used(identity: RekognitionFaceIdentity, stub: Stubber,
                                                                   photo: DecodedImage) -> None:
    collection_missing(stub, "index_faces")
    stub.add_client_error("create_collection", service_error_code="ResourceAlreadyExistsException",
                          service_message="The collection id: garden-test already exists", http_status_code=400)
    stub.add_response("index_faces", indexed_face_response(str(PERSON)), index_params())
    identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX))


def test_a_face_rekognition_will_not_index_is_refused_and_logged(identity: RekognitionFaceIdentity, stub: Stubber,
                                                     photo: DecodedImage, caplog: pytest.LogCaptureFixture) -> None:
    stub.add_response("index_faces", {
        "FaceRecords": [],
        "FaceModelVersion": "7.0",
        "UnindexedFaces": [{"Reasons": ["LOW_SHARPNESS", "LOW_FACE_QUALITY"], "FaceDetail": {
            "BoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24}, "Confidence": 97.2,
        }}],
    }, index_params())
    with caplog.at_level(logging.WARNING, logger="gallery.faces.rekognition"):
        assert identity.index_face(face_user_id=PERSON, image=photo, face=face_in(FACE_BOX)) is False
    assert "LOW_FACE_QUALITY, LOW_SHARPNESS" in caplog.text


def test_search_finds_the_person_behind_the_best_match(identity: RekognitionFaceIdentity, stub: Stubber,
                                                       sent: list[tuple[str, dict[str, Any]]],
                                                       photo: DecodedImage) -> None:
    stub.add_response("search_faces_by_image", search_response({
        "Similarity": 99.2,
        "Face": {"FaceId": FACE_ID, "BoundingBox": {"Width": 0.5, "Height": 0.52, "Left": 0.25, "Top": 0.24},
                 "ImageId": IMAGE_ID, "ExternalImageId": str(PERSON), "Confidence": 99.99},
    }), search_params(80.0))
    match = identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0)
    assert match is not None
    assert (match.face_user_id, match.similarity) == (PERSON, 99.2)
    # Only the given face is searched, not whichever face is largest in the frame.
    assert opened(image_bytes(sent[0][1])).size == FACE_CROP_SIZE


def test_search_without_a_match_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                        photo: DecodedImage) -> None:
    stub.add_response("search_faces_by_image", search_response(), search_params(90.0))
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=90.0) is None


def test_search_where_rekognition_sees_no_face_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                       photo: DecodedImage) -> None:
    no_face_in_image(stub, "search_faces_by_image")
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0) is None


def test_search_creates_a_missing_collection_and_finds_no_one(identity: RekognitionFaceIdentity, stub: Stubber,
                                                              photo: DecodedImage) -> None:
    collection_missing(stub, "search_faces_by_image")
    stub.add_response("create_collection", {"StatusCode": 200}, {"CollectionId": "garden-test"})
    stub.add_response("search_faces_by_image", search_response(), search_params(80.0))
    assert identity.search(image=photo, face=face_in(FACE_BOX), threshold=80.0) is None


def test_face_crop_stays_inside_the_image(photo: DecodedImage) -> None:
    crop = face_crop(photo, face_in({"Width": 0.3, "Height": 0.4, "Left": 0.8, "Top": -0.05}))
    # Left 0.65-1.0 of 640 and top 0-0.55 of 480.
    assert crop.size == (224, 264)



def test_compare_gives_the_similarity_of_the_targets_largest_face(identity: RekognitionFaceIdentity, stub: Stubber,
                                                                  sent: list[tuple[str, dict[str, Any]]],
                                                                  photo: DecodedImage, astronaut: Image.Image) -> None:
    # Rekognition orders matches by similarity: a small face in the background can come first.
    stub.add_response("compare_faces", compare_response([(SMALL_BOX, 97.5), (LARGE_BOX, 91.25)], []), COMPARE_PARAMS)
    target = DecodedImage(rgb=astronaut, source_format="PNG")
    assert identity.compare(source=photo, target=target) == 91.25
    params = sent[0][1]
    assert opened(image_bytes(params, "SourceImage")).size == photo.rgb.size
    assert opened(image_bytes(params, "TargetImage")).size == astronaut.size


def test_compare_with_a_face_below_every_threshold_is_zero(identity: RekognitionFaceIdentity, stub: Stubber,
                                                           photo: DecodedImage) -> None:
    stub.add_response("compare_faces", compare_response([], [LARGE_BOX]), COMPARE_PARAMS)
    assert identity.compare(source=photo, target=photo) == 0.0


def test_compare_without_a_face_in_either_image_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        photo: DecodedImage) -> None:
    no_face_in_image(stub, "compare_faces")
    assert identity.compare(source=photo, target=photo) is None


def test_compare_with_nothing_in_the_target_is_none(identity: RekognitionFaceIdentity, stub: Stubber,
                                                    photo: DecodedImage) -> None:
    stub.add_response("compare_faces", compare_response([], []), COMPARE_PARAMS)
    assert identity.compare(source=photo, target=photo) is None


def test_forget_enqueues_the_deletion_of_the_tracked_faces(identity: RekognitionFaceIdentity,
                                                           person: FaceUser) -> None:
    CollectionFace.objects.create(face_user=person, collection_id="garden-test", face_id=FACE_ID)
    identity.forget(face_user_id=PERSON)  # no AWS call: the Stubber has no answer queued
    [message] = OutboxMessage.objects.all()
    assert (message.capability, message.operation, message.payload) == (
        "face_identity", "delete_faces", deletion([FACE_ID]))
    assert not CollectionFace.objects.exists()


def test_tracked_faces_are_deleted_4096_per_call(identity: RekognitionFaceIdentity, stub: Stubber) -> None:
    face_ids = [str(uuid.UUID(int=index)) for index in range(4097)]
    stub.add_response("delete_faces", {"DeletedFaces": face_ids[:4096]},
                      {"CollectionId": "garden-test", "FaceIds": face_ids[:4096]})
    stub.add_response("delete_faces", {"DeletedFaces": face_ids[4096:]},
                      {"CollectionId": "garden-test", "FaceIds": face_ids[4096:]})
    identity.consume("delete_faces", deletion(face_ids))


def test_faces_indexed_before_their_ids_were_kept_are_found_across_pages(identity: RekognitionFaceIdentity,
                                                                        stub: Stubber) -> None:
    someone_else = uuid.uuid4()
    # 4097 faces of the person, more than one DeleteFaces call takes, spread over two ListFaces pages.
    first_page = [stored_face(index, PERSON if index % 3 else someone_else) for index in range(6000)]
    second_page = [stored_face(6000 + index, PERSON) for index in range(97)]
    expected = [face["FaceId"] for face in first_page + second_page if face["ExternalImageId"] == str(PERSON)]
    assert len(expected) == 4097
    list_params = {"CollectionId": "garden-test", "MaxResults": 4096}
    stub.add_response("list_faces", {"Faces": first_page, "NextToken": "page-2", "FaceModelVersion": "7.0"},
                      list_params)
    stub.add_response("list_faces", {"Faces": second_page, "FaceModelVersion": "7.0"},
                      {**list_params, "NextToken": "page-2"})
    stub.add_response("delete_faces", {"DeletedFaces": expected[:4096]},
                      {"CollectionId": "garden-test", "FaceIds": expected[:4096]})
    stub.add_response("delete_faces", {"DeletedFaces": expected[4096:]},
                      {"CollectionId": "garden-test", "FaceIds": expected[4096:]})
    identity.consume("delete_faces", deletion([]))


def test_forget_someone_never_indexed_deletes_nothing(identity: RekognitionFaceIdentity, stub: Stubber) -> None:
    identity.forget(face_user_id=PERSON)
    [message] = OutboxMessage.objects.all()
    stub.add_response("list_faces", {"Faces": [stored_face(1, uuid.uuid4())]})
    identity.consume(message.operation, message.payload)


@pytest.mark.parametrize("face_ids", [[], [FACE_ID]])
def test_nothing_is_left_to_delete_without_a_collection(identity: RekognitionFaceIdentity, stub: Stubber,
                                                        face_ids: list[str]) -> None:
    collection_missing(stub, "delete_faces" if face_ids else "list_faces")
    identity.consume("delete_faces", deletion(face_ids))


def test_an_unknown_operation_is_given_up(identity: RekognitionFaceIdentity) -> None:
    with pytest.raises(PermanentFailure):
        identity.consume("index_faces", deletion([FACE_ID]))


