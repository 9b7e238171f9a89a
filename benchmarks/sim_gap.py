"""Where the garden falls short of the oracle: what the images each engine showed were worth to their visitors.

For each world and seed (benchmarks/sim_world.py), runs emotion-only popularity, the oracle and the product's
algorithm offline (benchmarks/sim_policies.TasteBandit, as `online_sim.py --offline`), and over the second half of
the run (once the engines have learned what they will) prints the mean of each part of the visitors' hidden utility
of the images shown: their content taste, their mood response and the images' own quality (sim_world.UTILITY_PARTS,
weighted as the world weighs them), per mood type (mirror, lift, calm, none). Then, per mood type, how often the image
shown had the emotion the visitor's mood response likes best in that mood ("best emotion"), in visits showing their
usual emotion and in the others: the share the oracle reaches is what there was to find (for visitors without a mood
response every emotion is the best, so theirs is 1).

Usage: .venv/bin/python benchmarks/sim_gap.py [--worlds mixed,mood,taste] [--seeds 1,2] [--items 1000]
       [--visitors 60]
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.sim_policies import EmotionPopularity, Oracle, TasteBandit  # noqa: E402
from benchmarks.sim_world import MOOD_TYPES, PRESETS, UTILITY_PARTS, World, mood_response, run  # noqa: E402

POLICIES = {"popularity": EmotionPopularity, "oracle": Oracle, "product": TasteBandit}
SHAPE = {"visits": 10, "pages": 4, "page_size": 3}


def shown_second_half(world: World, policy_class: type, seed: int) -> dict[str, np.ndarray]:
    """Per image shown in the second half of the run: its utility parts, the visitor's mood type, whether the visit
    showed their usual emotion, and whether the image's emotion is the best one for the visitor's mood."""
    policy = policy_class(world, seed)
    pages_in_run = SHAPE["visits"] * world.n_visitors * SHAPE["pages"]
    pages_served = 0
    shown: dict[str, list] = {"parts": [], "kind": [], "usual": [], "best_emotion": []}

    def page(visitor: int, mood: int, visit: int, earlier: list[int], n: int) -> list[int]:
        nonlocal pages_served
        items = policy.page(visitor, mood, visit, earlier, n)
        pages_served += 1
        if pages_served > pages_in_run // 2:
            kind = world.mood_kind[visitor]
            response = mood_response(MOOD_TYPES[kind], mood)
            shown["parts"].append(world.utility_parts(visitor, mood, np.array(items, dtype=np.intp)))
            shown["kind"] += [kind] * len(items)
            shown["usual"] += [mood == world.usual_mood[visitor]] * len(items)
            shown["best_emotion"] += (response[world.catalogue.emotions[items]] >= response.max()).tolist()
        return items

    run(world, page, policy.feedback, seed=seed, **SHAPE)
    return {"parts": np.concatenate(shown["parts"]), "kind": np.array(shown["kind"]),
            "usual": np.array(shown["usual"]), "best_emotion": np.array(shown["best_emotion"])}


def _mean_parts(shown: dict[str, np.ndarray], kind: int | None = None) -> np.ndarray:
    """The mean utility parts of the images shown (to visitors of one mood type); NaN where there were none."""
    chosen = np.ones(shown["kind"].size, dtype=bool) if kind is None else shown["kind"] == kind
    return shown["parts"][chosen].mean(axis=0) if chosen.any() else np.full(len(UTILITY_PARTS), np.nan)


def _best_emotion_share(shown: dict[str, np.ndarray], kind: int, usual: bool) -> float:
    chosen = (shown["kind"] == kind) & (shown["usual"] == usual)
    return float(shown["best_emotion"][chosen].mean()) if chosen.any() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", default="mixed,mood,taste")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--visitors", type=int, default=60)
    args = parser.parse_args()
    kinds = range(len(MOOD_TYPES))
    for world_name in args.worlds.split(","):
        runs: dict[str, list[dict[str, np.ndarray]]] = {name: [] for name in POLICIES}
        for seed in (int(seed) for seed in args.seeds.split(",")):
            world = World(PRESETS[world_name], items=args.items, visitors=args.visitors, seed=seed)
            for name, policy_class in POLICIES.items():
                runs[name].append(shown_second_half(world, policy_class, seed))
        pooled = {name: {key: np.concatenate([found[key] for found in found_runs]) for key in found_runs[0]}
                  for name, found_runs in runs.items()}
        print(f"\nworld {world_name}, seeds {args.seeds}, {args.items} images, {args.visitors} visitors: mean utility "
              "parts of the images shown in the second half (all visitors, then per mood type)")
        print(f"{'':<12}" + "".join(f"{part:>9}" for part in UTILITY_PARTS)
              + "".join(f"{MOOD_TYPES[kind]:>26}" for kind in kinds))
        for name, shown in pooled.items():
            per_kind = (" ".join(f"{value:+.2f}" for value in _mean_parts(shown, kind)) for kind in kinds)
            print(f"{name:<12}" + "".join(f"{value:>+9.2f}" for value in _mean_parts(shown))
                  + "".join(f"{parts:>26}" for parts in per_kind))
        print("share of images of the best emotion for the visitor's mood, usual emotion / other visits:")
        print(f"{'':<12}" + "".join(f"{MOOD_TYPES[kind]:>14}" for kind in kinds))
        for name, shown in pooled.items():
            print(f"{name:<12}" + "".join(f"{_best_emotion_share(shown, kind, True):>8.2f} /"
                                          f"{_best_emotion_share(shown, kind, False):>4.2f}" for kind in kinds))


if __name__ == "__main__":
    main()
