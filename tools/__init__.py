"""Tooling that is never imported at run time: model training, conversion, evaluation and AWS resource setup.

Management commands import these modules lazily, inside handle(), so a web process never loads them."""
