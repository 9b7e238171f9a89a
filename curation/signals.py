"""What the catalogue tells the layers above it, which it must not import: the recommender listens to these.

Both are sent inside the transaction that changes the image, so a receiver's own writes (an outbox row for a managed
recommender) commit or roll back with the change itself.
"""

from django.dispatch import Signal

# Sent with `image`: an image has entered the gallery and may now be recommended.
image_published = Signal()
# Sent with `image`: a live image is leaving the gallery (rejected, retired or about to be deleted).
image_withdrawn = Signal()
