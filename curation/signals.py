"""What the catalogue tells the layers above it, which it must not import: the recommender listens to these.

All are sent inside the transaction that changes the image or track, so a receiver's own writes (an outbox row for a
managed recommender) commit or roll back with the change itself, and deferred work can wait for transaction.on_commit.
"""

from django.dispatch import Signal

# Sent with `image`: an image has entered the gallery and may now be recommended.
image_published = Signal()
# Sent with `image`: a live image is leaving the gallery (rejected, retired or about to be deleted).
image_withdrawn = Signal()
# Sent with `image` and `fields` (the names changed): a live image was refiled under another emotion or theme.
image_corrected = Signal()

# Sent with `track`: a track was approved (or seeded approved) and may now be recommended.
track_published = Signal()
# Sent with `track`: a live track is leaving the catalogue (rejected, retired or about to be deleted).
track_withdrawn = Signal()
