"""Local actors' RSA keys (2048 bits, as Mastodon expects), created on first use.

`cryptography` is imported on first use: most page views never need it (resident memory).
"""

import functools

from chaton.core.db import writing
from chaton.federation.models import ActorKey

INSTANCE = "instance"


def _new_pair():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def key_pair(owner):
    """The ActorKey row of a local actor, generated the first time it is needed."""
    found = ActorKey.get_or_none(ActorKey.owner == owner)
    if found is not None:
        return found
    private, public = _new_pair()
    with writing():
        ActorKey.insert(owner=owner, private_pem=private, public_pem=public) \
            .on_conflict_ignore().execute()
    return ActorKey.get(ActorKey.owner == owner)


@functools.lru_cache(maxsize=256)
def load_private(pem):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem.encode(), password=None)


@functools.lru_cache(maxsize=1024)
def load_public(pem):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem.encode())
