from django.apps import AppConfig


class ToolsConfig(AppConfig):
    """Installed for its management commands only (evaluation, training, AWS resource setup): each imports its
    tooling when run, so the web server and the task worker never load it."""

    name = "tools"
    verbose_name = "Tooling"
