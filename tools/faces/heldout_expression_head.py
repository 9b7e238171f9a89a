"""Correct an expression model's last layer on photos the network never trained on, if that measures better.

The network's last layer was refitted on features of its own training crops (refit_expression_head.py), which the
network has learnt by heart; photos it never saw may want other class priors or another layer. Two corrections are
tried, both fitted on the held-out photos (the FER2013 validation split and the real photos held out by identity,
holdout seed 0, as in training), on their pooled features computed once:

- a prior shift: one bias per class added to the logits, minimising the class-balanced log-loss of the product's
  flip-averaged probabilities (every class of a source weighs the same, the real photos `real_share` of the whole),
  shrunk by `strength`. Seven numbers cannot learn the photos by heart;
- a new last layer on the held-out features, classes balanced within each source, pulled towards the old layer by
  an L2 penalty `l2`.

Each candidate is judged by repeated two-fold cross-fitting on the held-out photos: fitted on one half (whole
identities for the real photos), scored on the other with flip averaging, by the mean of top-1 and macro recall of
both sources (the criterion of refit_expression_head.py). Only if a candidate beats the old layer is it refitted on
all held-out photos, its temperature refitted, and written as a new ONNX file and sidecar.

Usage: python -m tools.faces.heldout_expression_head --fer ../shared/expression-train/fer2013.npz \\
    --real ../shared/expression-train/muxspace_train.npz --base gallery/faces/models/expression_eg2.onnx \\
    --out gallery/faces/models/expression_eg3.onnx
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from tools.faces.expression_data import (
    CLASSES,
    TrainConfig,
    _holdout_identities,
    _identity,
    _remap_labels,
    load_data,
    metrics,
)
from tools.faces.refit_expression_head import (
    export,
    feature_session,
    fit_flip_averaged_temperature,
    fit_layer,
    flip_averaged,
    last_layer,
    plain_and_mirrored,
    sample_weights,
)

REPEATS = 10
Layer = tuple[np.ndarray, np.ndarray]
# A candidate: given the held-out features (2 views, N, features), labels and sources to fit on, a last layer.
Fit = Callable[[np.ndarray, np.ndarray, np.ndarray], Layer]


def fit_bias(logits: np.ndarray, truth: np.ndarray, sources: np.ndarray, temperature: float, *,
             real_share: float) -> np.ndarray:
    """The per-class logit bias minimising the class-balanced log-loss of the flip-averaged probabilities of
    `logits` (2 views, N, classes) before the temperature."""
    weights = sample_weights(truth, sources, np.zeros(len(truth), dtype=bool), real_share=real_share, hard_weight=1.0)
    scaled, y, w = torch.from_numpy(logits / temperature), torch.from_numpy(truth), torch.from_numpy(weights)
    bias = torch.zeros(len(CLASSES), dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([bias], lr=1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        probabilities = torch.softmax(scaled + bias / temperature, dim=-1).mean(dim=0)
        loss = -(torch.log(probabilities[torch.arange(len(y)), y] + 1e-12) * w).mean()
        loss.backward()
        return loss

    optimiser.step(closure)
    found = bias.detach().numpy()
    return found - found.mean()


def candidates(old: Layer, temperature: float) -> dict[str, Fit]:
    weight, bias = old

    def prior_shift(real_share: float, strength: float) -> Fit:
        def fit(views: np.ndarray, truth: np.ndarray, sources: np.ndarray) -> Layer:
            shift = fit_bias(views @ weight.T + bias, truth, sources, temperature, real_share=real_share)
            return weight, bias + strength * shift
        return fit

    def new_layer(real_share: float, l2: float) -> Fit:
        def fit(views: np.ndarray, truth: np.ndarray, sources: np.ndarray) -> Layer:
            labels, origin = np.tile(truth, 2), np.tile(sources, 2)
            weights = sample_weights(labels, origin, np.zeros(len(labels), dtype=bool), real_share=real_share,
                                     hard_weight=1.0)
            return fit_layer(np.concatenate(views), labels, weights, old, l2=l2)
        return fit

    found: dict[str, Fit] = {"old layer": lambda views, truth, sources: old}
    for real_share, strength in itertools.product((0.3, 0.5, 0.7, 1.0), (0.5, 1.0)):
        found[f"prior shift, real_share {real_share} strength {strength}"] = prior_shift(real_share, strength)
    for real_share, l2 in itertools.product((0.3, 0.5), (0.01, 0.1, 1.0)):
        found[f"new layer, real_share {real_share} l2 {l2}"] = new_layer(real_share, l2)
    return found


def halves(groups: np.ndarray, sources: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random half of the photos (a mask), whole groups at a time (a real photo's group is its person)."""
    first = np.zeros(len(groups), dtype=bool)
    for source in np.unique(sources):
        names = np.unique(groups[sources == source])
        chosen = rng.permutation(names)[: len(names) // 2]
        first |= (sources == source) & np.isin(groups, chosen)
    return first


def held_out_people(real_path: Path) -> np.ndarray:
    """The person of each held-out real photo, in load_data's order (the same holdout seed and share)."""
    config = TrainConfig(holdout_seed=0)
    with np.load(real_path) as real:
        names, labels = real["name"], _remap_labels(real["y"], real["classes"])
    held = _holdout_identities(names, labels, config.real_holdout, np.random.default_rng(config.holdout_seed))
    return np.array([_identity(str(name)) for name in names[held]])


def scores_of(views: np.ndarray, truth: np.ndarray, sources: np.ndarray, names: tuple[str, ...],
              layer: Layer) -> dict[str, dict[str, float]]:
    predicted = flip_averaged(views, *layer).argmax(axis=1)
    result = {}
    for number, name in enumerate(names):
        members = sources == number
        figures = metrics(truth[members], predicted[members])
        # A half of the real photos may lack SAD: its recall there is left out of the mean, not counted as 0.
        result[name] = {"top1": figures.top1, "macro_recall": figures.macro_recall,
                        "SAD": figures.recall.get("SAD", float("nan"))}
    return result


def criterion(scores: dict[str, dict[str, float]]) -> float:
    return float(np.mean([scores[name][key] for name in scores for key in ("top1", "macro_recall")]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer", type=Path, required=True)
    parser.add_argument("--real", type=Path, required=True)
    parser.add_argument("--base", type=Path, required=True, help="the trained model's ONNX file")
    parser.add_argument("--out", type=Path, required=True, help="written only if a correction measures better")
    parser.add_argument("--seed", type=int, default=0, help="seeds the cross-fitting halves")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    data = load_data(args.fer, args.real, TrainConfig(holdout_seed=0))
    model = onnx.load(str(args.base))
    layer = last_layer(model)
    initialisers = {tensor.name: numpy_helper.to_array(tensor) for tensor in model.graph.initializer}
    old = (initialisers[layer.weight].astype(np.float64), initialisers[layer.bias].astype(np.float64))
    temperature = float(json.loads(args.base.with_suffix(".json").read_text())["temperature"])
    session = feature_session(model, layer)
    views = np.concatenate([plain_and_mirrored(session, source).astype(np.float64) for source in data.validation],
                           axis=1)
    truth = np.concatenate([source.labels for source in data.validation])
    sources = np.concatenate([np.full(len(source), number) for number, source in enumerate(data.validation)])
    names = tuple(source.name for source in data.validation)
    # FER2013 images have no person names: each is its own group.
    groups = np.concatenate([[f"fer{i}" for i in range(len(data.validation[0]))], held_out_people(args.real)])
    rng = np.random.default_rng(args.seed)
    splits = [halves(groups, sources, rng) for _ in range(REPEATS)]

    def cross_fitted(fit: Fit) -> dict[str, dict[str, float]]:
        per_half = [
            scores_of(views[:, judge], truth[judge], sources[judge], names, fit(views[:, part], truth[part],
                                                                                  sources[part]))
            for first in splits for part, judge in ((first, ~first), (~first, first))
        ]
        return {name: {key: float(np.nanmean([s[name][key] for s in per_half])) for key in per_half[0][name]}
                for name in names}

    best = (-1.0, "")
    fits = candidates(old, temperature)
    for name, fit in fits.items():
        scores = cross_fitted(fit)
        print(f"{name}: {criterion(scores):.4f} {json.dumps(rounded(scores))}", flush=True)
        best = max(best, (criterion(scores), name))
    chosen = best[1]
    if chosen == "old layer":
        print(f"chosen: the old layer; {args.out} not written")
        return 0
    weight, bias = fits[chosen](views, truth, sources)
    new_temperature = fit_flip_averaged_temperature(views, truth, weight, bias)
    print(f"chosen: {chosen}; temperature {new_temperature:.2f}")
    export(model, layer, weight, bias, new_temperature, args.out)
    spec = json.loads(args.base.with_suffix(".json").read_text())
    spec |= {
        "name": args.out.stem,
        "temperature": round(new_temperature, 4),
        "source": f"{spec['source']}; corrected on held-out photos by tools/faces/heldout_expression_head.py "
        f"({chosen}, seed {args.seed})",
    }
    args.out.with_suffix(".json").write_text(json.dumps(spec, indent=2) + "\n")
    return 0


def rounded(scores: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {name: {key: round(value, 4) for key, value in figures.items()} for name, figures in scores.items()}


if __name__ == "__main__":
    sys.exit(main())
