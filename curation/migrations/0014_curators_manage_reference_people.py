"""The Curators group curates the look-alike's reference people and their photos, as the README promises: they were
gallery models, so the group (given only curation permissions) got a 403 on every reference page. Nothing else of
gallery is granted: face users, their embeddings and credentials, and API keys stay with the operators."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE_MODELS = ("referenceperson", "referencephoto")
CURATOR_PERMISSIONS = [f"{action}_{model}" for model in REFERENCE_MODELS
                       for action in ("view", "add", "change", "delete")]


def grant(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    # Permissions are normally created after all migrations; the group needs them now (see 0004).
    app_config = apps.get_app_config("gallery")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    curators, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Curators")
    curators.permissions.add(*Permission.objects.filter(content_type__app_label="gallery",
                                                        codename__in=CURATOR_PERMISSIONS))


def revoke(apps, schema_editor):  # noqa: ANN001, ANN201
    Permission = apps.get_model("auth", "Permission")
    for curators in apps.get_model("auth", "Group").objects.filter(name="Curators"):
        curators.permissions.remove(*Permission.objects.filter(content_type__app_label="gallery",
                                                               codename__in=CURATOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("curation", "0013_media_names_indexed"),
        ("gallery", "0006_reference_photo_index"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
