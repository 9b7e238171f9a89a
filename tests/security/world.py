"""The probes' world: a victim with data, an attacker with their own credential, a catalogue, and the callers who
must be refused. Also what a probe checks did not change in the database."""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db.models import Count
from django.test import Client

from curation.models import GenerationJob, Image, Track
from gallery.compat.keys import live_key, pool_key
from gallery.credentials import issue_person_credential
from gallery.models import ApiKey, CollectionFace, FaceEmbedding, FaceUser, PersonCredential, ReferencePerson
from gallery.person_access import PERSON_HEADER
from recommender.models import Interaction
from tests.factories import ApiKeyFactory, ApprovedImageFactory, FaceUserFactory, ImageFactory, TrackFactory
from tests.security.routes import Route

SAME_ORIGIN = "http://testserver"


@dataclass
class World:
    victim: FaceUser
    victim_token: str
    attacker: FaceUser
    attacker_token: str
    live: Image
    pending: Image
    job: GenerationJob
    track: Track
    limited_key: str  # faces, garden and likes: neither `users` nor `curation`
    curation_key: str
    zone: str  # a booth zone of this world's own: media files outlive a test

    def path_values(self) -> dict[str, str]:
        """Values for every parameter a route pattern has (see routes.sample_path)."""
        return {
            "face_user_id": str(self.victim.pk),
            "image_id": str(self.live.pk),
            "job_id": str(self.job.pk),
            "batch": "0" * 32,
            "zone": self.zone,
            "name": "img1h.jpeg",
            "rest": live_key(self.live).split("/", 1)[1],
            "media": self.live.file.name,
            "content_type_id": str(ContentType.objects.get_for_model(FaceUser).pk),
            "object_id": str(self.victim.pk),
            "curation/image": str(self.live.pk),
            "curation/generationjob": str(self.job.pk),
            "curation/track": str(self.track.pk),
            "gallery/faceuser": str(self.victim.pk),
            "gallery/apikey": str(ApiKey.objects.order_by("pk").values_list("pk", flat=True).first()),
            "recommender/interaction": str(Interaction.objects.filter(face_user=self.victim).get().pk),
            "auth/user": str(get_user_model().objects.order_by("pk").values_list("pk", flat=True).first()),
            "auth/group": str(Group.objects.get(name="Curators").pk),
        }

    def body(self, route: Route) -> dict[str, Any] | list[Any]:
        """A POST body that would do the route's work for a caller with the right to it, in the victim's name
        where the route can name a person."""
        victim = str(self.victim.pk)
        event = {"image": self.live.pk, "face_user": victim, "impressions": [self.live.pk],
                 "client_event_id": "probe-event"}
        return {
            "api:garden": {"emotion": "HAPPY", "face_user": victim},
            "api:songs": {"emotion": "HAPPY", "face_user": victim},
            "api:like": event, "api:unlike": event, "api:not-interested": event,
            "compat:like": {"id": f"{victim}/HAPPY", "itemId": live_key(self.live)},
            "compat:create-user": {"userId": f"{victim}/HAPPY", "emotion": "HAPPY", "gender": "Female"},
            "compat:gallery": {"userId": f"{victim}/HAPPY"},
            "compat:garden": {"id": victim, "emotion": "HAPPY"},
            "compat:remove": {"objName": [live_key(self.live), pool_key(self.pending)]},
            "compat:remove-pool": {"objName": [pool_key(self.pending)]},
            "compat:clear-index": {"objName": live_key(self.live)},
            "compat:bulk": {"fname": "imgPool/happy/probe", "index": 0,
                            "prompt": {"emotion": "happy", "text": "a happy garden"}},
            "compat:update-display": {"zone": self.zone, "landscape": [live_key(self.live)]},
            "compat:text2image": {"text": "a happy garden", "width": 64, "height": 64},
            "compat:generate-dataset": [{"emotion": "happy", "gender": "female"}],
        }.get(_qualified(route), {})

    def query(self, route: Route) -> dict[str, str]:
        return {"face_user": str(self.victim.pk)} if route.name == "similar-images" else {}


def _qualified(route: Route) -> str:
    namespace = "api" if route.pattern.startswith("api/v1/") else "compat"
    return f"{namespace}:{route.name}"


def build_world() -> World:
    victim, attacker = FaceUserFactory(), FaceUserFactory(gender="Male")
    live = ApprovedImageFactory()
    Interaction.objects.create(event=Interaction.Event.LIKE, image=live, face_user=victim, emotion="HAPPY")
    return World(
        victim=victim, victim_token=issue_person_credential(face_user=victim),
        attacker=attacker, attacker_token=issue_person_credential(face_user=attacker),
        live=live, pending=ImageFactory(),
        job=GenerationJob.objects.create(emotion="HAPPY", count=1, width=64, height=64),
        track=TrackFactory(),
        limited_key=ApiKeyFactory(scopes=["faces", "garden", "likes"]).raw_key,
        curation_key=ApiKeyFactory(scopes=["curation"]).raw_key,
        zone=f"probe-{uuid.uuid4().hex[:12]}",
    )


def snapshot(world: World) -> dict[str, Any]:
    """What no refused caller may change: the catalogue's rows and statuses, the people, their events and
    credentials, and the work queued."""
    return {
        "images": sorted(Image.objects.values_list("pk", "status", "emotion", "theme")),
        "tracks": sorted(Track.objects.values_list("pk", "status")),
        "jobs": sorted(GenerationJob.objects.values_list("pk", "status")),
        "face_users": sorted(str(pk) for pk in FaceUser.objects.values_list("pk", flat=True)),
        "faces_kept": FaceEmbedding.objects.count() + CollectionFace.objects.count(),
        "reference_people": ReferencePerson.objects.count(),
        "interactions": Interaction.objects.count(),
        "interactions_by_person": dict(
            Interaction.objects.filter(face_user__isnull=False).values_list("face_user").annotate(n=Count("id"))),
        "victim_credentials": PersonCredential.objects.filter(face_user=world.victim).count(),
        "api_keys": sorted(ApiKey.objects.values_list("pk", "revoked_at", "scopes")),
        "accounts": sorted(get_user_model().objects.values_list("pk", "is_staff", "is_superuser", "password")),
        "probe_screen": default_storage.exists(f"display/{world.zone}/img1h.jpeg"),  # what a booth's screen shows
    }


def _staff(username: str, *, curator: bool) -> Client:
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    if curator:
        user.groups.add(Group.objects.get(name="Curators"))
    # CSRF checks off: these probe the permission, not the token (tests/security/test_probes.py does that).
    client = Client(headers={"Origin": SAME_ORIGIN})
    client.force_login(user)
    return client


def _page_client() -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.get("/").status_code == 200  # the page's cookie, as a browser that loaded the page holds it
    return client


CALLERS: dict[str, Callable[[World], Client]] = {
    "anonymous": lambda world: Client(enforce_csrf_checks=True),
    "page cookie": lambda world: _page_client(),
    "key without the scope": lambda world: Client(enforce_csrf_checks=True,
                                                  headers={"X-Api-Key": world.limited_key}),
    "another person": lambda world: Client(enforce_csrf_checks=True,
                                           headers={PERSON_HEADER: world.attacker_token}),
    "staff without permission": lambda world: _staff("staff", curator=False),
    "curator": lambda world: _staff("curator", curator=True),
}


def send(client: Client, method: str, path: str, world: World, route: Route) -> Any:
    if method == "GET":
        return client.get(path, world.query(route))
    if method == "DELETE":
        return client.delete(path)
    send_body = client.put if method == "PUT" else client.post
    return send_body(path, json.dumps(world.body(route)), content_type="application/json")


def random_person() -> str:
    return str(uuid.uuid4())
