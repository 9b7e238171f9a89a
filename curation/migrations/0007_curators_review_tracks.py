"""The Curators group reviews tracks and starts song-suggestion runs, as it does for images and generation jobs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = [
    "view_track", "add_track", "change_track", "delete_track", "review_track",
    "view_songsuggestionrun", "add_songsuggestionrun", "view_songsuggestionitem",
]


def grant(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    # Permissions are normally created after all migrations; the group needs them now (see 0004).
    app_config = apps.get_app_config("curation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    curators, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Curators")
    curators.permissions.add(*Permission.objects.filter(content_type__app_label="curation",
                                                        codename__in=CURATOR_PERMISSIONS))


def revoke(apps, schema_editor):  # noqa: ANN001, ANN201
    Permission = apps.get_model("auth", "Permission")
    for curators in apps.get_model("auth", "Group").objects.filter(name="Curators"):
        curators.permissions.remove(*Permission.objects.filter(content_type__app_label="curation",
                                                               codename__in=CURATOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("curation", "0006_tracks_and_song_suggestions")]

    operations = [migrations.RunPython(grant, revoke)]
