"""The original endpoints over HTTP: parse the original body, call one compat service or selector, shape the reply.

Plain Django views: the pages send no CSRF token and no auth, and only look at `status === 200`, so every refusal is
a plain-text 4xx (or 503) and never a 500. The reads stay open, as the originals were; the writes to the catalogue
and the endpoints that start work answer only to a curator (gallery.compat.curators). A visitor id acts for a face
user only with that person's credential, the cookie /emotion sets when it names them (gallery.person_access):
same-origin XHRs of the original pages carry it back without knowing it is there.
"""

import json
import math
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from curation.generators.base import GenerationFailed
from curation.models import Image
from emotion_garden.imaging import InvalidImage
from emotion_garden.themes import theme_label
from emotion_garden.vocabulary import Emotion, Gender
from gallery.api_access import request_wait
from gallery.compat.bodies import (
    CompatError,
    json_array,
    json_object,
    parse_age_band,
    parse_emotion,
    parse_gender,
    parse_search_key,
    read_bulk_prompt,
    read_int,
    read_keys,
    read_text,
)
from gallery.compat.curators import GENERATE_IMAGES, REMOVE_IMAGES, SEED_RECOMMENDER, curator_only
from gallery.compat.keys import LIVE, find_image, live_key, pool_key, search_key
from gallery.compat.selectors import (
    favorite_first_images,
    images_with_search_key,
    recommended_images,
    split_visitor_id,
)
from gallery.compat.services import (
    queue_bulk_images,
    read_visitor,
    record_like,
    register_visitor,
    remove_images,
    seed_recommender,
    text_to_image,
)
from gallery.compat.shapes import absolute_url, by_orientation, emotion_info, relative_url
from gallery.faces.base import FaceServiceUnavailable
from gallery.person_access import hand_out_credential, person_of, set_person_cookie
from gallery.services import NoFaceFound
from recommender.selectors import Mode
from recommender.services import InteractionRejected

MAX_VISITOR_ID_LENGTH = 128
MAX_KEYS = 1000  # per request, as S3's DeleteObjects
MAX_DATASET_ENTRIES = 100  # the Dataset Generator sends 27 or 9
MAX_BULK_INDEX = 9999  # the bulk pages send at most 51 per batch
MIN_SIDE, MAX_SIDE = 64, 1280  # text2image: EG offered 768x512 up to 1280x800
LIVE_IMAGE_MAX_AGE = 3600

# What S3 behind CloudFront answered for a missing object; the curation pages clean up on exactly this status.
ACCESS_DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
)

View = Callable[[HttpRequest], HttpResponse]


def compat_endpoint(view: View) -> View:
    """POST only, exempt from CSRF, and a CompatError answered as plain text with its status."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def endpoint(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except CompatError as error:
            return _text(error.message, status=error.status)

    return endpoint


def compat_read(view: View) -> View:
    """GET and HEAD only, exempt from CSRF as compat_endpoint is: a POST gets require_safe's 405, not CSRF's HTML
    page (403)."""
    return csrf_exempt(require_safe(view))


def throttled(view: View, *, face: bool = False, searches_people: bool = False) -> View:
    """Count each request as the REST API counts a face request without a key (gallery.api_access.request_wait: in
    its address's budget, whatever cookie comes with one that searches the people), and answer 429 with
    Retry-After, in plain text, once it is spent. Without it, a script read faces here with no limit at all, the
    kiosk's face search included (gallery.compat.urls says which endpoints)."""

    @wraps(view)
    def counted(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
        if request.method != "POST":  # never a reading (the view answers 405): a kiosk's stray GETs spent its faces
            return view(request, *args, **kwargs)
        wait = request_wait(request, face=face, searches_people=searches_people)
        if wait is None:
            return view(request, *args, **kwargs)
        seconds = math.ceil(wait)
        response = _text(f"Too many requests from this address: try again in {seconds} seconds.", status=429)
        response["Retry-After"] = str(seconds)
        return response

    return counted


def _text(message: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@compat_endpoint
def emotion(request: HttpRequest) -> HttpResponse:
    requested_id = request.headers.get("X-user-id", "").strip()
    if len(requested_id) > MAX_VISITOR_ID_LENGTH:
        raise CompatError(f"X-user-id is longer than {MAX_VISITOR_ID_LENGTH} characters.")
    try:
        visitor = read_visitor(photo=request.body, requested_id=requested_id)
    except InvalidImage as error:
        raise CompatError(error.message, status=error.status) from None
    except NoFaceFound:
        raise CompatError("No Face", status=404) from None
    except FaceServiceUnavailable as error:
        raise CompatError(f"The face service is unavailable: {error}", status=503) from None
    response = JsonResponse(emotion_info(visitor=visitor))
    face_user = visitor.reading.face_user
    if face_user is not None:  # only with COMPAT_REMEMBER_FACES: the body keeps the original shape
        set_person_cookie(request, response, hand_out_credential(request, face_user).token)
    return response


@compat_endpoint
def gallery(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    visitor, user_emotion = split_visitor_id(read_text(body, "userId"))
    picked_emotion = parse_emotion(read_text(body, "emotion")) if "emotion" in body else user_emotion
    if picked_emotion is None:
        raise CompatError("'emotion' is required.")
    # An emotion-recommendation id is "<gender>/<emotion>", so its first part is the gender when none is sent.
    gender = parse_gender(read_text(body, "gender", default=visitor))
    # IRBE's personalised button sends "<faceId>/<emotion>": personal picks whenever that names a face user.
    images = recommended_images(visitor=visitor, person=person_of(request), emotion=picked_emotion, gender=gender,
                                mode=Mode.PERSONAL)
    return JsonResponse([{"url": relative_url(live_key(image))} for image in images], safe=False)


@compat_endpoint
def create_user(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    user_id = read_text(body, "userId")
    gender = read_text(body, "gender", default="")
    user_emotion = read_text(body, "emotion")
    parse_emotion(user_emotion)  # only echoed, but refused when it is no emotion, as on every other route
    register_visitor(visitor_id=user_id, person=person_of(request))
    return JsonResponse({"userId": user_id, "gender": gender, "emotion": user_emotion})


@compat_endpoint
def like(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    impressions = read_keys(body, "impression", max_items=MAX_KEYS) if "impression" in body else []
    visitor_id, item_key = read_text(body, "id"), read_text(body, "itemId")
    try:
        record_like(visitor_id=visitor_id, person=person_of(request), item_key=item_key, impression_keys=impressions)
    except InteractionRejected as error:
        raise CompatError(_like_refusal(error, item_key=item_key)) from None
    return _text("Success")


def _like_refusal(error: InteractionRejected, *, item_key: str) -> str:
    """The recommender names images by their internal id, which these clients never see: for a pool key it answered
    "There is no image 162.", the id of an unpublished image. The answer names the keys the client sent instead."""
    if error.code in ("unknown_image", "image_not_live"):
        return f"There is no live image with the key {item_key!r}."
    if error.code == "unknown_impressions":
        return "Every impression must be the key of an image of the gallery."
    return error.message


@compat_endpoint
def gallery_from_db(request: HttpRequest) -> HttpResponse:
    """IRBE had no favorites: its index's searchKey was the bare emotion of every image, so a bare emotion here
    lists the emotion's images of every theme (else its enabler page found nothing in a themed gallery)."""
    images = _searched_images(request, status=Image.Status.APPROVED, any_theme=True)
    return JsonResponse(by_orientation(images, lambda image: {"url": relative_url(live_key(image))}))


@compat_endpoint
def garden_from_db(request: HttpRequest) -> HttpResponse:
    images = _searched_images(request, status=Image.Status.APPROVED)
    return JsonResponse(by_orientation(
        images, lambda image: {"url": absolute_url(request, live_key(image)), "emotion": search_key(image)}
    ))


@compat_endpoint
def garden(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    requested = read_text(body, "emotion")
    visitor_emotion, favorite = parse_search_key(requested)
    # The original's campaign had no filter, so every answer had images whatever the favorite. Here the favorite's
    # own images come first, with the emotion's others when it has none; the searchKey is echoed either way.
    images = favorite_first_images(
        visitor=read_text(body, "id", default=""),
        person=person_of(request),
        emotion=visitor_emotion,
        favorite=favorite,
        gender=parse_gender(read_text(body, "gender", default="")),
        age_band=parse_age_band(read_text(body, "generation", default="")),
    )
    return JsonResponse(by_orientation(
        images, lambda image: {"url": absolute_url(request, live_key(image)), "emotion": requested}
    ))


@compat_endpoint
@curator_only(SEED_RECOMMENDER)
def generate_dataset(request: HttpRequest) -> HttpResponse:
    entries = json_array(request)
    if len(entries) > MAX_DATASET_ENTRIES:
        raise CompatError(f"At most {MAX_DATASET_ENTRIES} entries per request.")
    segments = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise CompatError("Each entry must be a JSON object.")
        entry_emotion = read_text(entry, "emotion")
        # The original gave "any" the surprised images; here it is every image, in no emotion's context.
        emotion = None if entry_emotion.lower() == "any" else parse_emotion(entry_emotion)
        # Its genders were male, female, any and others: only the first two name a segment.
        gender = str(entry.get("gender", "")).capitalize()
        segments.append((emotion, gender if gender in Gender.values else ""))
    # An empty gallery seeds nothing and still succeeds: the original's 502 then was an accident, not a contract.
    seed_recommender(segments=segments)
    return _text("Success")


@compat_endpoint
@curator_only(GENERATE_IMAGES)
def bulk(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    queue_bulk_images(
        fname=read_text(body, "fname"),
        index=read_int(body, "index", minimum=0, maximum=MAX_BULK_INDEX),
        prompt=read_bulk_prompt(body, "prompt"),
    )
    return JsonResponse(body)


@compat_endpoint
@curator_only(REMOVE_IMAGES)
def remove(request: HttpRequest) -> HttpResponse:
    """/remove and /removePool: objName is an array, or (the bulk pages) an array JSON-encoded in a string."""
    remove_images(keys=read_keys(json_object(request), "objName", max_items=MAX_KEYS))
    return _text("")


@compat_endpoint
@curator_only(REMOVE_IMAGES)
def clear_index(request: HttpRequest) -> HttpResponse:
    """The original dropped only an index row; here index and object are one, so the image is removed."""
    remove_images(keys=[read_text(json_object(request), "objName")])
    return _text("")


@compat_endpoint
def retrieve(request: HttpRequest) -> HttpResponse:
    images = _searched_images(request, status=Image.Status.PENDING)
    # Absolute, unlike IRBE's relative urls: EG's preview pages live under /html/ and use the url as <img src>;
    # both pages recover the key with url.lastIndexOf('imgPool').
    return JsonResponse(by_orientation(
        images, lambda image: {"url": absolute_url(request, pool_key(image)), "emotion": search_key(image)}
    ))


@compat_endpoint
@curator_only(GENERATE_IMAGES)
def text2image(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    text = read_text(body, "text")
    width = read_int(body, "width", minimum=MIN_SIDE, maximum=MAX_SIDE)
    height = read_int(body, "height", minimum=MIN_SIDE, maximum=MAX_SIDE)
    started = time.monotonic()
    try:
        name = text_to_image(text=text, width=width, height=height)
    except GenerationFailed as error:
        raise CompatError(f"The image could not be generated: {error}", status=503) from None
    # A non-proxy integration: the original page receives the Lambda's own return value as a 200.
    return JsonResponse({
        "statusCode": 200,
        "body": json.dumps([request.build_absolute_uri(default_storage.url(name))]),
        "time": round(time.monotonic() - started),
    })


@compat_read
def image_page(request: HttpRequest) -> HttpResponse:
    """EG's GET /image?content=<key>: a page that hands a visitor their image. Only a live image's key: the original
    wrote whatever `content` held into its page."""
    image = find_image(request.GET.get("content", ""))
    if image is None or image.status != Image.Status.APPROVED:
        raise Http404("No live image has this key.")
    emotion = Emotion(image.emotion)
    return render(request, "gallery/shared_image.html", {
        "image": image, "emotion": emotion.label, "feeling": emotion.feeling, "theme": theme_label(image.theme)})


@compat_read
def image_file(request: HttpRequest, prefix: str, rest: str) -> HttpResponse:
    """GET emotions/... (approved) or imgPool/... (pending); anything else is S3's 403."""
    image = find_image(f"{prefix}/{rest}")
    if image is None:
        return access_denied()
    url = image.file.url
    if urlsplit(url).scheme:
        return redirect(url)  # remote storage (S3) serves the bytes itself
    try:
        file = image.file.open("rb")
    except OSError:  # a row whose file is gone is as missing as S3's object
        return access_denied()
    # Every catalogue file is a re-encoded JPEG (add_image_to_pool).
    response = FileResponse(file, content_type="image/jpeg", filename=image.name)
    if prefix == LIVE:
        patch_cache_control(response, public=True, max_age=LIVE_IMAGE_MAX_AGE)
    else:
        # Curators delete pool images while reviewing; the preview pages' 403 check must see that at once.
        patch_cache_control(response, no_cache=True)
    return response


def access_denied() -> HttpResponse:
    response = HttpResponseForbidden(ACCESS_DENIED, content_type="application/xml")
    patch_cache_control(response, no_store=True)
    return response


def _searched_images(request: HttpRequest, *, status: Image.Status, any_theme: bool = False) -> list[Image]:
    """The images of the body's searchKey ("emotion" or "emotion/favorite") in the given status; with `any_theme`,
    a bare emotion stands for all of its themes."""
    image_emotion, theme = parse_search_key(read_text(json_object(request), "emotion"))
    return images_with_search_key(status=status, emotion=image_emotion, theme=theme or (None if any_theme else ""))
