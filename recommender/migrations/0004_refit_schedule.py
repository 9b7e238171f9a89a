from django.db import migrations

SCHEDULE_NAME = "refit-personal-model"


def create_schedule(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    # Personal picks learn from each like at once (a visitor is their like history); only the item-item weights
    # need refitting, and every 15 minutes keeps new images and new co-likes in them.
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "recommender.tasks.refit_personal_model", "schedule_type": "I", "minutes": 15,
                  "repeats": -1},
    )


def remove_schedule(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommender", "0003_model_snapshot"),
        ("django_q", "0014_schedule_cluster"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
