"""Personal share links: a signatory's link credits them with the people who sign through it.

Each confirmed signature gets a short random code (8 letters and digits, drawn by `secrets`,
unique within its petition, derived from nothing). The thanks page shares the petition's
address with `?via=<code>`; the petition page opened with it puts the code in a hidden field
of its form; signing keeps it on the new signature only when it is the code of a confirmed
signatory of this petition (anything else is ignored, never an error). No cookie, nothing
sent elsewhere: the code travels in the address and in the form.

What a signatory "brought" is counted when asked (their thanks and withdraw pages), not kept
in a counter: the confirmed signatures that name their code, so a pending one does not count,
a confirmation counts once, and a withdrawal or an invalidation is uncounted by itself.
The code and `via` are personal data: they go with the signature (withdrawal, retention).
"""

import re
import secrets
import string

from chaton.core.db import writing
from chaton.petitions.models import Signature

ALPHABET = string.ascii_letters + string.digits  # no '-' or '_': chat apps may cut them off
LENGTH = 8
CODE_RE = re.compile(rf"[A-Za-z0-9]{{{LENGTH}}}")


def clean_code(value):
    """The value if it has the form of a code, else None (a form filter: never an error)."""
    value = value.strip() if isinstance(value, str) else ""
    return value if CODE_RE.fullmatch(value) else None


def new_code(petition_id):
    """A random code that no signature of the petition has or names (a withdrawn
    signatory's code may still be named by the people they brought)."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        # two lookups, each on its own index (an OR would read the petition's every row)
        if not any(Signature.select(Signature.id).where(
                (Signature.petition == petition_id) & (column == code)).exists()
                for column in (Signature.share_code, Signature.via)):
            return code


def referrer_code(petition, code):
    """`code` when it is a confirmed signatory's of this petition, else None."""
    code = clean_code(code)
    if code is None:
        return None
    found = Signature.select(Signature.id).where(
        (Signature.petition == petition) & (Signature.share_code == code)
        & (Signature.status == "confirmed")).exists()
    return code if found else None


def code_of(signature):
    """The confirmed signature's code; one signed before codes existed gets it now."""
    if signature.share_code or signature.status != "confirmed":
        return signature.share_code
    with writing():
        Signature.update(share_code=new_code(signature.petition_id)).where(
            (Signature.id == signature.id) & Signature.share_code.is_null()).execute()
    signature.share_code = Signature.get_by_id(signature.id).share_code
    return signature.share_code


def brought(signature):
    """How many confirmed signatures came through this signatory's link (never their own)."""
    if not signature.share_code:
        return 0
    return Signature.select().where(
        (Signature.petition == signature.petition_id) & (Signature.via == signature.share_code)
        & (Signature.status == "confirmed") & (Signature.id != signature.id)).count()


def forget(signature):
    """On withdrawal: the people this signatory brought no longer name their code."""
    if signature.share_code:
        Signature.update(via=None).where((Signature.petition == signature.petition_id)
                                         & (Signature.via == signature.share_code)).execute()
