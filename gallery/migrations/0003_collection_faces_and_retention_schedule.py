import django.db.models.deletion
from django.db import migrations, models

SCHEDULE_NAME = "purge-expired-face-data"


def create_schedule(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    # Daily is enough for a retention counted in days; the first run comes with the first worker.
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "gallery.tasks.purge_expired_face_data", "schedule_type": "D", "repeats": -1},
    )


def remove_schedule(apps, schema_editor):  # noqa: ANN001, ANN201
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('gallery', '0002_reference_people'),
        ('django_q', '0014_schedule_cluster'),
    ]

    operations = [
        migrations.CreateModel(
            name='CollectionFace',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('collection_id', models.CharField(max_length=255)),
                ('face_id', models.CharField(max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('face_user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='collection_faces', to='gallery.faceuser')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('collection_id', 'face_id'), name='unique_collection_face')],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
