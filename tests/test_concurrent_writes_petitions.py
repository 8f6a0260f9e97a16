"""Signatures changed by two app servers at the same moment (PostgreSQL runs them side by side)."""

import threading
import time

from databases import postgresql_only
from peewee import fn

from chaton.core.db import writing
from chaton.petitions import signing
from chaton.petitions.models import AreaCount, DailyCount, Petition, Signature


@postgresql_only
def test_a_withdrawal_racing_a_confirmation_leaves_the_counters_exact(app):
    """The withdrawal reads the signature as pending while the confirmation has not committed
    yet; it must still uncount what it deletes (the row's state when deleted decides)."""
    with app.app_context():
        petition = Petition.get(Petition.slug == "ecole-sans-amiante")
        signature, _ = signing.sign(petition, {"name": "Ada", "email": "ada@example.org",
                                               "postal_code": "75011"})
        before = petition.signature_count
    confirmed, release, errors = threading.Event(), threading.Event(), []

    def confirm():  # another server's confirmation, still in its transaction for a moment
        try:
            with app.app_context(), writing():
                assert signing.confirm(signature)
                confirmed.set()
                release.wait(3)  # under the servers' lock_timeout and idle timeout
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
            confirmed.set()

    def withdraw():
        try:
            with app.app_context():
                signing.withdraw(signature)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    confirming = threading.Thread(target=confirm)
    confirming.start()
    assert confirmed.wait(10)
    withdrawing = threading.Thread(target=withdraw)
    withdrawing.start()
    time.sleep(0.5)  # the withdrawal has read the row as pending and waits for its lock
    release.set()
    for thread in (confirming, withdrawing):
        thread.join(timeout=30)
    assert not errors, errors
    with app.app_context():
        assert not Signature.select().where(Signature.id == signature.id).exists()
        assert Petition.get_by_id(petition.id).signature_count == before
        for model in (DailyCount, AreaCount):
            assert model.select(fn.SUM(model.count)).where(
                model.petition == petition.id).scalar() == before
