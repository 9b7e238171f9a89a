"""manage.py setup_personalize: create the Amazon Personalize resources and print the settings that use them.

A first run with --no-wait --import-data makes the datasets, event tracker and filter and sends the site's data so
far; the site then records events while its fallback engine answers. Once Personalize has enough data (1000
interactions from 25 users), a run without --no-wait trains and deploys the campaign. Every run reuses what exists.
"""

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recommender.engines.personalize import PersonalizeRecommender
from recommender.outbox import PermanentFailure

DEFAULT_FALLBACK = "recommender.engines.local.LocalRecommender"


class Command(BaseCommand):
    help = "Create (or reuse) the Amazon Personalize resources of Emotion Garden and print the settings to use them."

    def add_arguments(self, parser: CommandParser) -> None:
        # Tooling, imported here (and in handle) so that only this command loads it.
        from tools.recommender import personalize_setup

        parser.add_argument("--name", default="emotion-garden", help="Prefix of every resource name.")
        parser.add_argument("--region", default=None, help="AWS region (default: the AWS_REGION setting).")
        parser.add_argument("--recipe", choices=sorted(personalize_setup.RECIPES),
                            default=personalize_setup.DEFAULT_RECIPE,
                            help="Training recipe; user-personalization is the one the original system used.")
        parser.add_argument("--no-wait", action="store_true",
                            help="Stop before training: create only what needs no data yet.")
        parser.add_argument("--import-data", action="store_true",
                            help="Send the approved images, face users and past interactions to Personalize.")
        parser.add_argument("--poll-interval", type=float, default=30.0, help="Seconds between status checks.")
        parser.add_argument("--timeout", type=float, default=6 * 3600.0,
                            help="Seconds each resource may take to become active (training takes hours).")

    def handle(self, *args: Any, **options: Any) -> None:
        from tools.recommender import personalize_setup
        from tools.recommender.personalize_setup import Polling, SetupFailed

        region_name = options["region"] or settings.AWS_REGION
        client = personalize_setup.aws_client("personalize", region_name=region_name)
        polling = Polling(interval=options["poll_interval"], timeout=options["timeout"])
        name = options["name"]
        try:
            resources = personalize_setup.create_resources(client=client, name=name, polling=polling, log=self._log)
            if options["import_data"]:
                engine = PersonalizeRecommender(
                    tracking_id=resources.tracking_id,
                    dataset_arn_items=resources.dataset_arns["Items"],
                    dataset_arn_users=resources.dataset_arns["Users"],
                    clients={"personalize-events": personalize_setup.aws_client("personalize-events",
                                                                                region_name=region_name)},
                )
                personalize_setup.import_data(engine=engine, log=self._log)
            if not options["no_wait"]:
                resources = personalize_setup.deploy(
                    client=client, resources=resources, name=name,
                    recipe_arn=personalize_setup.RECIPES[options["recipe"]], polling=polling, log=self._log,
                )
        except SetupFailed as error:
            raise CommandError(str(error)) from error
        except (ClientError, BotoCoreError, PermanentFailure) as error:
            raise CommandError(f"Amazon Personalize refused the setup: {error}") from error
        # Progress goes to stderr, so that stdout can be appended to an .env file as it is.
        self.stdout.write("# Amazon Personalize settings for Emotion Garden")
        lines = personalize_setup.environment_lines(resources, region_name=region_name, fallback=DEFAULT_FALLBACK)
        self.stdout.write("\n".join(lines))

    def _log(self, message: str) -> None:
        self.stderr.write(message)
