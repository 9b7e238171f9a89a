import csv
import json
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tools.recommender.evaluation import RANKERS, leave_last_out, load_dataset
from tools.recommender.metrics import coverage, hit_rate, hits, ndcg

CLUSTERS = 4
ITEMS_PER_CLUSTER = 10
EMOTIONS = ("HAPPY", "SAD", "CALM", "FEAR", "CONFUSED")  # the last one tags the never-liked extras


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_hit_rate_ndcg_and_coverage_on_a_hand_computed_case() -> None:
    top = np.array([[3, 1, 2], [4, 5, -1], [1, 0, 2]])
    targets = np.array([1, 6, 1])
    assert hits(top, targets).tolist() == [True, False, True]
    assert hit_rate(top, targets) == pytest.approx(2 / 3)
    # Found at positions 1 and 0: (1 / log2(3) + 1 / log2(2)) / 3 requests.
    assert ndcg(top, targets) == pytest.approx((1 / np.log2(3) + 1) / 3)
    assert coverage(top, n_items=12) == pytest.approx(6 / 12)


def test_loading_orders_by_time_keeps_the_latest_repeat_and_reads_profiles(tmp_path: Path) -> None:
    interactions = write_csv(tmp_path / "likes.csv", ["user_id", "item_id", "timestamp", "emotion"], [
        ["u1", "b", "2024-01-02T00:00:00", "happy"],
        ["u1", "a", "2024-01-01T00:00:00", "sad"],
        ["u1", "a", "2024-01-03T00:00:00", "calm"],
        ["u2", "b", "5", ""],
    ])
    users = write_csv(tmp_path / "users.csv", ["user_id", "gender", "age"], [["u1", "Female", "30"], ["u2", "", ""]])
    items = write_csv(tmp_path / "items.csv", ["item_id", "emotion"], [["a", "happy"], ["c", ""]])
    dataset = load_dataset(interactions, users, items)
    assert dataset.n_items == 3  # a, b, c: the catalogue includes never-liked items
    assert dataset.users.tolist() == [0, 0, 1]
    assert dataset.items.tolist() == [1, 0, 1]  # u1: b, then a (its later repeat); u2: b
    assert dataset.emotions.tolist() == ["HAPPY", "CALM", ""]
    assert dataset.user_profiles == [("Female", "adult"), ("", "")]
    assert dataset.item_emotions.tolist() == ["HAPPY", "", ""]


def test_leave_last_out_tests_the_last_like_and_validates_the_one_before(tmp_path: Path) -> None:
    interactions = write_csv(tmp_path / "likes.csv", ["user_id", "item_id", "timestamp"], [
        ["u1", "a", 3], ["u1", "b", 1], ["u1", "c", 2], ["u1", "d", 4],
        ["u2", "a", 1], ["u2", "b", 2],  # too few likes to evaluate: training only
        ["u3", "c", 1], ["u3", "d", 2], ["u3", "a", 3],
    ])
    dataset = load_dataset(interactions)
    split = leave_last_out(dataset)
    assert dataset.items[split.test].tolist() == [3, 0]  # d for u1, a for u3
    assert dataset.items[split.validation].tolist() == [0, 3]  # a for u1, d for u3


def planted_dataset(directory: Path, n_users: int = 80, likes_per_user: int = 7) -> list[str]:
    """Each user likes items of one cluster only; the cluster follows gender and age, and sets the session emotion."""
    rng = np.random.default_rng(3)
    likes, users = [], []
    for user in range(n_users):
        cluster = user % CLUSTERS
        users.append([user, "Female" if cluster < 2 else "Male", 20 if cluster % 2 else 40])
        picked = rng.choice(ITEMS_PER_CLUSTER, size=likes_per_user, replace=False) + cluster * ITEMS_PER_CLUSTER
        likes += [[user, item, 1000 * user + step, EMOTIONS[cluster]] for step, item in enumerate(picked.tolist())]
    catalogue = [[item, EMOTIONS[item // ITEMS_PER_CLUSTER]] for item in range(CLUSTERS * ITEMS_PER_CLUSTER + 5)]
    header = ["user_id", "item_id", "timestamp", "emotion"]
    return [
        "--interactions", str(write_csv(directory / "likes.csv", header, likes)),
        "--users", str(write_csv(directory / "users.csv", ["user_id", "gender", "age"], users)),
        "--items", str(write_csv(directory / "items.csv", ["item_id", "emotion"], catalogue)),
    ]


def test_command_reports_every_mode_as_json(tmp_path: Path) -> None:
    out = StringIO()
    call_command("evaluate_recommender", *planted_dataset(tmp_path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert set(report) == set(RANKERS) == {"global", "segment", "personal", "blend"}
    for metrics in report.values():
        assert set(metrics) == {"hr@10", "ndcg@10", "coverage", "tail_hits", "fit_s", "p50_ms", "p99_ms"}
        assert 0 <= metrics["hr@10"] <= 1 and 0 <= metrics["coverage"] <= 1
    # Four of the 39 unseen items are of the user's cluster, the target among them: co-likes find all four. Gender and
    # age band give away the cluster, so segment popularity beats global popularity.
    assert report["personal"]["hr@10"] == 1.0
    assert report["segment"]["hr@10"] > report["global"]["hr@10"]
    assert report["blend"]["hr@10"] > report["global"]["hr@10"]
    # The production blend keeps what co-likes find, its exploration included.
    assert report["blend"]["hr@10"] >= 0.75


def test_command_prints_a_table_and_rejects_incomplete_files(tmp_path: Path) -> None:
    out = StringIO()
    call_command("evaluate_recommender", *planted_dataset(tmp_path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("80 users evaluated")
    assert [line.split()[0] for line in lines[1:]] == ["ranker", *RANKERS]
    broken = write_csv(tmp_path / "broken.csv", ["user_id", "item_id"], [["u1", "a"]])
    with pytest.raises(CommandError, match="timestamp"):
        call_command("evaluate_recommender", "--interactions", str(broken))
