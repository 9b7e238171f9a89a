"""How well curation.duplicates tells a copy from a different picture, and what a lookup costs.

On the built-in generator's art (every emotion x a few themes x seeds, landscape), it prints:

- recall: the share of edited copies (resized, re-encoded as a low-quality JPEG, cropped by 3% a side, brightened by
  10%) found as near copies of their original, per edit, with the bit distances seen;
- false matches: pairs of different pictures that the near-copy rule would match, and the smallest distance between
  any two different pictures;
- speed: fingerprinting one 1024x600 picture, and comparing a fingerprint with a catalogue of --catalogue random
  fingerprints (the numpy part of the lookup, without the database read).

Usage: .venv/bin/python benchmarks/duplicates.py [--seeds 4] [--catalogue 10000] [--near-bits 8]
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotion_garden.settings")

import django  # noqa: E402

django.setup()

from curation import duplicates  # noqa: E402
from curation.duplicates import NEAR_COLOUR, candidates, fingerprint, nearest  # noqa: E402
from curation.generators.procedural_art import draw_emotion_art  # noqa: E402
from emotion_garden.imaging import encode_jpeg  # noqa: E402
from emotion_garden.vocabulary import Emotion  # noqa: E402

THEMES = ["spring,cloudy,day", "winter,snowy,sunset", "summer,sunny,day,dog"]
SIZE = (512, 320)


def edits(picture: Image.Image) -> dict[str, Image.Image]:
    width, height = picture.size
    crop_x, crop_y = round(width * 0.03), round(height * 0.03)
    low_quality = io.BytesIO()
    picture.save(low_quality, format="JPEG", quality=35)
    return {
        "resized to 60%": picture.resize((round(width * 0.6), round(height * 0.6)), Image.Resampling.LANCZOS),
        "JPEG quality 35": Image.open(io.BytesIO(low_quality.getvalue())).convert("RGB"),
        "cropped 3% a side": picture.crop((crop_x, crop_y, width - crop_x, height - crop_y)),
        "brightened 10%": ImageEnhance.Brightness(picture).enhance(1.1),
    }


def print_of(picture: Image.Image):  # noqa: ANN201 - a Fingerprint
    return fingerprint(picture=picture, stored_jpeg=encode_jpeg(picture))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--catalogue", type=int, default=10_000)
    parser.add_argument("--near-bits", type=int, default=duplicates.NEAR_BITS,
                        help="try another threshold than curation.duplicates.NEAR_BITS")
    options = parser.parse_args()
    duplicates.NEAR_BITS = options.near_bits

    pictures = [draw_emotion_art(emotion=emotion, width=SIZE[0], height=SIZE[1], seed=seed, theme=theme, prompt="")
                for emotion in Emotion.values for theme in THEMES for seed in range(options.seeds)]
    prints = [print_of(picture) for picture in pictures]
    hashes, colours = candidates([(one.perceptual_hash, one.colour) for one in prints])
    print(f"{len(pictures)} procedural pictures ({SIZE[0]}x{SIZE[1]}); near copy: <= {duplicates.NEAR_BITS} of 64 "
          f"bits and mean colour within {NEAR_COLOUR}")

    print("\nrecall of edited copies (found as a near copy of their own original):")
    copies = [{name: print_of(edited) for name, edited in edits(picture).items()} for picture in pictures]
    for name in copies[0]:
        found, distances = 0, []
        for position in range(len(pictures)):
            copy = copies[position][name]
            bits = int(np.bitwise_count(np.uint64(int(copy.perceptual_hash, 16)) ^ hashes[position]))
            distances.append(bits)
            match = nearest(copy, hashes, colours)
            found += match is not None and match[0] == position
        print(f"  {name:18} {found}/{len(pictures)} = {found / len(pictures):.1%}; bits differing: median "
              f"{statistics.median(distances)}, max {max(distances)}")

    false, smallest = 0, 64
    for position, one in enumerate(prints):
        others = np.delete(np.arange(len(prints)), position)
        match = nearest(one, hashes[others], colours[others])
        false += match is not None
        bits = np.bitwise_count(hashes[others] ^ np.uint64(int(one.perceptual_hash, 16)))
        smallest = min(smallest, int(bits.min()))
    print(f"\nfalse matches: {false} of {len(prints)} pictures would be refused as a copy of another; the closest two "
          f"different pictures differ by {smallest} bits")

    big = draw_emotion_art(emotion="HAPPY", width=1024, height=600, seed=1, theme=THEMES[0], prompt="")
    start = time.perf_counter()
    for _ in range(10):
        print_of(big)
    fingerprint_ms = (time.perf_counter() - start) / 10 * 1000
    generator = np.random.default_rng(0)
    catalogue_hashes = generator.integers(0, 2**63, size=options.catalogue, dtype=np.uint64)
    catalogue_colours = generator.integers(0, 256, size=(options.catalogue, 3), dtype=np.uint8)
    start = time.perf_counter()
    for _ in range(100):
        nearest(prints[0], catalogue_hashes, catalogue_colours)
    compare_ms = (time.perf_counter() - start) / 100 * 1000
    print(f"\nspeed: fingerprint of a 1024x600 picture (with its JPEG encoding) {fingerprint_ms:.1f} ms; comparing "
          f"one fingerprint with {options.catalogue} others {compare_ms:.2f} ms")


if __name__ == "__main__":
    main()
