"""What the original pages send: JSON blobs posted as application/json, and webcam frames drawn on a <canvas>."""

import io
import json

from django.http import HttpResponse
from django.test import Client
from PIL import Image

from curation.models import Image as CatalogueImage
from tests.factories import ApprovedImageFactory, ImageFactory


def post_json(client: Client, path: str, body: object) -> HttpResponse:
    """As `xhr.send(new Blob([JSON.stringify(body)], {type: 'application/json'}))`."""
    return client.post(path, data=json.dumps(body), content_type="application/json")


def canvas_png(picture: Image.Image, *, width: int, height: int) -> bytes:
    """The picture as a <video> of width x height shows it (cropped to its aspect), drawn to a canvas and sent
    with canvas.toBlob(), i.e. PNG."""
    cropped = picture.crop((0, 0, picture.width, round(picture.width * height / width))).resize((width, height))
    buffer = io.BytesIO()
    cropped.save(buffer, format="PNG")
    return buffer.getvalue()


def live_image(name: str, *, emotion: str = "HAPPY", theme: str = "") -> CatalogueImage:
    """An approved image at emotions/<emotion>[/<theme>]/<name>; a name ending in "v.jpeg" is a portrait."""
    return ApprovedImageFactory(name=name, emotion=emotion, theme=theme, orientation=_orientation(name))


def pool_image(name: str, *, emotion: str = "HAPPY", theme: str = "") -> CatalogueImage:
    """A pending image at imgPool/<emotion>[/<theme>]/<name>."""
    return ImageFactory(name=name, emotion=emotion, theme=theme, orientation=_orientation(name))


def _orientation(name: str) -> CatalogueImage.Orientation:
    portrait = name.endswith("v.jpeg")
    return CatalogueImage.Orientation.PORTRAIT if portrait else CatalogueImage.Orientation.LANDSCAPE
