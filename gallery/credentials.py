"""A person's own credential: a secret token per device, issued when they enrol or are recognised with consent.

Tokens read `egp_<secret>`. Only the SHA-256 of the whole token is stored, and a token is found by that hash (a
unique index), so a lookup compares no secret byte by byte. Revoking deletes the row; forgetting the person deletes
every credential of theirs with them (the foreign key cascades).
"""

import hashlib
import secrets
import uuid

from gallery.models import FaceUser, PersonCredential

TOKEN_START = "egp_"
# Longer input than any token is not hashed at all: a header of megabytes must not cost a hash per request.
MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_person_credential(*, face_user: FaceUser) -> str:
    """A new credential for the person; returns the token, the only time it exists in the clear."""
    token = f"{TOKEN_START}{secrets.token_urlsafe(32)}"
    PersonCredential.objects.create(face_user=face_user, token_hash=_hash(token))
    return token


def face_user_id_for_token(token: str) -> uuid.UUID | None:
    """The face user a valid (unrevoked) token belongs to; None for anything else."""
    if not token.startswith(TOKEN_START) or len(token) > MAX_TOKEN_LENGTH:
        return None
    return PersonCredential.objects.filter(token_hash=_hash(token)).values_list("face_user_id", flat=True).first()


def revoke_person_credential(*, token: str) -> bool:
    """Revoke one token (a device signing out, or handing its cookie to another person). True if it was valid."""
    if not token.startswith(TOKEN_START) or len(token) > MAX_TOKEN_LENGTH:
        return False
    deleted, _ = PersonCredential.objects.filter(token_hash=_hash(token)).delete()
    return deleted > 0
