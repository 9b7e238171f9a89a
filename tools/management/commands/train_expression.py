"""manage.py train_expression: train the project's expression classifier and export ONNX + sidecar JSON.

Needs torch (a training-time dependency only); see gallery/faces/models/EXPRESSION_MODEL.md for the command
that produced the shipped model.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from emotion_garden.arguments import existing_path


class Command(BaseCommand):
    help = "Train the facial-expression classifier on FER2013 + real photos and export it to ONNX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fer", type=existing_path, required=True, help="fer2013.npz (x, y, split, classes)")
        parser.add_argument("--real", type=existing_path, required=True,
                            help="muxspace_train.npz (x, y, name, classes)")
        parser.add_argument("--out", type=Path, required=True, help="ONNX path; the sidecar JSON is written beside it")
        parser.add_argument("--epochs", type=int, default=30)
        parser.add_argument("--images-per-epoch", type=int, default=36_000)
        parser.add_argument("--seed", type=int, default=0, help="seeds the weights and the batches")
        parser.add_argument(
            "--holdout-seed", type=int, default=0, help="seeds the held-out identities (keep it across an ensemble)"
        )
        parser.add_argument(
            "--hard-example-share", type=float, default=0.5, help="share of within-class draws led by recent loss"
        )
        parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
        parser.add_argument("--limit", type=int, default=None, help="images per class and source (smoke tests)")
        parser.add_argument("--real-fraction", type=float, default=0.3, help="share of each batch from real photos")
        parser.add_argument("--checkpoint", type=Path, default=None, help="save the torch weights here every epoch")

    def handle(self, *args: Any, **options: Any) -> None:
        # Imported here so that the rest of manage.py never needs torch.
        from tools.faces.train_expression import TrainConfig, train

        config = TrainConfig(
            epochs=options["epochs"],
            images_per_epoch=options["images_per_epoch"],
            seed=options["seed"],
            holdout_seed=options["holdout_seed"],
            hard_example_share=options["hard_example_share"],
            threads=options["threads"],
            limit=options["limit"],
            real_fraction=options["real_fraction"],
        )
        result = train(
            options["fer"],
            options["real"],
            options["out"],
            config,
            checkpoint=options["checkpoint"],
            report=lambda line: self.stdout.write(line),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {options['out']}; held-out real photos top-1 {result.top1:.3f}, "
                f"macro recall {result.macro_recall:.3f}"
            )
        )
