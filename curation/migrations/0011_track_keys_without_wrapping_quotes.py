"""Re-keys the tracks whose title or artist was stored inside quotes ("Mad World"): their match keys now leave such
quotes out (curation.songs.names.match_key), so that the same song typed without them is found as a duplicate.

A track whose new keys another track already has keeps its old ones: the two are one song, for a curator to merge.
"""

from django.db import migrations

# Pairs of quotes around a whole key, as keys hold them (curly quotes are folded to straight ones).
WRAPPING = {('"', '"'), ("'", "'"), ("\u00ab", "\u00bb"), ("\u201e", '"')}


def unwrapped(key: str) -> str:
    return key[1:-1].strip() if len(key) > 2 and (key[0], key[-1]) in WRAPPING else key


def rekey_tracks(apps, schema_editor):  # noqa: ANN001, ANN201 - migration signature
    Track = apps.get_model("curation", "Track")
    taken = set(Track.objects.values_list("title_key", "artist_key"))
    for track in Track.objects.only("title_key", "artist_key").iterator(chunk_size=500):
        keys = (unwrapped(track.title_key), unwrapped(track.artist_key))
        if keys == (track.title_key, track.artist_key) or keys in taken:
            continue
        taken.add(keys)
        Track.objects.filter(pk=track.pk).update(title_key=keys[0], artist_key=keys[1])


class Migration(migrations.Migration):
    dependencies = [("curation", "0010_theme_words")]

    operations = [migrations.RunPython(rekey_tracks, migrations.RunPython.noop, elidable=True)]
