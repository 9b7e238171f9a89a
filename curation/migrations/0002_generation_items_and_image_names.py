import django.db.models.deletion
from django.db import migrations, models


def name_existing_images(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Image = apps.get_model("curation", "Image")
    for image in Image.objects.all().only("id", "file"):
        image.name = image.file.name.rsplit("/", 1)[-1]
        image.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("curation", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="generationjob", name="done_count"),
        migrations.RemoveField(model_name="generationjob", name="failed_count"),
        migrations.RemoveField(model_name="generationjob", name="errors"),
        migrations.AddField(
            model_name="generationjob",
            name="file_stem",
            field=models.CharField(
                blank=True, max_length=200,
                help_text="Images are named <stem>_<index><h|v>.jpeg (the original clients' keys).",
            ),
        ),
        migrations.AlterField(
            model_name="generationjob",
            name="backend",
            field=models.CharField(
                default="image_generation", max_length=64,
                help_text='The generator: an "image_generation..." entry of settings.EMOTION_GARDEN_BACKENDS.',
            ),
        ),
        migrations.AddField(model_name="image", name="name", field=models.CharField(default="", max_length=200),
                            preserve_default=False),
        migrations.RunPython(name_existing_images, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="image",
            constraint=models.UniqueConstraint(fields=("emotion", "theme", "name"), name="unique_image_name"),
        ),
        migrations.CreateModel(
            name="GenerationItem",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("index", models.PositiveSmallIntegerField()),
                ("status", models.CharField(choices=[("pending", "Pending"), ("done", "Done"), ("failed", "Failed"),
                                                     ("cancelled", "Cancelled")], default="pending", max_length=16)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("image", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                               related_name="+", to="curation.image")),
                ("job", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="items",
                                          to="curation.generationjob")),
            ],
            options={"ordering": ["job", "index"]},
        ),
        migrations.AddConstraint(
            model_name="generationitem",
            constraint=models.UniqueConstraint(fields=("job", "index"), name="unique_job_index"),
        ),
    ]
