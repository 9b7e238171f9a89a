"""Pairs two sets of benchmarks/online_sim.py outputs run by world, seed and catalogue size (a change against a
baseline), and prints how far apart the product is, with the standard error of the paired difference.

A tenth of a run with 60 visitors is 720 impressions: its like-rate moves by +-10% from one run to the next, so a
change is judged on many paired runs and on more of each run than its last tenth. Printed per world and over all
pairs, against the better emotion-only baseline of the same tenths: the last tenth, the first, the second half of
the run (tenths 6-10) and the whole run.

With --expected, the rows compared are the expected like-rates that online_sim.py prints after the drawn ones (the
hidden like-probabilities of what was shown): the likes' own draw noise is gone, what the engines learned from them
is not.

Usage: .venv/bin/python benchmarks/sim_compare.py --change new_a.log,new_b.log --baseline old_a.log,old_b.log
       [--expected]
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from benchmarks.sim_world import EXPECTED_LABEL  # noqa: E402

PARTS = {"last tenth": slice(9, 10), "first tenth": slice(0, 1), "second half": slice(5, 10), "whole run": slice(0, 10)}
_RUN = re.compile(r"^world (\w+), seed (\d+): (\d+) images", re.MULTILINE)


def read_runs(paths: list[str]) -> dict[tuple[str, int, int], dict[str, np.ndarray]]:
    """(world, seed, images) -> like-rate by tenth of each printed row ("emotion random", ..., "product")."""
    runs = {}
    for path in paths:
        text = Path(path).read_text()
        starts = [*_RUN.finditer(text)]
        for found, following in zip(starts, [*starts[1:], None], strict=True):
            block = text[found.end(): following.start() if following else len(text)]
            rows = {}
            for line in block.splitlines():
                label, _, rates = line.partition("  ")
                values = rates.split()
                if label and len(values) == 10:
                    rows[label.split(" (")[0].strip()] = np.array([float(value) for value in values])
            if {"emotion random", "emotion popularity", "product"} <= rows.keys():
                runs[(found.group(1), int(found.group(2)), int(found.group(3)))] = rows
    return runs


def ratios(rows: dict[str, np.ndarray], prefix: str = "") -> np.ndarray:
    """The product's like-rate over each of PARTS against the better emotion-only baseline's over the same part
    (prefix "expected: ": the expected like-rates')."""
    better = np.maximum(rows[prefix + "emotion random"], rows[prefix + "emotion popularity"])
    product = rows[prefix + "product"]
    return np.array([product[part].mean() / max(better[part].mean(), 1e-9) for part in PARTS.values()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--change", required=True, help="online_sim.py outputs of the change, comma-separated")
    parser.add_argument("--baseline", required=True, help="online_sim.py outputs of the baseline, comma-separated")
    parser.add_argument("--expected", action="store_true", help="compare the expected like-rates (runs of "
                        "online_sim.py that print them), not the drawn ones")
    args = parser.parse_args()
    prefix = EXPECTED_LABEL if args.expected else ""
    change, baseline = read_runs(args.change.split(",")), read_runs(args.baseline.split(","))
    pairs = sorted(key for key in change.keys() & baseline.keys()
                   if prefix + "product" in change[key] and prefix + "product" in baseline[key])
    if not pairs:
        raise SystemExit("no run (world, seed, images) is in both sets")
    new = np.array([ratios(change[key], prefix) for key in pairs])
    old = np.array([ratios(baseline[key], prefix) for key in pairs])
    print(f"change against baseline over {len(pairs)} paired runs, each part against the better emotion-only "
          f"baseline in the same tenths{', in expected like-rate' if args.expected else ''}: mean change / mean "
          "baseline (difference +- standard error, pairs better)")
    groups = [(world, [i for i, key in enumerate(pairs) if key[0] == world]) for world in sorted({k[0] for k in pairs})]
    for name, members in [*groups, ("all", list(range(len(pairs))))]:
        cells = []
        for column, part in enumerate(PARTS):
            difference = new[members, column] - old[members, column]
            error = difference.std(ddof=1) / np.sqrt(len(members)) if len(members) > 1 else float("nan")
            cells.append(f"{part} {new[members, column].mean():.3f}x / {old[members, column].mean():.3f}x "
                         f"({difference.mean():+.3f} +- {error:.3f}, {(difference > 0).sum()} of {len(members)})")
        print(f"{name:<8}" + "; ".join(cells))


if __name__ == "__main__":
    main()
