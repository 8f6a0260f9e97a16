"""Password hashing with argon2id.

Parameters: OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane) rather than argon2-cffi's
default (64 MiB, 3 passes, 4 lanes): on the small servers Chaton targets, eight simultaneous
sign-ins would otherwise need half a gigabyte. Measured on a 2-core EPYC VM: 20 ms a check
(the default: 154 ms). Hashes made with other parameters are upgraded at the next sign-in.
"""

import functools

MIN_LENGTH = 10
MAX_LENGTH = 200


@functools.cache
def _hasher():
    """Imported at the first sign-in: serving pages and signatures needs none of it."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@functools.cache
def _dummy():
    """Verified when the account does not exist, so that both cases take the same time."""
    return _hasher().hash("not a password of anybody")


def hash_password(password):
    return _hasher().hash(password)


def verify_password(stored, password):
    """True when password matches the stored hash (an empty hash never matches)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored or _dummy(), password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored):
    return _hasher().check_needs_rehash(stored)


def password_problem(password, email=""):
    """Why a new password is refused, or None. Length over composition rules (NIST 800-63B)."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    if len(password) < MIN_LENGTH:
        return ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                        MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.",
                        MAX_LENGTH)
    if email and password.strip().lower() == email.strip().lower():
        return _("Do not use your e-mail address as password.")
    return None
