"""The size of the garden's cursor, compact (a signed, deflated set of id gaps) against the signed JSON list it
replaced, and the time to encode and decode one, for a visitor who has seen N images of a catalogue.

Seen ids are drawn at random from the catalogue's ids (the worst case for gaps) and as a run of consecutive ids (a
small catalogue seen to its end). No database: gallery.cursors only needs Django's signing.

Usage: .venv/bin/python benchmarks/garden_cursor.py [--catalogue 20000] [--seen 30 300 3000 10000]
"""

import argparse
import os
import random
import sys
import time

from loadtools import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalogue", type=int, default=20_000)
    parser.add_argument("--seen", type=int, nargs="+", default=[30, 300, 3000, 10_000])
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emotion_garden.settings_test")
    import django

    django.setup()
    from django.core import signing

    from gallery.cursors import decode_cursor, encode_cursor

    rng = random.Random(20)
    print(f"catalogue of {args.catalogue} ids; characters per cursor, and microseconds to encode + decode")
    print(f"{'seen':>6} {'ids':>11} {'old list':>9} {'compact':>8} {'µs':>8}")
    for seen in args.seen:
        for kind, ids in (("random", rng.sample(range(1, args.catalogue + 1), seen)),
                          ("run", list(range(1, seen + 1)))):
            # The old cursor kept the last 500 ids only.
            old = len(signing.dumps(ids[-500:], salt="emotion-garden.garden-cursor", compress=True))
            started = time.perf_counter()
            for _ in range(20):
                token = encode_cursor(ids)
                assert decode_cursor(token) == set(ids)
            micros = (time.perf_counter() - started) / 20 * 1e6
            print(f"{seen:>6} {kind:>11} {old:>9} {len(token):>8} {micros:>8.0f}")


if __name__ == "__main__":
    main()
