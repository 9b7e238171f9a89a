"""A reference person's name is unique ignoring case, width and spacing (name_key, as tracks' title_key): "Scott
Wolf", "scott wolf" and "Scott  Wolf" had all been added, and an archive's Scott_Wolf_0002.jpg then went to
whichever of them came last.

People who already share a key are merged into the first one added (the lowest id): the look-alike shows visitors
a name and nothing else, so to them they were one person already. The others' photos move to it with their faces
(a photo's index entry names the photo, not the person), it takes the first non-empty info URL among them, and the
others are deleted. The keys are made by the app's own match_key: what a key is belongs to curation.songs.names.
The constraint comes in 0008, a transaction of its own: PostgreSQL refuses to alter a table with the deletions'
foreign-key checks still pending.
"""

from django.db import migrations, models

from curation.songs.names import KEY_MAX, match_key


def merge_people_of_one_name(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    ReferencePerson = apps.get_model("gallery", "ReferencePerson")
    ReferencePhoto = apps.get_model("gallery", "ReferencePhoto")
    kept_by_key = {}
    for person in ReferencePerson.objects.order_by("id").iterator(chunk_size=500):
        key = match_key(person.name)
        kept = kept_by_key.get(key)
        if kept is None:
            kept_by_key[key] = person
            ReferencePerson.objects.filter(pk=person.pk).update(name_key=key)
            continue
        ReferencePhoto.objects.filter(person_id=person.pk).update(person_id=kept.pk)
        if not kept.info_url and person.info_url:
            kept.info_url = person.info_url
            ReferencePerson.objects.filter(pk=kept.pk).update(info_url=person.info_url)
        # A queryset delete of a historical model sends no signal to the app's receivers: the photos moved first.
        ReferencePerson.objects.filter(pk=person.pk).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('gallery', '0006_reference_photo_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='referenceperson',
            name='name_key',
            field=models.CharField(default='', editable=False, max_length=KEY_MAX),
            preserve_default=False,
        ),
        migrations.RunPython(merge_people_of_one_name, migrations.RunPython.noop),
    ]
