"""manage.py setup_personalize against botocore's Stubber: every Personalize call checked, in order, no network."""

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from django.core.management import CommandError, call_command

from curation.services import retire_image
from recommender.models import Interaction
from recommender.services import record_interaction
from tests.factories import ApprovedImageFactory, FaceUserFactory
from tools.recommender import personalize_setup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_real_aws")]

ACCOUNT = "arn:aws:personalize:us-east-1:123456789012"
GROUP_ARN = f"{ACCOUNT}:dataset-group/emotion-garden"
DATASET_ARNS = {kind: f"{GROUP_ARN}/{kind.upper()}" for kind in ("Interactions", "Users", "Items")}
TRACKER_ARN = f"{ACCOUNT}:event-tracker/e1f2"
TRACKING_ID = "c0ffee00-1111-4222-8333-444455556666"
FILTER_ARN = f"{ACCOUNT}:filter/emotion-garden-emotion"
SOLUTION_ARN = f"{ACCOUNT}:solution/emotion-garden-solution"
VERSION_ARN = f"{SOLUTION_ARN}/7a8b9c0d"
CAMPAIGN_ARN = f"{ACCOUNT}:campaign/emotion-garden-campaign"
CREATED = datetime(2025, 5, 1, tzinfo=UTC)


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The command's boto3 clients, one per service, made with fake credentials."""
    made = {
        service: boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                              aws_secret_access_key="testing")
        for service in ("personalize", "personalize-events")
    }
    monkeypatch.setattr(personalize_setup, "aws_client", lambda service, *, region_name: made[service])
    return made


@pytest.fixture
def personalize(clients: dict[str, Any]) -> Iterator[Stubber]:
    with Stubber(clients["personalize"]) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def events(clients: dict[str, Any]) -> Iterator[Stubber]:
    with Stubber(clients["personalize-events"]) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def run(*options: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("setup_personalize", "--poll-interval", "0", "--timeout", "5", "--region", "us-east-1", *options,
                 stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def described(key: str, arn_key: str, arn: str, status: str = "ACTIVE", **extra: Any) -> dict[str, Any]:
    return {key: {arn_key: arn, "status": status, **extra}}


def expect_resources(stub: Stubber, *, existing: bool) -> None:
    """Every call of create_resources, in order: creating each resource, or finding it by name."""
    group = {"name": "emotion-garden", "datasetGroupArn": GROUP_ARN, "status": "ACTIVE"}
    stub.add_response("list_dataset_groups", {"datasetGroups": [group] if existing else []}, {})
    if not existing:
        stub.add_response("create_dataset_group", {"datasetGroupArn": GROUP_ARN}, {"name": "emotion-garden"})
        # Not active at once: the setup polls until it is.
        stub.add_response("describe_dataset_group",
                          described("datasetGroup", "datasetGroupArn", GROUP_ARN, "CREATE IN_PROGRESS"),
                          {"datasetGroupArn": GROUP_ARN})
    stub.add_response("describe_dataset_group", described("datasetGroup", "datasetGroupArn", GROUP_ARN),
                      {"datasetGroupArn": GROUP_ARN})
    for kind, dataset_arn in DATASET_ARNS.items():
        name = f"emotion-garden-{kind.lower()}"
        schema_arn = f"{ACCOUNT}:schema/{name}"
        stub.add_response("list_schemas", {"schemas": [{"name": name, "schemaArn": schema_arn}] if existing else []},
                          {})
        if not existing:
            stub.add_response("create_schema", {"schemaArn": schema_arn},
                              {"name": name, "schema": personalize_setup.SCHEMAS[kind]})
        listed = [{"name": name, "datasetArn": dataset_arn, "datasetType": kind, "status": "ACTIVE"}]
        stub.add_response("list_datasets", {"datasets": listed if existing else []}, {"datasetGroupArn": GROUP_ARN})
        if not existing:
            stub.add_response("create_dataset", {"datasetArn": dataset_arn}, {
                "name": name, "schemaArn": schema_arn, "datasetGroupArn": GROUP_ARN, "datasetType": kind})
        stub.add_response("describe_dataset", described("dataset", "datasetArn", dataset_arn),
                          {"datasetArn": dataset_arn})
    tracker = {"name": "emotion-garden-tracker", "eventTrackerArn": TRACKER_ARN, "status": "ACTIVE"}
    stub.add_response("list_event_trackers", {"eventTrackers": [tracker] if existing else []},
                      {"datasetGroupArn": GROUP_ARN})
    if not existing:
        stub.add_response("create_event_tracker", {"eventTrackerArn": TRACKER_ARN, "trackingId": TRACKING_ID},
                          {"name": "emotion-garden-tracker", "datasetGroupArn": GROUP_ARN})
    stub.add_response("describe_event_tracker",
                      described("eventTracker", "eventTrackerArn", TRACKER_ARN, trackingId=TRACKING_ID),
                      {"eventTrackerArn": TRACKER_ARN})
    emotion_filter = {"name": "emotion-garden-emotion", "filterArn": FILTER_ARN, "status": "ACTIVE"}
    stub.add_response("list_filters", {"Filters": [emotion_filter] if existing else []},
                      {"datasetGroupArn": GROUP_ARN})
    if not existing:
        stub.add_response("create_filter", {"filterArn": FILTER_ARN}, {
            "name": "emotion-garden-emotion", "datasetGroupArn": GROUP_ARN,
            "filterExpression": 'INCLUDE ItemID WHERE Items.EMOTION IN ($EMOTION) AND Items.STATUS IN ("live")'})
    stub.add_response("describe_filter", described("filter", "filterArn", FILTER_ARN), {"filterArn": FILTER_ARN})


def expect_deployment(stub: Stubber, *, existing: bool, recipe: str = "aws-user-personalization-v2",
                      training_status: str = "ACTIVE") -> None:
    """Every call of deploy, in order: the solution, its trained version and the campaign."""
    solution = {"name": "emotion-garden-solution", "solutionArn": SOLUTION_ARN, "status": "ACTIVE"}
    stub.add_response("list_solutions", {"solutions": [solution] if existing else []}, {"datasetGroupArn": GROUP_ARN})
    if not existing:
        stub.add_response("create_solution", {"solutionArn": SOLUTION_ARN}, {
            "name": "emotion-garden-solution", "datasetGroupArn": GROUP_ARN,
            "recipeArn": f"arn:aws:personalize:::recipe/{recipe}", "eventType": "like"})
    stub.add_response("describe_solution", described("solution", "solutionArn", SOLUTION_ARN),
                      {"solutionArn": SOLUTION_ARN})
    versions = [
        {"solutionVersionArn": f"{SOLUTION_ARN}/failed", "status": "CREATE FAILED", "creationDateTime": CREATED},
        {"solutionVersionArn": VERSION_ARN, "status": "ACTIVE", "creationDateTime": CREATED},
    ]
    stub.add_response("list_solution_versions", {"solutionVersions": versions if existing else []},
                      {"solutionArn": SOLUTION_ARN})
    if not existing:
        stub.add_response("create_solution_version", {"solutionVersionArn": VERSION_ARN},
                          {"solutionArn": SOLUTION_ARN, "trainingMode": "FULL"})
        stub.add_response("describe_solution_version",
                          described("solutionVersion", "solutionVersionArn", VERSION_ARN, "CREATE IN_PROGRESS"),
                          {"solutionVersionArn": VERSION_ARN})
    stub.add_response("describe_solution_version", described(
        "solutionVersion", "solutionVersionArn", VERSION_ARN, training_status,
        **({"failureReason": "Not enough interactions"} if training_status != "ACTIVE" else {})),
        {"solutionVersionArn": VERSION_ARN})
    if training_status != "ACTIVE":
        return
    campaign = {"name": "emotion-garden-campaign", "campaignArn": CAMPAIGN_ARN, "status": "ACTIVE"}
    stub.add_response("list_campaigns", {"campaigns": [campaign] if existing else []}, {"solutionArn": SOLUTION_ARN})
    if not existing:
        stub.add_response("create_campaign", {"campaignArn": CAMPAIGN_ARN}, {
            "name": "emotion-garden-campaign", "solutionVersionArn": f"{SOLUTION_ARN}/$LATEST",
            "minProvisionedTPS": 1, "campaignConfig": {"syncWithLatestSolutionVersion": True}})
    stub.add_response("describe_campaign", described("campaign", "campaignArn", CAMPAIGN_ARN),
                      {"campaignArn": CAMPAIGN_ARN})


ENVIRONMENT = [
    "RECOMMENDER_BACKEND=recommender.engines.personalize.PersonalizeRecommender",
    "AWS_REGION=us-east-1",
    f"PERSONALIZE_TRACKING_ID={TRACKING_ID}",
    f"PERSONALIZE_ITEMS_DATASET_ARN={DATASET_ARNS['Items']}",
    f"PERSONALIZE_USERS_DATASET_ARN={DATASET_ARNS['Users']}",
    f"PERSONALIZE_EMOTION_FILTER_ARN={FILTER_ARN}",
    "PERSONALIZE_FALLBACK_BACKEND=recommender.engines.local.LocalRecommender",
]


def test_a_first_run_creates_everything_in_order_and_prints_the_settings(personalize: Stubber) -> None:
    expect_resources(personalize, existing=False)
    expect_deployment(personalize, existing=False)
    stdout, stderr = run()
    assert stdout.splitlines()[1:] == [*ENVIRONMENT, f"PERSONALIZE_CAMPAIGN_ARN={CAMPAIGN_ARN}"]
    assert "Created dataset group emotion-garden" in stderr and "Created campaign emotion-garden-campaign" in stderr


def test_a_second_run_reuses_every_resource(personalize: Stubber) -> None:
    expect_resources(personalize, existing=True)
    expect_deployment(personalize, existing=True)
    stdout, stderr = run()
    assert stdout.splitlines()[1:] == [*ENVIRONMENT, f"PERSONALIZE_CAMPAIGN_ARN={CAMPAIGN_ARN}"]
    assert "Created" not in stderr and f"Reusing solution version {VERSION_ARN}" in stderr


def test_the_first_user_personalization_recipe_can_be_chosen(personalize: Stubber) -> None:
    expect_resources(personalize, existing=True)
    expect_deployment(personalize, existing=False, recipe="aws-user-personalization")
    run("--recipe", "user-personalization")


def test_no_wait_stops_before_training_and_imports_the_sites_data(personalize: Stubber, events: Stubber) -> None:
    live, retired = ApprovedImageFactory.create_batch(2)
    retire_image(image=retired)
    face_user = FaceUserFactory()
    record_interaction(event=Interaction.Event.LIKE, image_id=live.pk, visitor=face_user.as_visitor(), emotion="HAPPY")
    expect_resources(personalize, existing=False)
    events.add_response("put_items", {}, {"datasetArn": DATASET_ARNS["Items"], "items": [
        {"itemId": str(live.pk), "properties": ANY}, {"itemId": str(retired.pk), "properties": ANY}]})
    events.add_response("put_users", {}, {"datasetArn": DATASET_ARNS["Users"], "users": [
        {"userId": str(face_user.pk), "properties": ANY}]})
    events.add_response("put_events", {}, {"trackingId": TRACKING_ID, "userId": str(face_user.pk),
                                           "sessionId": str(face_user.pk), "eventList": ANY})
    events.add_response("put_events", {}, {"trackingId": TRACKING_ID, "userId": "segment:HAPPY|Female|adult",
                                           "sessionId": "segment:HAPPY|Female|adult", "eventList": ANY})
    stdout, stderr = run("--no-wait", "--import-data")
    assert stdout.splitlines()[1:] == [
        *ENVIRONMENT, "# No campaign yet: the fallback engine answers until you run this again without --no-wait.",
        "PERSONALIZE_CAMPAIGN_ARN=",
    ]
    assert "Imported 2 images, 1 face users and 1 interactions" in stderr


def test_import_sends_the_retired_status_of_images_no_longer_live(personalize: Stubber, events: Stubber) -> None:
    retired = ApprovedImageFactory()
    retire_image(image=retired)
    expect_resources(personalize, existing=True)
    events.add_response("put_items", {}, {"datasetArn": DATASET_ARNS["Items"], "items": [
        {"itemId": str(retired.pk), "properties": json.dumps({
            "creationTimestamp": int(retired.approved_at.timestamp()), "emotion": retired.emotion,
            "status": "retired"}, sort_keys=True)}]})
    run("--no-wait", "--import-data")


def test_a_failed_training_stops_the_command_with_its_reason(personalize: Stubber) -> None:
    expect_resources(personalize, existing=True)
    expect_deployment(personalize, existing=False, training_status="CREATE FAILED")
    with pytest.raises(CommandError, match="Training failed: Not enough interactions"):
        run()


def test_a_resource_that_stays_pending_times_out(personalize: Stubber) -> None:
    group = {"name": "emotion-garden", "datasetGroupArn": GROUP_ARN, "status": "CREATE PENDING"}
    personalize.add_response("list_dataset_groups", {"datasetGroups": [group]}, {})
    personalize.add_response("describe_dataset_group",
                             described("datasetGroup", "datasetGroupArn", GROUP_ARN, "CREATE PENDING"))
    with pytest.raises(CommandError, match="Dataset group emotion-garden is still CREATE PENDING after 0 s"):
        run("--timeout", "0")
