"""manage.py create_api_key --name "iOS app" --scopes faces,garden,likes [--rate 600/min]: print a new API key.

The key is printed once and never stored (only its hash is); revoke keys in the admin.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gallery.api_keys import create_api_key
from gallery.models import ApiScope


class Command(BaseCommand):
    help = "Create an API key for a mobile or third-party client and print it (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="who uses the key, e.g. 'iOS app'")
        parser.add_argument(
            "--scopes", required=True,
            help=f"comma-separated, from: {', '.join(ApiScope.values)}; 'all' for every scope",
        )
        parser.add_argument("--rate", default="", help="e.g. 600/min or none (default: the API_KEY_RATE setting)")

    def handle(self, *args: object, name: str, scopes: str, rate: str, **options: object) -> None:
        wanted = ApiScope.values if scopes.strip() == "all" else [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            issued = create_api_key(name=name, scopes=wanted, rate=rate)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        # The key alone on stdout, so scripts can capture it; the rest goes to stderr.
        self.stderr.write(f"Created API key eg_{issued.api_key.prefix}… '{name}' with scopes "
                          f"{', '.join(issued.api_key.scopes)}. It is shown only now:")
        self.stdout.write(issued.raw_key)
