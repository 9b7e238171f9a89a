"""The Amazon Personalize resources the Personalize engine needs, created through the API and reused by name, so
running the setup again picks up where an earlier run stopped.

Order: dataset group, the three schemas and datasets, the event tracker and the emotion filter; optionally the site's
data so far (import_data); then, once there is data to learn from (at least 1000 interactions from 25 users), the
solution, a trained solution version and the campaign. The campaign follows the solution's latest version
("$LATEST"), so the weekly automatic retraining is deployed without running this again.
"""

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from curation.models import Image
from emotion_garden.aws import new_client
from recommender.engines.personalize import (
    CLIENT_CONFIG,
    LIVE,
    RETIRED,
    PersonalizeRecommender,
    event_streams,
    interaction_message,
    item_record,
    user_record,
)
from recommender.models import Interaction, visitor_model

RECIPES = {
    "user-personalization-v2": "arn:aws:personalize:::recipe/aws-user-personalization-v2",
    "user-personalization": "arn:aws:personalize:::recipe/aws-user-personalization",
}
DEFAULT_RECIPE = "user-personalization-v2"

# Only likes train the model: a view is weak evidence, and Personalize cannot take an unlike as negative feedback.
# Views and unlikes are still recorded, with their impressions.
TRAINING_EVENT_TYPE = "like"

FILTER_EXPRESSION = 'INCLUDE ItemID WHERE Items.EMOTION IN ($EMOTION) AND Items.STATUS IN ("live")'

# Interactions read per PutEvents batch when importing history.
IMPORT_BATCH = 500


def _schema(record: str, fields: list[dict[str, Any]]) -> str:
    return json.dumps({
        "type": "record", "name": record, "namespace": "com.amazonaws.personalize.schema", "fields": fields,
        "version": "1.0",
    })


def _categorical(name: str, *, nullable: bool = False) -> dict[str, Any]:
    return {"name": name, "type": ["null", "string"] if nullable else "string", "categorical": True}


# Avro schemas. EMOTION in the interactions is the contextual metadata passed as GetRecommendations' context;
# optional fields are nullable so that a user can be re-sent without properties when forgotten.
SCHEMAS = {
    "Interactions": _schema("Interactions", [
        {"name": "USER_ID", "type": "string"},
        {"name": "ITEM_ID", "type": "string"},
        {"name": "TIMESTAMP", "type": "long"},
        {"name": "EVENT_TYPE", "type": "string"},
        {"name": "IMPRESSION", "type": ["null", "string"]},
        _categorical("EMOTION", nullable=True),
    ]),
    "Users": _schema("Users", [
        {"name": "USER_ID", "type": "string"},
        _categorical("GENDER", nullable=True),
        _categorical("AGE_BAND", nullable=True),
    ]),
    "Items": _schema("Items", [
        {"name": "ITEM_ID", "type": "string"},
        _categorical("EMOTION"),
        _categorical("THEME", nullable=True),
        _categorical("STATUS"),
        {"name": "CREATION_TIMESTAMP", "type": "long"},
    ]),
}


class SetupFailed(Exception):
    """A resource failed to become active, or did not in time."""


@dataclasses.dataclass(frozen=True)
class Polling:
    interval: float  # seconds between two status checks
    timeout: float  # seconds a resource may take to become active


@dataclasses.dataclass(frozen=True)
class Resources:
    dataset_group_arn: str
    dataset_arns: dict[str, str]  # by dataset type: "Interactions", "Users", "Items"
    event_tracker_arn: str
    tracking_id: str
    emotion_filter_arn: str
    # Both empty until the first deployment.
    solution_arn: str = ""
    campaign_arn: str = ""


def aws_client(service: str, *, region_name: str | None) -> Any:
    return new_client(service, region_name=region_name, config=CLIENT_CONFIG)


def create_resources(*, client: Any, name: str, polling: Polling, log: Callable[[str], None]) -> Resources:
    """Create (or find) everything that needs no training: the datasets, the event tracker and the filter."""
    group_arn = _ensure(
        client, kind="dataset group", name=name, log=log, listing=("list_dataset_groups", "datasetGroups", {}),
        arn_key="datasetGroupArn", create=lambda: client.create_dataset_group(name=name)["datasetGroupArn"],
    )
    _wait_active(lambda: client.describe_dataset_group(datasetGroupArn=group_arn)["datasetGroup"],
                 what=f"Dataset group {name}", polling=polling)
    dataset_arns = {
        dataset_type: ensure_dataset(client, group_arn=group_arn, name=name, dataset_type=dataset_type,
                                     polling=polling, log=log)
        for dataset_type in SCHEMAS
    }
    tracker_arn = _ensure(
        client, kind="event tracker", name=f"{name}-tracker", log=log,
        listing=("list_event_trackers", "eventTrackers", {"datasetGroupArn": group_arn}), arn_key="eventTrackerArn",
        create=lambda: client.create_event_tracker(name=f"{name}-tracker", datasetGroupArn=group_arn)[
            "eventTrackerArn"],
    )
    tracker = _wait_active(lambda: client.describe_event_tracker(eventTrackerArn=tracker_arn)["eventTracker"],
                           what="Event tracker", polling=polling)
    filter_arn = _ensure(
        client, kind="filter", name=f"{name}-emotion", log=log,
        listing=("list_filters", "Filters", {"datasetGroupArn": group_arn}), arn_key="filterArn",
        create=lambda: client.create_filter(
            name=f"{name}-emotion", datasetGroupArn=group_arn, filterExpression=FILTER_EXPRESSION
        )["filterArn"],
    )
    _wait_active(lambda: client.describe_filter(filterArn=filter_arn)["filter"], what="Emotion filter",
                 polling=polling)
    return Resources(
        dataset_group_arn=group_arn, dataset_arns=dataset_arns, event_tracker_arn=tracker_arn,
        tracking_id=tracker["trackingId"], emotion_filter_arn=filter_arn,
    )


def deploy(
    *, client: Any, resources: Resources, name: str, recipe_arn: str, polling: Polling, log: Callable[[str], None]
) -> Resources:
    """Create the solution, train a version (or wait for the one in training) and deploy the campaign.

    The solution is made only now because it trains itself within the hour and weekly after (automatic training):
    made before there is data, it would only collect failed trainings."""
    group_arn = resources.dataset_group_arn
    solution_arn = _ensure(
        client, kind="solution", name=f"{name}-solution", log=log,
        listing=("list_solutions", "solutions", {"datasetGroupArn": group_arn}), arn_key="solutionArn",
        create=lambda: client.create_solution(
            name=f"{name}-solution", datasetGroupArn=group_arn, recipeArn=recipe_arn, eventType=TRAINING_EVENT_TYPE
        )["solutionArn"],
    )
    _wait_active(lambda: client.describe_solution(solutionArn=solution_arn)["solution"], what="Solution",
                 polling=polling)
    ensure_solution_version(client, solution_arn=solution_arn, polling=polling, log=log)
    campaign_arn = ensure_campaign(client, solution_arn=solution_arn, name=f"{name}-campaign", polling=polling,
                                   log=log)
    return dataclasses.replace(resources, solution_arn=solution_arn, campaign_arn=campaign_arn)


def ensure_dataset(
    client: Any, *, group_arn: str, name: str, dataset_type: str, polling: Polling, log: Callable[[str], None]
) -> str:
    """The schema and dataset of one type, e.g. "emotion-garden-items" for both."""
    resource_name = f"{name}-{dataset_type.lower()}"
    schema_arn = _ensure(
        client, kind="schema", name=resource_name, log=log, listing=("list_schemas", "schemas", {}),
        arn_key="schemaArn",
        create=lambda: client.create_schema(name=resource_name, schema=SCHEMAS[dataset_type])["schemaArn"],
    )
    dataset_arn = _ensure(
        client, kind="dataset", name=resource_name, log=log,
        listing=("list_datasets", "datasets", {"datasetGroupArn": group_arn}), arn_key="datasetArn",
        create=lambda: client.create_dataset(
            name=resource_name, schemaArn=schema_arn, datasetGroupArn=group_arn, datasetType=dataset_type
        )["datasetArn"],
    )
    _wait_active(lambda: client.describe_dataset(datasetArn=dataset_arn)["dataset"],
                 what=f"{dataset_type} dataset", polling=polling)
    return dataset_arn


def ensure_solution_version(client: Any, *, solution_arn: str, polling: Polling, log: Callable[[str], None]) -> str:
    """The newest solution version that has not failed (training in progress included), else a new FULL training."""
    versions = [
        version for version in _listed(client, "list_solution_versions", "solutionVersions", solutionArn=solution_arn)
        if not version["status"].endswith("FAILED")
    ]
    if versions:
        version_arn = max(versions, key=lambda version: version["creationDateTime"])["solutionVersionArn"]
        log(f"Reusing solution version {version_arn}")
    else:
        version_arn = client.create_solution_version(solutionArn=solution_arn, trainingMode="FULL")[
            "solutionVersionArn"]
        log(f"Training solution version {version_arn}")
    _wait_active(lambda: client.describe_solution_version(solutionVersionArn=version_arn)["solutionVersion"],
                 what="Training", polling=polling)
    return version_arn


def ensure_campaign(
    client: Any, *, solution_arn: str, name: str, polling: Polling, log: Callable[[str], None]
) -> str:
    campaign_arn = _ensure(
        client, kind="campaign", name=name, log=log,
        listing=("list_campaigns", "campaigns", {"solutionArn": solution_arn}), arn_key="campaignArn",
        create=lambda: client.create_campaign(
            name=name, solutionVersionArn=f"{solution_arn}/$LATEST", minProvisionedTPS=1,
            campaignConfig={"syncWithLatestSolutionVersion": True},
        )["campaignArn"],
    )
    _wait_active(lambda: client.describe_campaign(campaignArn=campaign_arn)["campaign"], what="Campaign",
                 polling=polling)
    return campaign_arn


def import_data(*, engine: PersonalizeRecommender, log: Callable[[str], None]) -> None:
    """Send what the site already knows: every image ever approved, every face user, and the whole history of
    events. Safe to repeat: items and users are replaced, and Personalize ignores event ids it has seen."""
    images = Image.objects.filter(approved_at__isnull=False).order_by("pk")
    engine.put_items([
        item_record(image, status=LIVE if image.status == Image.Status.APPROVED else RETIRED) for image in images
    ])
    # The gallery's people, through the interactions' foreign key: the recommender's tooling does not import it.
    people = visitor_model().objects.order_by("pk")
    engine.put_users([user_record(person.as_visitor()) for person in people])
    sent = 0
    for batch in _interaction_batches():
        # Forgotten users' interactions have lost their face user, so only their segment receives them.
        engine.put_events(
            stream for interaction in batch
            for stream in event_streams(interaction_message(interaction), user_exists=True)
        )
        sent += len(batch)
    log(f"Imported {images.count()} images, {people.count()} face users and {sent} interactions")


def _interaction_batches() -> Iterator[list[Interaction]]:
    interactions = Interaction.objects.order_by("created_at", "pk").prefetch_related("impressions")
    batch: list[Interaction] = []
    for interaction in interactions.iterator(chunk_size=IMPORT_BATCH):
        batch.append(interaction)
        if len(batch) == IMPORT_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def environment_lines(resources: Resources, *, region_name: str, fallback: str) -> list[str]:
    """What to put in the environment (or .env) to switch the site to the Personalize engine."""
    lines = [
        "RECOMMENDER_BACKEND=recommender.engines.personalize.PersonalizeRecommender",
        f"AWS_REGION={region_name}",
        f"PERSONALIZE_TRACKING_ID={resources.tracking_id}",
        f"PERSONALIZE_ITEMS_DATASET_ARN={resources.dataset_arns['Items']}",
        f"PERSONALIZE_USERS_DATASET_ARN={resources.dataset_arns['Users']}",
        f"PERSONALIZE_EMOTION_FILTER_ARN={resources.emotion_filter_arn}",
        f"PERSONALIZE_FALLBACK_BACKEND={fallback}",
    ]
    if not resources.campaign_arn:
        lines.append("# No campaign yet: the fallback engine answers until you run this again without --no-wait.")
    lines.append(f"PERSONALIZE_CAMPAIGN_ARN={resources.campaign_arn}")
    return lines


def _ensure(
    client: Any, *, kind: str, name: str, listing: tuple[str, str, dict[str, str]], arn_key: str,
    create: Callable[[], str], log: Callable[[str], None],
) -> str:
    operation, key, params = listing
    existing = next((entry for entry in _listed(client, operation, key, **params) if entry["name"] == name), None)
    if existing is not None:
        log(f"Reusing {kind} {name}")
        return existing[arn_key]
    arn = create()
    log(f"Created {kind} {name}")
    return arn


def _listed(client: Any, operation: str, key: str, **params: str) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def _wait_active(describe: Callable[[], dict[str, Any]], *, what: str, polling: Polling) -> dict[str, Any]:
    deadline = time.monotonic() + polling.timeout
    while True:
        resource = describe()
        status = resource["status"]
        if status == "ACTIVE":
            return resource
        if status.endswith("FAILED"):
            raise SetupFailed(f"{what} failed: {resource.get('failureReason', 'no reason given')}")
        if time.monotonic() >= deadline:
            raise SetupFailed(f"{what} is still {status} after {polling.timeout:g} s; run the setup again later.")
        time.sleep(polling.interval)
