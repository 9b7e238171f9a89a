"""Measure the recommender's modes offline on a log of likes; the protocol is in tools/recommender/evaluation.py."""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

if TYPE_CHECKING:
    from tools.recommender.evaluation import Result

HEADER = ("ranker", "HR@10", "NDCG@10", "coverage", "tail hits", "fit (s)", "p50 (ms)", "p99 (ms)", "chosen config")


class Command(BaseCommand):
    help = ("Leave-last-out evaluation of global popularity, segment popularity, personalised EASE and the production "
            "blend: HR@10, NDCG@10, coverage, long-tail hits, fit time and per-request latency.")
    # Pure computation on CSV files: neither the database nor the admin is involved, so their checks are noise.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interactions", type=Path, required=True,
                            help="CSV of likes: user_id,item_id,timestamp[,emotion].")
        parser.add_argument("--users", type=Path, help="CSV: user_id[,gender][,age].")
        parser.add_argument("--items", type=Path, help="CSV of the whole catalogue: item_id[,emotion].")
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print one JSON object keyed by mode instead.")

    def handle(self, *args: Any, interactions: Path, users: Path | None, items: Path | None, as_json: bool,
               **options: Any) -> None:
        # Tooling, imported here so that only this command loads it.
        from tools.recommender.evaluation import evaluate, load_dataset, summary

        try:
            dataset = load_dataset(interactions, users, items)
            results = evaluate(dataset)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if as_json:
            self.stdout.write(json.dumps({mode: result.as_json() for mode, result in results.items()}))
            return
        self.stdout.write(summary(dataset))
        rows = [HEADER] + [_row(mode, result) for mode, result in results.items()]
        widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _row(mode: str, result: "Result") -> tuple[str, ...]:
    return (mode, f"{result.hr:.4f}", f"{result.ndcg:.4f}", f"{result.coverage:.3f}",
            f"{result.tail_hits}/{result.tail_targets}", f"{result.fit_s:.2f}", f"{result.p50_ms:.3f}",
            f"{result.p99_ms:.3f}", result.config)
