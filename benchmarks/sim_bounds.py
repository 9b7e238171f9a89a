"""Where the garden's learning could still gain on benchmarks/online_sim.py's worlds, and where it cannot.

The product's algorithm (sim_policies.TasteBandit, offline) runs as it is, and again with part of each visitor's hidden
taste handed to it up to scale: "mood shape" replaces the 65 mood-response columns of the visitor's features with
one, their true response to each image emotion in each mood; "content shape" replaces the content columns (emotion,
theme and prompt words, pixel statistics) with one, their true liking of what the image shows. The model still learns
each column's weight from the visitor's exposures, through the same baseline, exploration and shortlist. So a
variant's gain over the product is about what learning that part faster could give, and what even "both" leaves
below the oracle belongs to the shared parts (each image's own appeal, learned from a few impressions each).

Printed per world: last and first tenth against the better emotion-only baseline (as online_sim.py), mean and min
over seeds and sizes, and the oracle's last tenth.

Usage: .venv/bin/python benchmarks/sim_bounds.py [--worlds mixed,mood,taste] [--seeds 1,2,3,4] [--items 1000]
       [--processes 2]
"""

import argparse
import os
import sys
from multiprocessing import Pool
from pathlib import Path

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.sim_policies import EmotionPopularity, EmotionRandom, Oracle, TasteBandit  # noqa: E402
from benchmarks.sim_world import EMOTIONS, MOOD_TYPES, PRESETS, World, mood_response, run  # noqa: E402
from recommender.taste import History, Posterior, design, posterior, prior_variances  # noqa: E402

SHAPE = {"visits": 10, "pages": 4, "page_size": 3}


class KnownShape(TasteBandit):
    """The product with one column per given part ("content", "mood") instead of that part's features."""

    def __init__(self, world: World, seed: int, *, parts: frozenset[str]) -> None:
        super().__init__(world, seed)
        self.parts = parts
        # Each visitor's hidden content utility of every item.
        every_item = np.arange(world.catalogue.size)
        self.content_utility = np.stack([world.content_utility(visitor, every_item)
                                         for visitor in range(world.n_visitors)])

    def features(self, visitor: int, items: np.ndarray, moods: np.ndarray) -> np.ndarray:
        catalogue = self.world.catalogue
        rows = design(self.content, catalogue.emotions, items, moods)
        n_content = self.content.shape[1]
        content = self.content_utility[visitor, items, None] if "content" in self.parts else rows[:, :n_content]
        if "mood" in self.parts:
            kind = MOOD_TYPES[self.world.mood_kind[visitor]]
            responses = np.stack([mood_response(kind, mood) for mood in range(len(EMOTIONS))])
            return np.hstack([content, responses[moods, catalogue.emotions[items], None]])
        return np.hstack([content, rows[:, n_content:]])

    def posterior(self, visitor: int, history: History, baselines: dict[int, np.ndarray]) -> Posterior | None:
        rows = self.features(visitor, history.items, history.moods)
        expected = np.array([baselines[int(mood)][item] for item, mood in zip(history.items, history.moods,
                                                                              strict=True)])
        # A given column has the prior variance of one weight of its part.
        content_columns = 1 if "content" in self.parts else self.content.shape[1]
        mood_variances = [self.taste.mood_variance] if "mood" in self.parts else prior_variances(0, self.taste)
        variances = np.r_[np.full(content_columns, self.taste.content_variance), mood_variances]
        return posterior(rows, history.outcomes.clip(0, 1) - expected, np.ones(rows.shape[0]), variances, self.taste)

    def taste_scores(self, visitor: int, theta: np.ndarray, mood: int, items: np.ndarray) -> np.ndarray:
        return self.features(visitor, items, np.full(items.size, mood)) @ theta


VARIANTS = {"mood shape": frozenset({"mood"}), "content shape": frozenset({"content"}),
            "both": frozenset({"mood", "content"})}


def _run(job: tuple[str, int, int]) -> tuple[str, int, int, dict[str, np.ndarray]]:
    world_name, seed, items = job
    world = World(PRESETS[world_name], items=items, visitors=60, seed=seed)
    rates = {}
    for label, policy in [("emotion random", EmotionRandom(world, seed)),
                          ("emotion popularity", EmotionPopularity(world, seed)), ("oracle", Oracle(world, seed)),
                          ("product", TasteBandit(world, seed)),
                          *((label, KnownShape(world, seed, parts=parts)) for label, parts in VARIANTS.items())]:
        rates[label] = run(world, policy.page, policy.feedback, seed=seed, **SHAPE).rates
    return world_name, seed, items, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", default="mixed,mood,taste")
    parser.add_argument("--seeds", default="1,2,3,4")
    parser.add_argument("--items", default="1000")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    jobs = [(world, int(seed), int(items)) for world in args.worlds.split(",") for seed in args.seeds.split(",")
            for items in args.items.split(",")]
    with Pool(args.processes) as pool:
        results = pool.map(_run, jobs)
    print(f"last and first tenth against the better emotion-only baseline, mean (min) over seeds {args.seeds} at "
          f"{args.items} images, 60 visitors x {SHAPE['visits']} visits x {SHAPE['pages']} pages of "
          f"{SHAPE['page_size']}")
    print(f"{'world':<9}{'policy':<15}{'last':>15}{'first':>15}")
    for world_name in args.worlds.split(","):
        runs = [rates for name, _, _, rates in results if name == world_name]
        for label in ["product", *VARIANTS, "oracle"]:
            last = [rates[label][-1] / max(rates["emotion random"][-1], rates["emotion popularity"][-1])
                    for rates in runs]
            first = [rates[label][0] / max(rates["emotion random"][0], rates["emotion popularity"][0])
                     for rates in runs]
            print(f"{world_name:<9}{label:<15}{np.mean(last):>8.2f}x ({min(last):.2f})"
                  f"{np.mean(first):>8.2f}x ({min(first):.2f})")


if __name__ == "__main__":
    main()
