"""The product side of benchmarks/online_sim.py: a sim_world.World's visitors driven through the REST API.

A fresh database (SQLite in a temporary folder, or the PostgreSQL of --database-url, flushed first) gets the world's
catalogue painted by the procedural generator, each image's hidden visual traits applied to its pixels (warmer or
cooler, brighter or darker, more or less saturated), added to the pool and approved by the curation service, so its
content is computed on approval as in production. Each visitor is a face user with their own credential (sent as
X-Person-Token, as a device that enrolled holds it); each page is POST /api/v1/garden (with the visit's cursor;
keep_the_cursor=False: never, as a client that asks each page afresh), each like POST /api/v1/like with the page as
impressions (send_the_page=False: without them), the recommendation_id (name_the_answer=False: without
it, as a client that does not keep it), the emotion (tell_the_emotion=False: without it, as a client that sends
only what the like is of) and the face user (name_the_person=False: only the credential names them). Anonymous
visitors (identified=False: a client that never enrols them) send neither face user nor credential, but the gender and
age read from their photo with every garden and like: the engine can learn only their segments. The scheduled
refit runs between rounds of visits (refit=False: never, as in a run shorter than its schedule). Django's test client
runs the requests in-process.
"""

import json
import os
import uuid
from pathlib import Path

import numpy as np

from benchmarks.sim_world import EMOTIONS, Outcome, World, run


def _setup(database_url: str, data_dir: Path, engine_options: dict[str, object]) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(DJANGO_SETTINGS_MODULE="emotion_garden.settings", EMOTION_GARDEN_DATA_DIR=str(data_dir),
                      API_ANON_RATE="none", API_PERSON_RATE="none", DJANGO_ALLOWED_HOSTS="testserver",
                      LOG_LEVEL="WARNING")
    django.setup()
    settings.EMOTION_GARDEN_BACKENDS["recommender"]["OPTIONS"] = engine_options
    from django_q.conf import Conf

    # The task worker's jobs (a refit queued as the likes grow) run at once, in-process, as an idle worker would.
    Conf.SYNC = True


def _paint(world: World, item: int, seed: int):  # -> PIL.Image.Image
    from PIL import Image as PillowImage

    from curation.generators.procedural_art import draw_emotion_art

    catalogue = world.catalogue
    picture = draw_emotion_art(emotion=EMOTIONS[catalogue.emotions[item]], width=96, height=64,
                               seed=seed * 100_000 + item, theme=catalogue.themes[item])
    warmth, brightness, saturation = catalogue.traits[item]
    pixels = np.asarray(picture, dtype=np.float32)
    pixels = pixels * np.array([1 + 0.2 * warmth, 1.0, 1 - 0.2 * warmth]) + 45 * brightness
    grey = pixels.mean(axis=2, keepdims=True)
    pixels = grey + (pixels - grey) * (1 + 0.5 * saturation)
    return PillowImage.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _catalogue(world: World, seed: int) -> np.ndarray:
    """Paint, add and approve the world's images; returns their ids in the world's item order."""
    from curation.models import Image
    from curation.services import add_image_to_pool, approve_image

    ids = []
    catalogue = world.catalogue
    for item in range(catalogue.size):
        image = add_image_to_pool(picture=_paint(world, item, seed), emotion=EMOTIONS[catalogue.emotions[item]],
                                  source=Image.Source.GENERATED, theme=catalogue.themes[item],
                                  prompt=catalogue.prompts[item], name=f"sim_{seed}_{item}h.jpeg")
        approve_image(image=image)
        ids.append(image.pk)
    return np.array(ids, dtype=np.int64)


def api_run(world: World, *, seed: int, database_url: str, data_dir: Path, visits: int, pages: int,
            page_size: int, engine_options: dict[str, object] | None = None, refit: bool = True,
            name_the_answer: bool = True, tell_the_emotion: bool = True, name_the_person: bool = True,
            identified: bool = True, keep_the_cursor: bool = True, send_the_page: bool = True) -> Outcome:
    _setup(database_url, data_dir, engine_options or {})
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from gallery.credentials import issue_person_credential
    from gallery.models import FaceUser
    from recommender.tasks import refit_personal_model

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    ids = _catalogue(world, seed)
    index_of = {int(image_id): item for item, image_id in enumerate(ids)}
    faces = [FaceUser.objects.create(gender=str(world.gender[visitor]), age_low=int(world.age[visitor]),
                                     age_high=int(world.age[visitor]) + 4, consented_at=timezone.now(),
                                     last_seen_at=timezone.now())
             for visitor in range(world.n_visitors)]
    people = [face.pk for face in faces]
    # Each visitor's own credential, as the emotion answer hands it to a device on enrolment.
    tokens = [issue_person_credential(face_user=face) for face in faces]
    client = Client()
    visit_state: dict[str, object] = {}

    def who(visitor: int) -> dict[str, object]:
        if identified:
            return {"face_user": str(people[visitor])}
        return {"gender": str(world.gender[visitor]), "age": int(world.age[visitor]) + 2}

    def post(path: str, body: dict[str, object], visitor: int) -> dict[str, object]:
        response = client.post(path, json.dumps(body), content_type="application/json",
                               headers={"X-Person-Token": tokens[visitor]} if identified else {})
        if response.status_code >= 300:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return response.json()

    def page(visitor: int, mood: int, visit: int, shown: list[int], n: int) -> list[int]:
        body: dict[str, object] = {"emotion": EMOTIONS[mood], **who(visitor), "n": n}
        if keep_the_cursor and shown and visit_state.get("visitor") == visitor:
            body["cursor"] = visit_state["cursor"]
        answer = post("/api/v1/garden", body, visitor)
        visit_state.update(visitor=visitor, cursor=answer["cursor"], recommendation_id=answer["recommendation_id"])
        return [index_of[item["id"]] for item in answer["items"]]

    def feedback(visitor: int, mood: int, items: list[int], liked: np.ndarray) -> None:
        shown = [int(ids[item]) for item in items]
        for image_id in np.array(shown)[liked].tolist():
            answer = {"recommendation_id": visit_state["recommendation_id"]} if name_the_answer else {}
            emotion = {"emotion": EMOTIONS[mood]} if tell_the_emotion else {}
            person = who(visitor) if name_the_person or not identified else {}
            page_shown = {"impressions": shown} if send_the_page else {}
            post("/api/v1/like", {"image": image_id, "client_event_id": uuid.uuid4().hex,
                                  **page_shown, **person, **answer, **emotion}, visitor)

    return run(world, page, feedback, visits=visits, pages=pages, page_size=page_size, seed=seed,
               progress=(lambda visit: refit_personal_model()) if refit else None)
