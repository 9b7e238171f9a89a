from django.db import migrations

SCHEDULE_NAME = "deliver-outbox"


def create_schedule(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    # Retries with backoff are picked up by this schedule; fresh messages are delivered right after their commit.
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "recommender.outbox.deliver_due", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def remove_schedule(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommender", "0001_initial"),
        ("django_q", "0014_schedule_cluster"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
