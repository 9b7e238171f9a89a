"""Refit the last layer of a trained expression model (its ONNX file) on frozen features, and export the result.

Training the whole network from scratch takes an hour of a free CPU core; refitting its last layer takes a minute,
so its recipe can be chosen by measurement. The network's pooled features (192 per crop) are computed by
onnxruntime for augmented crops of the training photos (expression_data.augment), and a new linear layer is fitted
by weighted cross-entropy, pulled towards the old layer by an L2 penalty:

- classes balanced within each source, with `real_share` of the weight on the real photos (the product's domain);
- hard examples: training crops of SAD or DISGUSTED that the old layer reads as the other of the two weigh
  `hard_weight` times more (the commonest confusion of the old model on real photos).

Candidates are compared on photos the network never trained on (the FER2013 validation split and the real photos
held out by identity, with the same holdout seed as training) with the product's flip averaging, and the chosen
one's temperature is refitted there. The result is the old ONNX graph with the new layer and temperature.

Usage: python -m tools.faces.refit_expression_head --fer ../shared/expression-train/fer2013.npz \\
    --real ../shared/expression-train/muxspace_train.npz --base gallery/faces/models/expression_eg.onnx \\
    --out gallery/faces/models/expression_eg2.onnx
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import numpy_helper
from torch.nn import functional as F

from tools.faces.expression_data import CLASSES, Source, TrainConfig, augment, load_data, metrics, photometric

SAD, DISGUSTED = CLASSES.index("SAD"), CLASSES.index("DISGUSTED")
GRID = {"real_share": (0.3, 0.5, 0.7), "l2": (1e-3, 1e-2), "hard_weight": (1.0, 3.0)}


@dataclass(frozen=True)
class Layer:
    """The network's last layer: the pooled features' name, the weight and bias initialisers, the temperature."""

    features: str
    weight: str
    bias: str
    temperature: str


def last_layer(model: onnx.ModelProto) -> Layer:
    nodes = list(model.graph.node)
    gemm = next(node for node in nodes if node.op_type == "Gemm")
    divide = next(node for node in nodes if node.op_type == "Div" and gemm.output[0] in node.input)
    return Layer(gemm.input[0], gemm.input[1], gemm.input[2], divide.input[1])


def feature_session(model: onnx.ModelProto, layer: Layer) -> onnxruntime.InferenceSession:
    with_features = onnx.ModelProto()
    with_features.CopyFrom(model)
    with_features.graph.output.append(onnx.helper.make_tensor_value_info(layer.features, onnx.TensorProto.FLOAT, None))
    return onnxruntime.InferenceSession(with_features.SerializeToString(), providers=["CPUExecutionProvider"])


def features_of(session: onnxruntime.InferenceSession, crops: np.ndarray, batch: int = 256) -> np.ndarray:
    """Pooled features of (N, S, S) crops in [-1, 1]."""
    return np.concatenate([
        session.run(None, {"x": np.ascontiguousarray(crops[start : start + batch, None])})[1]
        for start in range(0, len(crops), batch)
    ])


def augmented_features(session: onnxruntime.InferenceSession, source: Source, views: int,
                       rng: np.random.Generator, size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    crops = np.stack([augment(image, source, size, rng) for _ in range(views) for image in source.images])
    crops = photometric(crops, rng) * 2.0 - 1.0
    return features_of(session, crops.astype(np.float32)), np.tile(source.labels, views)


def plain_and_mirrored(session: onnxruntime.InferenceSession, source: Source, size: int = 48) -> np.ndarray:
    """(2, N, features): the product's crop and its mirror image, for flip-averaged evaluation."""
    from tools.faces.expression_data import plain_crops

    crops = plain_crops(source, size)[:, 0]
    return np.stack([features_of(session, crops), features_of(session, np.ascontiguousarray(crops[:, :, ::-1]))])


def sample_weights(labels: np.ndarray, sources: np.ndarray, hard: np.ndarray, *, real_share: float,
                   hard_weight: float) -> np.ndarray:
    """Classes balanced within each source (0 FER2013, 1 real), the real photos weighing `real_share` in all."""
    weights = np.zeros(len(labels))
    for source, share in ((0, 1 - real_share), (1, real_share)):
        present = [c for c in range(len(CLASSES)) if ((sources == source) & (labels == c)).any()]
        for c in present:
            members = (sources == source) & (labels == c)
            weights[members] = share / len(present) / members.sum()
    weights[hard] *= hard_weight
    return weights * len(labels) / weights.sum()


def fit_layer(features: np.ndarray, labels: np.ndarray, weights: np.ndarray, start: tuple[np.ndarray, np.ndarray],
              *, l2: float) -> tuple[np.ndarray, np.ndarray]:
    x, y, w = torch.from_numpy(features), torch.from_numpy(labels), torch.from_numpy(weights)
    start_weight, start_bias = (torch.from_numpy(value.astype(np.float64)) for value in start)
    weight, bias = start_weight.clone().requires_grad_(True), start_bias.clone().requires_grad_(True)
    optimiser = torch.optim.LBFGS([weight, bias], lr=1, max_iter=300, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = (F.cross_entropy(x @ weight.T + bias, y, reduction="none") * w).mean()
        loss = loss + l2 / 2 * ((weight - start_weight) ** 2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    return weight.detach().numpy(), bias.detach().numpy()


def flip_averaged(views: np.ndarray, weight: np.ndarray, bias: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    logits = views @ weight.T + bias
    probabilities = torch.softmax(torch.from_numpy(logits / temperature), dim=-1).numpy()
    return probabilities.mean(axis=0)


def fit_flip_averaged_temperature(views: np.ndarray, truth: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> float:
    """The temperature (grid of 0.01) that minimises the held-out log-loss of the flip-averaged probabilities, as the
    product computes them: each view's softmax(logits / T), then the mean of the two."""
    grid = np.arange(0.5, 2.5, 0.01)
    losses = [
        -np.mean(np.log(flip_averaged(views, weight, bias, t)[np.arange(len(truth)), truth] + 1e-12)) for t in grid
    ]
    return float(grid[int(np.argmin(losses))])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fer", type=Path, required=True)
    parser.add_argument("--real", type=Path, required=True)
    parser.add_argument("--base", type=Path, required=True, help="the trained model's ONNX file")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--real-views", type=int, default=8, help="augmented crops per real training photo")
    parser.add_argument("--fer-views", type=int, default=1, help="augmented crops per FER2013 training image")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="images per class and source (smoke tests)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    data = load_data(args.fer, args.real, TrainConfig(seed=args.seed, holdout_seed=0, limit=args.limit))
    model = onnx.load(str(args.base))
    layer = last_layer(model)
    initialisers = {tensor.name: numpy_helper.to_array(tensor) for tensor in model.graph.initializer}
    old = (initialisers[layer.weight].astype(np.float64), initialisers[layer.bias].astype(np.float64))
    session = feature_session(model, layer)

    parts = [augmented_features(session, source, views, rng)
             for source, views in zip(data.train, (args.fer_views, args.real_views), strict=True)]
    features = np.concatenate([part[0] for part in parts]).astype(np.float64)
    labels = np.concatenate([part[1] for part in parts])
    sources = np.concatenate([np.full(len(part[1]), number) for number, part in enumerate(parts)])
    old_guess = (features @ old[0].T + old[1]).argmax(axis=1)
    hard = ((labels == SAD) & (old_guess == DISGUSTED)) | ((labels == DISGUSTED) & (old_guess == SAD))
    print(f"{len(labels)} training crops, {int(hard.sum())} SAD/DISGUSTED confusions of the old layer")
    held_out = [(source.name, plain_and_mirrored(session, source).astype(np.float64), source.labels)
                for source in data.validation]

    def judge(weight: np.ndarray, bias: np.ndarray) -> dict[str, object]:
        scores = {}
        for name, views, truth in held_out:
            result = metrics(truth, flip_averaged(views, weight, bias).argmax(axis=1))
            scores[name] = {"top1": round(result.top1, 4), "macro_recall": round(result.macro_recall, 4),
                            "recall": {label: round(value, 3) for label, value in result.recall.items()}}
        return scores

    def criterion(scores: dict[str, dict]) -> float:
        """Mean of the two sources' macro recall and top-1: no source and no measure may carry the choice alone."""
        return float(np.mean([scores[name][key] for name in scores for key in ("top1", "macro_recall")]))

    baseline = judge(*old)
    print("old layer:", json.dumps(baseline))
    best = (criterion(baseline), "old layer", old)
    for real_share, l2, hard_weight in itertools.product(*GRID.values()):
        weights = sample_weights(labels, sources, hard, real_share=real_share, hard_weight=hard_weight)
        candidate = fit_layer(features, labels, weights, old, l2=l2)
        scores = judge(*candidate)
        name = f"real_share {real_share} l2 {l2} hard_weight {hard_weight}"
        print(f"{name}: {criterion(scores):.4f} {json.dumps(scores)}")
        if criterion(scores) > best[0]:
            best = (criterion(scores), name, candidate)
    _, chosen, (weight, bias) = best
    views = np.concatenate([views for _, views, _ in held_out], axis=1)
    truth = np.concatenate([labels for _, _, labels in held_out])
    temperature = fit_flip_averaged_temperature(views, truth, weight, bias)
    print(f"chosen: {chosen}; temperature {temperature:.4f}; held out: {json.dumps(judge(weight, bias))}")
    export(model, layer, weight, bias, temperature, args.out)
    write_sidecar(args.base, args.out, temperature=temperature, chosen=chosen)
    return 0


def write_sidecar(base: Path, out: Path, *, temperature: float, chosen: str) -> None:
    """The base model's sidecar, renamed, with the new temperature and what was refitted."""
    spec = json.loads(base.with_suffix(".json").read_text())
    spec |= {
        "name": out.stem,
        "temperature": round(temperature, 4),
        "source": f"{spec['source']}; last layer refitted on frozen features by tools/faces/refit_expression_head.py "
        f"({chosen})",
    }
    out.with_suffix(".json").write_text(json.dumps(spec, indent=2) + "\n")


def export(model: onnx.ModelProto, layer: Layer, weight: np.ndarray, bias: np.ndarray, temperature: float,
           out: Path) -> None:
    values = {layer.weight: weight, layer.bias: bias}
    for tensor in model.graph.initializer:
        if tensor.name in values:
            tensor.CopyFrom(numpy_helper.from_array(values[tensor.name].astype(np.float32), tensor.name))
    constant = next(node for node in model.graph.node if layer.temperature in node.output)
    constant.attribute[0].t.CopyFrom(numpy_helper.from_array(np.array(temperature, dtype=np.float32)))
    onnx.checker.check_model(model)
    out.write_bytes(model.SerializeToString())


if __name__ == "__main__":
    sys.exit(main())
