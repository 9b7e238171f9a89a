"""Online simulation of returning visitors with hidden tastes: does the garden learn what each visitor loves?

For each world (benchmarks/sim_world.py presets) and seed, every visitor visits --visits times (in rounds), each
visit showing one emotion and --pages pages of --page-size images; the visitor likes each image with a hidden
probability that follows its content (theme words, subjects, visual traits), their mood response (mirror, lift,
calm) and the image's quality. Printed: the like-rate by tenths of the run for
- random images of the visitor's emotion (the original 2023 system),
- emotion-only popularity (Thompson sampling on like-rates among visitors of that emotion),
- the product: by default driven through the REST API (POST /api/v1/garden with the face user, POST /api/v1/like
  with the impressions and the recommendation_id) on a fresh database with a procedurally painted catalogue whose
  pixels carry the visual traits, with the scheduled refit run between rounds (none with --no-refit; Django's test
  client, in-process);
  with --offline, the same algorithm in pure numpy (recommender.taste), seconds instead of minutes,
- an oracle that knows every hidden taste;
then the same tenths' expected like-rate (the hidden like-probabilities of what was shown), free of the likes' draw
noise: benchmarks/sim_compare.py --expected compares two engines on it.

Usage: .venv/bin/python benchmarks/online_sim.py [--worlds mixed,mood,taste] [--seeds 1,2] [--items 300,1000]
       [--visitors 60] [--visits 10] [--pages 4] [--page-size 3] [--offline] [--database-url postgres://...]
       [--engine-options '{"colike_weight": 0}'] [--no-refit] [--without-recommendation-id]
       [--without-emotion] [--likes-without-face-user] [--anonymous] [--without-cursor]
       [--likes-without-impressions] [--counter-lag-pages 60]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# One math thread: small matrices are slower with several, and this machine's cores are shared.
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.sim_policies import EmotionPopularity, EmotionRandom, Oracle, TasteBandit  # noqa: E402
from benchmarks.sim_world import EXPECTED_LABEL, PRESETS, World, run  # noqa: E402
from recommender.taste import BaselineConfig, TasteConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", default="mixed,mood,taste,content,popular",
                        help=f"comma-separated presets of {', '.join(PRESETS)}")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--items", default="300", help="catalogue sizes, comma-separated (each world and seed runs "
                        "at each)")
    parser.add_argument("--visitors", type=int, default=60)
    parser.add_argument("--visits", type=int, default=10, help="visits per visitor (returning visits)")
    parser.add_argument("--pages", type=int, default=4, help="pages per visit")
    parser.add_argument("--page-size", type=int, default=3)
    parser.add_argument("--offline", action="store_true", help="the product's algorithm in numpy, not the API")
    parser.add_argument("--counter-lag-pages", type=int, default=0, help="offline: the baseline reads the "
                        "counters as they were up to this many pages ago (the API reads them every few seconds); "
                        "0: at once")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL for the API run; default SQLite")
    parser.add_argument("--engine-options", default="{}", help="JSON keyword arguments of the local engine, to "
                        'compare settings: {"colike_weight": 0, "taste": {"exploration": 0.2}}; offline, only '
                        '"baseline" and "taste" apply')
    parser.add_argument("--no-refit", action="store_true", help="API run: never run the refit (a run shorter "
                        "than the refit's 15-minute schedule), instead of between rounds of visits")
    parser.add_argument("--without-recommendation-id", action="store_true", help="API run: likes send the page as "
                        "impressions but not its recommendation_id (a client that does not keep it)")
    parser.add_argument("--without-emotion", action="store_true", help="API run: likes do not send the visit's "
                        "emotion (a client that sends only what the like is of)")
    parser.add_argument("--likes-without-face-user", action="store_true", help="API run: likes carry the person's "
                        "credential but do not name the face user")
    parser.add_argument("--anonymous", action="store_true", help="API run: visitors are never enrolled; gardens and "
                        "likes send the gender and age read, no face user or credential")
    parser.add_argument("--without-cursor", action="store_true", help="API run: each page of a visit is asked "
                        "afresh, without the cursor of the page before (a client that does not keep it)")
    parser.add_argument("--likes-without-impressions", action="store_true", help="API run: likes do not send the "
                        "page they were on (with --without-recommendation-id: the server alone knows what was shown)")
    args = parser.parse_args()
    engine_options = json.loads(args.engine_options)
    if args.offline and set(engine_options) - {"baseline", "taste"}:
        parser.error("offline, --engine-options takes only \"baseline\" and \"taste\"")
    shape = {"visits": args.visits, "pages": args.pages, "page_size": args.page_size}
    # The API runs' database (SQLite) and painted images: Django is set up once per process, so every run of this
    # process uses the first folder (each run flushes the database), removed when the process ends.
    scratch = tempfile.TemporaryDirectory(prefix="online-sim-")
    summary = []
    runs = [(world_name, int(seed), int(items)) for items in args.items.split(",")
            for world_name in args.worlds.split(",") for seed in args.seeds.split(",")]
    for world_name, seed, items in runs:
        world = World(PRESETS[world_name], items=items, visitors=args.visitors, seed=seed)
        outcomes = {}
        for label, policy_class in (("emotion random", EmotionRandom), ("emotion popularity", EmotionPopularity),
                                    ("oracle", Oracle)):
            policy = policy_class(world, seed)
            outcomes[label] = run(world, policy.page, policy.feedback, seed=seed, **shape)
        started = time.monotonic()
        if args.offline:
            policy = TasteBandit(world, seed, baseline=BaselineConfig(**engine_options.get("baseline", {})),
                                 taste=TasteConfig(**engine_options.get("taste", {})),
                                 counter_lag_pages=args.counter_lag_pages)
            product_label = "product (numpy)"
            outcomes[product_label] = run(world, policy.page, policy.feedback, seed=seed, **shape)
        else:
            from benchmarks.sim_api import api_run

            product_label = "product (API)"
            outcomes[product_label] = api_run(world, seed=seed, database_url=args.database_url,
                                              data_dir=Path(scratch.name),
                                              engine_options=engine_options,
                                              refit=not args.no_refit,
                                              name_the_answer=not args.without_recommendation_id,
                                              tell_the_emotion=not args.without_emotion,
                                              name_the_person=not args.likes_without_face_user,
                                              identified=not args.anonymous,
                                              keep_the_cursor=not args.without_cursor,
                                              send_the_page=not args.likes_without_impressions, **shape)
        rows = {label: outcome.rates for label, outcome in outcomes.items()}
        product = rows[product_label]
        print(f"\nworld {world_name}, seed {seed}: {items} images, {args.visitors} visitors x {args.visits} "
              f"visits x {args.pages} pages of {args.page_size} (product ran {time.monotonic() - started:.0f} s)")
        print(f"{'like-rate by tenth':<30}" + "".join(f"{tenth:>7}" for tenth in range(1, 11)))
        for label, rates in rows.items():
            print(f"{label:<30}" + "".join(f"{rate:>7.3f}" for rate in rates))
        # The same tenths in hidden like-probability of what was shown: no draw noise (sim_compare.py --expected).
        for label, outcome in outcomes.items():
            print(f"{EXPECTED_LABEL + label:<30}" + "".join(f"{rate:>7.3f}" for rate in outcome.expected_rates))
        baseline = max(rows["emotion random"][-1], rows["emotion popularity"][-1], 1e-9)
        first_baseline = max(rows["emotion random"][0], rows["emotion popularity"][0], 1e-9)
        random = rows["emotion random"]
        expected_product = outcomes[product_label].expected_rates
        expected_best = np.maximum(outcomes["emotion random"].expected_rates,
                                   outcomes["emotion popularity"].expected_rates)
        summary.append((world_name, seed, items, product[-1] / baseline, product[0] / first_baseline,
                        product[-1] / max(random[-1], 1e-9), product[0] / max(random[0], 1e-9),
                        product[-1] / max(product[0], 1e-9), rows["oracle"][-1] / baseline,
                        expected_product[-1] / expected_best[-1], expected_product[0] / expected_best[0]))
    print("\nproduct against the better emotion-only baseline (random or popularity) and against random images of "
          "the emotion (the original system) in the same tenth, and what the oracle reaches in the last tenth:")
    print(f"{'world':<10}{'seed':>5}{'items':>6}{'last/best':>11}{'first/best':>12}{'last/random':>13}"
          f"{'first/random':>14}{'last/first':>12}{'oracle last':>13}")
    for world_name, seed, items, *ratios in summary:
        print(f"{world_name:<10}{seed:>5}{items:>6}" + "".join(f"{ratio:>{width - 1}.2f}x" for ratio, width
                                                             in zip(ratios[:6], (11, 12, 13, 14, 12, 13), strict=True)))
    table = np.array([row[3:] for row in summary])
    for column, label in ((0, "last tenth / better emotion-only"), (1, "first tenth / better emotion-only"),
                          (2, "last tenth / emotion random"), (3, "first tenth / emotion random"),
                          (6, "expected, last tenth / better"), (7, "expected, first tenth / better")):
        print(f"{label:<34}: mean {table[:, column].mean():.2f}x, min {table[:, column].min():.2f}x "
              f"over {len(summary)} runs")


if __name__ == "__main__":
    main()
