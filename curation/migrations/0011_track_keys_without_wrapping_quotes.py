"""Re-keys the tracks stored before match keys left out quotes around a whole title or artist ("Mad World",
「Yesterday」), so that the same song typed without them is found as a duplicate.

The keys are made again from the stored title and artist by the app's own match_key: what a key is belongs to
curation.songs.names, and a migration that copied it would drift from it. A track whose new keys another track
already has keeps its old ones: the two are one song, for a curator to merge.
"""

from django.db import migrations

from curation.songs.names import match_key


def rekey_tracks(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Track = apps.get_model("curation", "Track")
    taken = set(Track.objects.values_list("title_key", "artist_key"))
    for track in Track.objects.only("title", "artist", "title_key", "artist_key").iterator(chunk_size=500):
        keys = (match_key(track.title), match_key(track.artist))
        if keys == (track.title_key, track.artist_key) or keys in taken:
            continue
        taken.add(keys)
        Track.objects.filter(pk=track.pk).update(title_key=keys[0], artist_key=keys[1])


class Migration(migrations.Migration):
    dependencies = [("curation", "0010_theme_words")]

    operations = [migrations.RunPython(rekey_tracks, migrations.RunPython.noop, elidable=True)]
