"""What the catalogue announces to the layers above it, which connect receivers here (curation never imports them).

Sent inside the transaction that makes the change, so a receiver can write in the same transaction (an outbox row)
or defer its work with transaction.on_commit. Each is sent with `track=<curation.Track>`.
"""

from django.dispatch import Signal

#: A track was approved: it may be recommended from now on.
track_published = Signal()
#: An approved track was rejected, retired or deleted: it must not be recommended again.
track_withdrawn = Signal()
