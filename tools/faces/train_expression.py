"""Train the project's own facial-expression classifier and export it to ONNX.

The product classifies faces with onnxruntime only; torch is imported here and nowhere else, so it is a
training-time dependency. The exported model takes a square grayscale face crop in [-1, 1] (the crop the
product's face backend takes: largest YuNet face, square side ``CROP_SCALE`` x max(w, h), border-replicated)
and returns class probabilities with the fitted temperature folded in.

The data, its held-out split, augmentation and the class-balanced batches are in expression_data.py.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from tools.faces.expression_data import (
    CLASSES,
    CROP_SCALE,
    BalancedSampler,
    Metrics,
    TrainConfig,
    load_data,
    metrics,
    plain_crops,
)

logger = logging.getLogger(__name__)

class ResidualBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ExpressionNet(nn.Module):
    """Small residual CNN (~0.7M parameters): stem 24 ch, blocks 24/48/96/192, average pooling."""

    def __init__(self, num_classes: int = len(CLASSES), widths: tuple[int, ...] = (24, 48, 96, 192)) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks: list[nn.Module] = []
        cin = widths[0]
        for i, width in enumerate(widths):
            blocks.append(ResidualBlock(cin, width, 1 if i == 0 else 2))
            cin = width
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(cin, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(x))
        return self.head(self.dropout(x.mean(dim=(2, 3))))


class CalibratedNet(nn.Module):
    """What is exported: softmax of the logits divided by the fitted temperature."""

    def __init__(self, net: ExpressionNet, temperature: float) -> None:
        super().__init__()
        self.net = net
        self.temperature = temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.net(x) / self.temperature, dim=1)


@torch.no_grad()
def logits_of(net: ExpressionNet, x: np.ndarray, batch_size: int = 512) -> np.ndarray:
    net.eval()
    parts = [net(torch.from_numpy(x[i : i + batch_size])).numpy() for i in range(0, len(x), batch_size)]
    return np.concatenate(parts)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimising the held-out negative log-likelihood (a 1-D convex problem in log T)."""
    z = torch.from_numpy(logits)
    y = torch.from_numpy(labels)
    log_t = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([log_t], lr=0.1, max_iter=200)

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = F.cross_entropy(z / log_t.exp(), y)
        loss.backward()
        return loss

    optimiser.step(closure)
    return float(log_t.exp())


def export_onnx(net: ExpressionNet, temperature: float, size: int, path: Path) -> None:
    """Export with a dynamic batch axis (the product may average a flipped copy in the same call)."""
    net.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        CalibratedNet(net, temperature),
        (torch.zeros(1, 1, size, size),),
        str(path),
        input_names=["x"],
        output_names=["probs"],
        dynamic_axes={"x": {0: "N"}, "probs": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )


def write_sidecar(path: Path, size: int, temperature: float, flip_average: bool) -> Path:
    sidecar = path.with_suffix(".json")
    spec = {
        "name": path.stem,
        "input_name": "x",
        "input_size": size,
        "layout": "NCHW",
        "scale": "minus1_1",
        "crop_scale": CROP_SCALE,
        "classes": list(CLASSES),
        "temperature": round(temperature, 4),
        "flip_average": flip_average,
        "source": "Emotion Garden: trained with tools/faces/train_expression.py "
        "(manage.py train_expression) on FER2013 and muxspace/facial_expressions",
        "licence": "Weights trained by the project. Training data: FER2013 (research use only); "
        "muxspace/facial_expressions (Apache-2.0 repository; mostly LFW photos, crowd labels)",
    }
    sidecar.write_text(json.dumps(spec, indent=2) + "\n")
    return sidecar


def _learning_rate(config: TrainConfig, step: int, total: int) -> float:
    """Linear warm-up over the first 2% of steps (large lr on a fresh BatchNorm net), then cosine to 0."""
    warmup = max(1, total // 50)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    return 0.5 * config.lr * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def train(
    fer_path: Path,
    real_path: Path,
    out: Path,
    config: TrainConfig,
    *,
    flip_average: bool = True,
    checkpoint: Path | None = None,
    report: Callable[[str], None] = logger.info,
) -> Metrics:
    """Train, fit the temperature, export ``out`` (ONNX) and its sidecar JSON; return validation metrics."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = np.random.default_rng(config.seed)
    data = load_data(fer_path, real_path, config)
    sampler = BalancedSampler(
        data.train, (1.0 - config.real_fraction, config.real_fraction), rng, hard_share=config.hard_example_share
    )
    validation = [(s.name, plain_crops(s, config.input_size), s.labels) for s in data.validation]

    net = ExpressionNet()
    report(f"parameters: {sum(p.numel() for p in net.parameters()):,}")
    optimiser = torch.optim.SGD(
        net.parameters(), lr=config.lr, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
    )
    steps_per_epoch = max(1, config.images_per_epoch // config.batch_size)
    total = config.epochs * steps_per_epoch
    step = 0
    for epoch in range(config.epochs):
        net.train()
        started = time.monotonic()
        running = 0.0
        for _ in range(steps_per_epoch):
            for group in optimiser.param_groups:
                group["lr"] = _learning_rate(config, step, total)
            x, y = sampler.batch(config.batch_size, config.input_size)
            losses = F.cross_entropy(
                net(torch.from_numpy(x)), torch.from_numpy(y), label_smoothing=config.label_smoothing,
                reduction="none",
            )
            sampler.record_losses(losses.detach().numpy())
            loss = losses.mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            running += loss.item()
            step += 1
        scores = ", ".join(
            f"{name} top1 {m.top1:.3f} macro {m.macro_recall:.3f}"
            for name, x_val, y_val in validation
            for m in [metrics(y_val, logits_of(net, x_val).argmax(1))]
        )
        seconds = time.monotonic() - started
        report(f"epoch {epoch + 1}/{config.epochs} loss {running / steps_per_epoch:.3f} {scores} ({seconds:.0f} s)")
        if checkpoint is not None:
            checkpoint.parent.mkdir(parents=True, exist_ok=True)
            torch.save(net.state_dict(), checkpoint)

    logits = np.concatenate([logits_of(net, x_val) for _, x_val, _ in validation])
    labels = np.concatenate([y_val for _, _, y_val in validation])
    temperature = fit_temperature(logits, labels)
    report(f"temperature {temperature:.3f}")
    export_onnx(net, temperature, config.input_size, out)
    write_sidecar(out, config.input_size, temperature, flip_average)
    real_name, real_x, real_y = validation[-1]
    result = metrics(real_y, logits_of(net, real_x).argmax(1))
    report(f"held-out {real_name}: top1 {result.top1:.3f} macro {result.macro_recall:.3f} {result.recall}")
    return result
