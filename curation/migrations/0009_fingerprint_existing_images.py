"""Fingerprints the images stored before duplicates were looked for, so that re-uploading one of them is caught too.

Each stored file is read once; an unreadable one keeps empty fingerprints (it is simply never matched).
"""

import hashlib
import io

import imagehash
from django.db import migrations
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError


def fingerprint_images(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Image = apps.get_model("curation", "Image")
    for image in Image.objects.filter(perceptual_hash="").exclude(file="").iterator(chunk_size=200):
        try:
            with image.file.open("rb") as stored:
                content = stored.read()
            with PillowImage.open(io.BytesIO(content)) as picture:
                rgb = picture.convert("RGB")
        except (OSError, UnidentifiedImageError, ValueError):
            continue
        mean = rgb.resize((1, 1), PillowImage.Resampling.BOX).getpixel((0, 0))
        image.pixel_digest = hashlib.sha256(content).hexdigest()
        image.perceptual_hash = str(imagehash.phash(rgb))
        image.colour = "".join(f"{channel:02x}" for channel in mean)
        image.save(update_fields=["pixel_digest", "perceptual_hash", "colour"])


class Migration(migrations.Migration):
    dependencies = [("curation", "0008_image_fingerprints")]

    operations = [migrations.RunPython(fingerprint_images, migrations.RunPython.noop, elidable=True)]
