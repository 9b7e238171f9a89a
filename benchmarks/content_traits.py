"""How much of an image's look the content features read: the online simulation's hidden visual traits (warmth,
brightness, saturation), painted onto each image as benchmarks/sim_api.py paints them, against the visual block of
recommender.content.content_matrix. The catalogue depends on the seed alone (every world draws the same). Printed per
seed: the share of each trait's variance a linear fit over
the visual block explains (R^2), for the pixels centred on their emotion's mean alone and for content_matrix's block
(which also takes out what the theme words tell), and for the offline twin's noisy statistics of the traits.

A less noisy measure of the features than the online like-rates: no visitors, only pictures.

Usage: .venv/bin/python benchmarks/content_traits.py [--seeds 1,2,3] [--items 300]
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.sim_api import _paint  # noqa: E402
from benchmarks.sim_world import PRESETS, World  # noqa: E402
from recommender.content import VISUAL_DIMS, centred_per_emotion, content_matrix, visual_statistics  # noqa: E402

TRAITS = ("warmth", "brightness", "saturation")


def explained(features: np.ndarray, target: np.ndarray) -> float:
    """R^2 of a least-squares fit of target on the features (with an intercept)."""
    design = np.c_[features, np.ones(len(features))]
    weights, *_ = np.linalg.lstsq(design, target, rcond=None)
    return float(1 - ((target - design @ weights) ** 2).sum() / ((target - target.mean()) ** 2).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--items", type=int, default=300)
    args = parser.parse_args()
    print(f"{'seed':>4}  {'features':<28}" + "".join(f"{trait:>12}" for trait in TRAITS))
    for seed in map(int, args.seeds.split(",")):
        world = World(PRESETS["mixed"], items=args.items, visitors=1, seed=seed)
        catalogue = world.catalogue
        pixels = np.stack([visual_statistics(np.asarray(_paint(world, item, seed).convert("RGB")))
                           for item in range(catalogue.size)])
        twin = catalogue.observed_visuals(np.random.default_rng(seed))
        rows = {
            "pixels, centred per emotion": centred_per_emotion(pixels.astype(np.float64), catalogue.emotions),
            "pixels, content_matrix": content_matrix(catalogue.emotions, catalogue.themes, catalogue.prompts,
                                                     pixels)[:, -VISUAL_DIMS:],
            "offline twin, content_matrix": content_matrix(catalogue.emotions, catalogue.themes, catalogue.prompts,
                                                           twin)[:, -VISUAL_DIMS:],
        }
        for label, features in rows.items():
            print(f"{seed:>4}  {label:<28}" + "".join(
                f"{explained(features, catalogue.traits[:, trait]):>12.2f}" for trait in range(len(TRAITS))))


if __name__ == "__main__":
    main()
