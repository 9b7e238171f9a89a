"""The original celebrity look-alike page's one endpoint, `POST /upload` (multipart `user_image` and
`reference_image`), answered from our curated reference collection in the shape that page reads.

The original always answered 200 with JSON, `found` false when nobody matched and an `error` when a file was
missing; its page shows `name`, `match_confidence`, `comparison_confidence`, `info_url`, `message` and `image` (a data
URL). We keep that shape, and answer 4xx (still JSON with an `error`) for what the original crashed or hung on:
a file that is not an image, or one too large. "Found" means the best match resembles the face at least strongly
(gallery.lookalike's bands), not merely that the collection has somebody in it.
"""

import base64
import mimetypes

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from emotion_garden.imaging import InvalidImage
from gallery.faces.base import FaceServiceUnavailable
from gallery.lookalike import Lookalikes, Resemblance, find_lookalikes
from gallery.services import NoFaceFound

MISSING_FILES = "Both user image and reference image are required"
# In the visitor's language (the original's page and its message were Korean).
NOBODY_ALIKE = _("Nobody in our reference collection looks much like this face.\n\n"
                 "How similar it is to your reference photo is shown below.")


@csrf_exempt
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    user_image, reference_image = request.FILES.get("user_image"), request.FILES.get("reference_image")
    if user_image is None or reference_image is None:
        return JsonResponse({"error": MISSING_FILES})
    try:
        result = find_lookalikes(photo=user_image.read(), reference_photo=reference_image.read(), people=1)
    except InvalidImage as error:
        return JsonResponse({"error": error.message}, status=error.status)
    except NoFaceFound as error:
        # As the original did when Rekognition found no face: nobody found, nothing compared.
        return JsonResponse({"found": False, "comparison_confidence": 0, "message": str(error)})
    except FaceServiceUnavailable:
        return JsonResponse({"error": "The face service is unavailable; try again shortly."}, status=503)
    return JsonResponse(_answer(result))


def _answer(result: Lookalikes) -> dict[str, object]:
    comparison = round(result.reference_similarity or 0.0, 2)
    best = result.matches[0] if result.matches else None
    if best is None or best.resemblance == Resemblance.FAINT:
        return {"found": False, "comparison_confidence": comparison, "message": str(NOBODY_ALIKE)}
    person = best.photo.person
    answer: dict[str, object] = {
        "found": True, "name": person.name, "match_confidence": round(best.similarity, 2),
        "comparison_confidence": comparison, "info_url": person.info_url, "message": "",
    }
    content_type = mimetypes.guess_type(best.photo.photo.name)[0] or "image/jpeg"
    with best.photo.photo.open("rb") as photo:
        answer["image"] = f"data:{content_type};base64," + base64.b64encode(photo.read()).decode("ascii")
    return answer
