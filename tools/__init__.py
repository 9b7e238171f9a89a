"""Tooling that is never imported at run time: model training, conversion, evaluation and AWS resource setup.

Installed as an app for its management commands (tools/management/commands), which import these modules lazily,
inside handle(): the web server and the task worker load none of them."""
