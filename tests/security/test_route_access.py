"""Every route the resolver knows, tried by every caller who has no right to what it guards (tests/security/routes.py
for the classes, world.py for the callers): each is refused without telling whether the thing exists, and nothing in
the database changes."""

from typing import Any

import pytest
from django.test import Client

from tests.security.routes import ADMIN, CATALOGUE, OPERATOR, PAGE, PERSON, PUBLIC, Route, all_routes, sample_path
from tests.security.world import CALLERS, World, build_world, random_person, send, snapshot

pytestmark = pytest.mark.django_db

ROUTES = all_routes()
METHODS = ("GET", "POST", "PUT", "DELETE")
LOGIN = "/admin/login/"
# The admin pages every staff member has, whatever their permissions: the index of what they may see, their own
# password, the admin's translations.
STAFF_OWN = {"admin/", "admin/password_change/", "admin/password_change/done/", "admin/jsi18n/"}
# Whom each class refuses (the curator only where a curator has no business).
REFUSED = {
    CATALOGUE: ("anonymous", "page cookie", "key without the scope", "another person", "staff without permission"),
    PERSON: ("anonymous", "page cookie", "key without the scope", "another person", "staff without permission",
             "curator"),
    ADMIN: ("anonymous", "page cookie", "key without the scope", "another person", "staff without permission"),
    OPERATOR: ("anonymous", "page cookie", "key without the scope", "another person", "staff without permission",
               "curator"),
    PAGE: ("anonymous", "page cookie", "key without the scope", "another person"),
    PUBLIC: ("anonymous", "page cookie", "key without the scope", "another person", "staff without permission"),
}
# A curator deletes an image's recommender counters with it (recommender.admin.SegmentStatAdmin).
CURATOR_MAY = {"admin/recommender/segmentstat/<path:object_id>/delete/"}
# Original endpoints that take a visitor's own anonymous like: the probe's like, in the victim's name without their
# credential, must be recorded as nobody's.
ANONYMOUS_EVENTS = {"like"}


def test_every_route_is_classified() -> None:
    unclassified = [route.pattern for route in ROUTES if route.access is None]
    assert not unclassified, f"Classify these routes in tests/security/routes.py: {unclassified}"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _probes(*, api_and_catalogue_only: bool = False) -> list[Any]:
    return [
        pytest.param(route, caller, id=f"{route.access}:{route.pattern or '/'}:{caller}")
        for route in ROUTES if route.access for caller in REFUSED[route.access]
        if not (caller == "curator" and route.pattern in CURATOR_MAY)
        and (not api_and_catalogue_only or route.pattern.startswith("api/") or route.access == CATALOGUE)
    ]


@pytest.mark.parametrize(("route", "caller"), _probes())
def test_no_caller_gets_past_its_class(route: Route, caller: str, world: World) -> None:
    _probe(route, caller, world)


@pytest.mark.parametrize(("route", "caller"), _probes(api_and_catalogue_only=True))
def test_no_caller_gets_past_its_class_with_keys_required(route: Route, caller: str, world: World,
                                                          settings: Any) -> None:
    """As deployed for third-party clients: the page's cookie is then what lets the page in, and must open no more."""
    settings.API_KEYS_REQUIRED = True
    _probe(route, caller, world)


def _probe(route: Route, caller: str, world: World) -> None:
    client = CALLERS[caller](world)
    path = sample_path(route, world.path_values())
    for method in METHODS:
        before = snapshot(world)
        response = send(client, method, path, world, route)
        assert response.status_code < 500, f"{method} {path}: {response.status_code}"
        _assert_refused(route, caller, method, path, response, world, client)
        after = snapshot(world)
        if route.access in (PERSON, PUBLIC) and route.name in ANONYMOUS_EVENTS and not route.pattern.startswith("api"):
            # An anonymous like may be recorded, never one in anybody's name.
            before.pop("interactions"), after.pop("interactions")
        assert after == before, f"{method} {path} by {caller} changed the database"


def _assert_refused(route: Route, caller: str, method: str, path: str, response: Any, world: World,
                    client: Client) -> None:
    where = f"{method} {path} by {caller}: {response.status_code}"
    body = response.content if not getattr(response, "streaming", False) else b""
    # Whatever the class, no answer to these callers carries the victim's credential or their data.
    assert world.victim_token.encode() not in body, where
    if route.access == CATALOGUE:
        assert response.status_code in (401, 403, 405), where
    elif route.access in (ADMIN, OPERATOR):
        _assert_admin_refused(route, caller, method, response, where)
        if route.admin_model == "gallery/faceuser" and "object_id" in route.pattern:
            # A face user's id in the admin is no oracle either: the answer is the one for an id nobody has.
            other = send(client, method, path.replace(str(world.victim.pk), random_person()), world, route)
            assert other.status_code == response.status_code, where
    elif route.access == PAGE and method != "GET":
        assert response.status_code in (302, 403, 405), where  # 302: admin/logout, which logs nobody out
    elif route.access == PERSON and route.pattern.startswith("api/") and response.status_code != 405:
        # Every method the endpoint has (405 for the others) refuses, as it would for an id nobody has.
        assert response.status_code in (401, 403), where
        _assert_same_as_for_nobody(route, method, response, world, client)


def _assert_admin_refused(route: Route, caller: str, method: str, response: Any, where: str) -> None:
    if response.status_code == 302:
        location = response["Location"]
        if caller in ("staff without permission", "curator"):
            # On to a page that refuses in its turn: the bare object url to its change page, the image's add page
            # to the upload page, an object that is not there to the index (Django's history page says so before
            # it asks for permission: see the report on admin existence answers).
            assert location.endswith(("/change/", "/upload/")) or location == "/admin/", where
        else:
            assert location.startswith(LOGIN), where
        return
    if caller in ("staff without permission", "curator") and route.pattern in STAFF_OWN:
        assert response.status_code in (200, 405), where
        return
    assert response.status_code in (400, 403, 404, 405), where


def _assert_same_as_for_nobody(route: Route, method: str, response: Any, world: World, client: Client) -> None:
    """The refusal for the victim's id is the one for an id nobody has: it tells nothing about who is enrolled."""
    if "face_user_id" not in route.pattern:
        return
    nobody = Route(route.pattern, route.name, route.access)
    values = {**world.path_values(), "face_user_id": random_person()}
    other = send(client, method, sample_path(nobody, values), world, route)
    assert (other.status_code, other.json()["error"]["code"]) == (response.status_code,
                                                                  response.json()["error"]["code"])


def test_the_probes_bodies_do_the_work_for_someone_with_the_right(world: World) -> None:
    """The probes above send bodies that work: a curator's key retires and queues with them, and the victim's own
    credential reads their data. (A refusal of a broken body would prove nothing.)"""
    by_name = {route.name: route for route in ROUTES if route.access == CATALOGUE}
    curator = Client(headers={"X-Api-Key": world.curation_key})
    before = snapshot(world)
    for name in ("generate-dataset", "bulk", "update-display", "remove"):
        response = send(curator, "POST", sample_path(by_name[name], world.path_values()), world, by_name[name])
        assert response.status_code == 200, (name, response.content)
    after = snapshot(world)
    assert after["images"] != before["images"] and after["jobs"] != before["jobs"]
    assert after["interactions"] > before["interactions"] and after["probe_screen"]
    victim = Client(headers={"X-Person-Token": world.victim_token})
    for route in ROUTES:
        if route.access == PERSON and route.pattern.startswith("api/v1/users/"):
            assert victim.get(sample_path(route, world.path_values())).status_code == 200, route.pattern
