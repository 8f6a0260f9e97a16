"""Counting a person once across co-hosting instances, without any address leaving its instance.

Each co-hosted petition has a secret of 32 random bytes, made by the origin and given only to
its declared partners (in the petition object, to a GET signed by a partner's server). Each
instance hashes the normalized e-mail address of each of its confirmed signatories with it
(HMAC-SHA-256, cut to 96 bits) and the partners publish these hashes to the origin only
(signatories(), fetched with a signature of the origin's association). Without the secret a
hash tells nothing, not even to someone holding a list of addresses; with it, a partner could
test whether an address it already knows signed elsewhere: the price of counting honestly,
named in docs/federation.md.

The origin then counts each person once: its own signatories first, then each partner in the
order of their host names; a partner's signatory already counted is a duplicate, subtracted
from that partner's figure and shown on the page.
"""

import base64
import hashlib
import hmac
import secrets

HASH_BYTES = 12
MAX_HASHES = 200_000  # per partner and petition: beyond, the rest is counted as reported


def new_secret():
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def hash_of(secret, email_key):
    """The keyed hash of a normalized e-mail address (see petitions.signing.normalize_email)."""
    digest = hmac.new(secret.encode(), email_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:HASH_BYTES]).decode()


def signatory_hashes(petition_id, secret):
    """The hashes of a petition's confirmed signatories here (anonymized ones have no address
    any more and are not counted twice anywhere: they stay counted where they signed)."""
    from chaton.petitions.models import Signature

    keys = (Signature.select(Signature.email_key)
            .where((Signature.petition == petition_id) & (Signature.status == "confirmed")
                   & Signature.email_key.is_null(False)).tuples())
    return sorted(hash_of(secret, key) for (key,) in keys.iterator())


def is_hash(value):
    return (isinstance(value, str) and len(value) == 16
            and all(c.isalnum() or c in "-_" for c in value))


def duplicates(local, partners):
    """{partner: how many of its hashes were already counted} for {partner: set of hashes},
    the origin's own hashes counting first, then the partners by host name."""
    seen = set(local)
    found = {}
    for partner in sorted(partners):
        hashes = partners[partner]
        found[partner] = len(hashes & seen)
        seen |= hashes
    return found
