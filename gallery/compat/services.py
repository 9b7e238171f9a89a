"""Writes behind the original endpoints, each a thin adapter over the services the REST API uses."""

import os
import re
import secrets
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from curation.generators import image_generator
from curation.generators.base import GenerationRequest
from curation.models import GenerationItem, GenerationJob, Image, validate_image_name
from curation.services import create_generation_job, delete_image, queue_generation_job, retire_image
from emotion_garden.imaging import encode_jpeg
from emotion_garden.locks import hold_transaction_lock
from emotion_garden.themes import checked_theme
from emotion_garden.vocabulary import Emotion
from gallery.compat.bodies import BulkPrompt, CompatError
from gallery.compat.keys import DISPLAY, LIVE, POOL, find_image, find_named_image, is_zone, live_key, parse_key
from gallery.compat.selectors import face_user_for, split_visitor_id
from gallery.services import EmotionReading, read_emotion
from recommender.engines import recommender_engine
from recommender.models import Interaction
from recommender.services import MAX_IMPRESSIONS, InteractionRejected, record_interaction


@dataclass(frozen=True)
class VisitorReading:
    reading: EmotionReading
    visitor_id: str


def read_visitor(*, photo: bytes, requested_id: str = "") -> VisitorReading:
    """Read the emotion, and name the visitor: the face user when the face is known, else the id the caller asked
    for (EG's X-user-id), else a fresh uuid that is stored nowhere, as EG's was.

    The original pages never ask for consent, so by default the face is not searched at all and nobody is named
    (EG's behaviour). Only settings.COMPAT_REMEMBER_FACES (a kiosk whose visitors were told and agreed) stands for
    every request's consent: the face is then recognised or, if unknown, remembered (IRBE's behaviour).
    Raises what read_emotion raises.
    """
    reading = read_emotion(photo=photo, remember=settings.COMPAT_REMEMBER_FACES)
    known = str(reading.face_user.pk) if reading.face_user is not None else ""
    return VisitorReading(reading=reading, visitor_id=known or requested_id or str(uuid.uuid4()))


def register_visitor(*, visitor_id: str, person: uuid.UUID | None) -> None:
    """IRBE's /createUser: tell the recommender about the face user behind `<id>/<emotion>`, if the request is theirs.

    Ids that name no face user (pseudo-users, unremembered visitors, anyone's id without their credential) create
    nothing: the recommender learns their context from each event instead.
    """
    visitor, _ = split_visitor_id(visitor_id)
    face_user = face_user_for(visitor, person=person)
    if face_user is not None:
        recommender_engine().upsert_user(face_user.as_visitor())


def record_like(
    *, visitor_id: str, person: uuid.UUID | None, item_key: str, impression_keys: Sequence[str]
) -> Interaction:
    """A like from the pages: `<id>/<emotion>` or a raw id, the liked key and the keys shown beside it.

    Unlike the original, the liked image must be live and every impression a known image, or nothing is stored
    (InteractionRejected). An id that names no face user, or names one without their credential (`person`), records
    an anonymous like in the visitor's emotion: a like is never put in someone's name by their id alone.
    """
    shown = list(dict.fromkeys(impression_keys))
    if len(shown) > MAX_IMPRESSIONS:
        raise InteractionRejected(code="too_many_impressions",
                                  message=f"At most {MAX_IMPRESSIONS} impressions per event.")
    image = find_image(item_key)
    if image is None:
        raise InteractionRejected(code="unknown_image", message=f"{item_key!r} is not in the gallery.")
    impression_ids = []
    for key in shown:
        impression = find_named_image(key)
        if impression is None:
            raise InteractionRejected(code="unknown_impressions", message=f"Unknown image in impressions: {key!r}.")
        impression_ids.append(impression.pk)
    visitor, emotion = split_visitor_id(visitor_id)
    face_user = face_user_for(visitor, person=person)
    recorded = record_interaction(
        event=Interaction.Event.LIKE,
        image_id=image.pk,
        visitor=face_user.as_visitor() if face_user else None,
        impression_ids=impression_ids,
        # Pages that send a raw id showed only images of the visitor's emotion, so the image's is theirs.
        emotion=emotion or image.emotion,
        # The original pages are served unrecorded (gallery.compat.selectors): their impressions count here.
        find_answer=False,
    )
    return recorded.interaction


def seed_recommender(*, segments: Iterable[tuple[Emotion | None, str]]) -> None:
    """IRBE's Dataset Generator: for each (emotion, gender) entry, every approved image of the emotion (None: of
    every emotion, in no emotion's context) gets an anonymous like from that gender ("" for any), its own
    impression, so that the cold-start counters start from the same emotion-to-image associations the original's
    "gender/emotion" pseudo-users taught Personalize.

    Each (emotion, gender) is seeded once per request however often it is listed.
    """
    with transaction.atomic():
        for emotion, gender in dict.fromkeys(segments):
            images = Image.objects.filter(status=Image.Status.APPROVED)
            if emotion is not None:
                images = images.filter(emotion=emotion)
            for image_id in images.values_list("id", flat=True):
                record_interaction(event=Interaction.Event.LIKE, image_id=image_id, impression_ids=[image_id],
                                   emotion=emotion or "", gender=gender)


def queue_bulk_images(*, fname: str, index: int, prompt: BulkPrompt) -> list[GenerationJob]:
    """One /bulk request: image `index` of the batch `fname` (`imgPool/<emotion>[/<favorite>]/<stem>`), in each of
    the prompt's sizes, as generation jobs queued in django-q2. The images land at `<fname>_<index><h|v>.jpeg`.

    A size already queued for the same name is skipped, as the original SQS FIFO queue dropped a message with the
    same deduplication id (`fname_index`): the second image could not take the name anyway.
    """
    batch = parse_key(fname)
    if batch is None or batch.prefix != POOL:
        raise CompatError(f"'fname' must look like '{POOL}/<emotion>[/<favorite>]/<name>'.")
    if batch.emotion != prompt.emotion:
        raise CompatError("The prompt's emotion is not the one in 'fname'.")
    longest_name = f"{batch.name}_{index}v.jpeg"
    try:
        theme = checked_theme(batch.theme)
        validate_image_name(longest_name)
    except ValidationError as error:
        raise CompatError(f"'fname' cannot name an image: {error.messages[0]}") from None
    if len(theme) > _max_length("theme") or len(longest_name) > _max_length("name"):
        raise CompatError("'fname' is too long for an image's theme and name.")
    jobs = []
    with transaction.atomic():
        # Checked and queued under a lock of the name: 20 identical requests at once made 14 jobs, 12 of them failed.
        hold_transaction_lock(f"compat.bulk:{batch.emotion}/{theme}/{batch.name}_{index}")
        for width, height in prompt.sizes:
            queued = GenerationItem.objects.filter(
                index=index, job__emotion=batch.emotion, job__theme=theme, job__file_stem=batch.name,
                job__width=width, job__height=height,
            )
            if queued.exists():
                continue
            job = create_generation_job(
                emotion=batch.emotion, count=1, first_index=index, width=width, height=height, theme=theme,
                prompt=prompt.text, file_stem=batch.name,
            )
            queue_generation_job(job=job)
            jobs.append(job)
    return jobs


def _max_length(field: str) -> int:
    return cast(int, Image._meta.get_field(field).max_length)  # a CharField's is always set


def remove_images(*, keys: Iterable[str]) -> None:
    """/remove, /removePool and /clearIndex: a live image is retired (it leaves the gallery and the recommender,
    its history stays), a pool image is deleted. Keys of nothing are ignored, as S3 deletes were."""
    with transaction.atomic():
        found = {image.pk for key in dict.fromkeys(keys) if (image := find_image(key)) is not None}
        # Locked in one order, by id, and read again under the lock: two removals of the same keys in opposite orders
        # deadlocked on PostgreSQL (a 500 for one of them).
        for image in Image.objects.select_for_update().filter(pk__in=found).order_by("pk"):
            if image.status == Image.Status.APPROVED:
                retire_image(image=image)
            else:
                delete_image(image=image)


_WORDS = re.compile(r"[a-z]+")
_PREVIEWS = "text2image"
_PREVIEW_NAME = re.compile(rf"{_PREVIEWS}/img_\d{{8}}-\d{{6}}_[0-9a-f]{{32}}_0\.jpeg")


def text_to_image(*, text: str, width: int, height: int) -> str:
    """EG's synchronous /text2image: one image from the default generator, stored outside the catalogue (it is a
    preview, not a gallery candidate). Returns its storage name. Raises GenerationFailed."""
    request = GenerationRequest(
        emotion=_emotion_named_in(text), theme="", prompt=text, width=width, height=height,
        seed=secrets.randbelow(2**31),
    )
    picture = image_generator().generate(request)
    # The original's img_<time>_<n>.jpeg with a random token inside: a name made of the time alone was found by
    # trying the last seconds' names, and what the preview shows (a curator's prompt) is nobody else's business.
    name = f"{_PREVIEWS}/img_{timezone.now():%Y%m%d-%H%M%S}_{secrets.token_hex(16)}_0.jpeg"
    return default_storage.save(name, ContentFile(encode_jpeg(picture)))


def is_preview_name(name: str) -> bool:
    """Whether `name` is one text_to_image gave: only those carry the token that keeps a preview to its holders."""
    return _PREVIEW_NAME.fullmatch(name) is not None


def _emotion_named_in(text: str) -> Emotion:
    """The first emotion word of the prompt ("white flowers, very happy, ..."), for generators that draw an emotion
    rather than read a prompt; calm when none is named."""
    for word in _WORDS.findall(text.lower()):
        if word.upper() in Emotion.values:
            return Emotion(word.upper())
    return Emotion.CALM


# EG's booth: a zone's eight landscape and eight portrait screens.
SCREENS_PER_ORIENTATION = 8


def update_display(*, zone: str, landscape: list[str], portrait: list[str]) -> list[str]:
    """EG's /updateDisplay: copy each listed live image to the zone's screen of its position (img1h..img8h,
    img1v..img8v); screens not listed keep what they show. Returns the screens' storage names. Raises CompatError
    for a key that names no live image, before any screen changes.

    As the original copied each S3 object to `display/<zone>/img<N><h|v>.jpeg`, the picture is copied in storage: a
    screen keeps showing it until the next update, whatever happens to the image in the gallery meanwhile. Unlike
    the original, only live images can be put on a screen: a booth shows what curators approved.
    """
    if not is_zone(zone):
        raise CompatError("'zone' must be 1 to 64 letters, digits, '-' or '_'.")
    screens: list[tuple[str, Image]] = []
    for letter, keys in (("h", landscape), ("v", portrait)):
        for position, key in enumerate(keys, start=1):
            if not key:
                continue  # as the original's `if (imgs[i])`: an empty entry leaves that screen as it is
            parsed = parse_key(key)
            image = find_image(key) if parsed is not None and parsed.prefix == LIVE else None
            if image is None:
                raise CompatError(f"{key!r} is not an image of the live gallery ({LIVE}/...).")
            screens.append((f"{DISPLAY}/{zone}/img{position}{letter}.jpeg", image))
    pictures = []
    for name, image in screens:
        try:
            with image.file.open("rb") as picture:
                pictures.append((name, picture.read()))
        except OSError:
            raise CompatError(f"{live_key(image)!r} has lost its file.", status=409) from None
    for name, content in pictures:
        _replace_screen(name, content)
    return [name for name, _ in screens]


def _replace_screen(name: str, content: bytes) -> None:
    """The screen's picture swapped in one step on a local disk (a new file renamed over the old): deleted and then
    saved, two updates at once left the later picture in a renamed copy the screen never shows, and a screen asked
    in between found nothing (a 500, or the missing key's 403). Remote storage replaces the object as it is saved."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        default_storage.delete(name)  # the same name again, not a renamed copy beside the old one
        default_storage.save(name, ContentFile(content))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", suffix=".part", delete=False) as part:
        part.write(content)
    os.chmod(part.name, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
    os.replace(part.name, path)
