"""Drop-in compatibility with the original AWS system's web clients (docs/original-protocol.md).

The original endpoints (/emotion, /gallery, /like, /bulk, ...) and image keys (/emotions/..., /imgPool/...) at the
site root, as thin adapters over the same services, selectors and recommender as the REST API.

Consent. The original pages never ask visitors whether their face may be kept, so by default /emotion keeps
nothing biometric: its `id` is the face user's id when the face belongs to someone who consented earlier (through
the REST API), else EG's `X-user-id` header when sent, else a fresh uuid4 that is stored nowhere (as EG's was).
A kiosk that tells its visitors and has their agreement sets COMPAT_REMEMBER_FACES = True: unknown faces then
become face users, and the pages' personalised recommendations work as IRBE's face collection made them work.

Ids that name no face user (those fresh uuids, IRBE's "<gender>/<emotion>" pseudo-users, EG's random ones) get the
recommender's picks for their context, and their likes are recorded anonymously in the visitor's emotion.
"""
