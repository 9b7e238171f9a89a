"""Argument types for management commands, so a bad number or a missing file stops the command with a usage error,
not a traceback or a server that never answers (`serve --web-workers 0` listened with no worker to serve)."""

import argparse
from collections.abc import Callable
from pathlib import Path


def existing_path(text: str) -> Path:
    """An argparse `type`: a file or folder that exists."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return path


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse `type`: an integer of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse
