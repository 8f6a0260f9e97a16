"""Removing signatures after the fact: criteria, preview, counters, public explanation."""

import re
import threading
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from helpers import csrf_token, member_client, petition_meta, sign, write_md

from chaton.accounts.models import AuditEntry
from chaton.petitions import signing
from chaton.petitions.models import (
    AreaCount,
    DailyCount,
    Petition,
    PetitionUpdate,
    Signature,
    SignatureInvalidation,
)

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
PAGE = f"/{ORG}/petitions/test"
FORM = f"/{ORG}/admin/petitions/test/invalidate"


@pytest.fixture
def petition(app, content_dir):
    write_md(content_dir / ORG / "petitions" / "test.md",
             petition_meta(ask_postal_code=True, goal=100, milestones=[5, 8]))
    app.test_client().get("/")  # the next request indexes the new file
    return Petition.get(Petition.slug == "test")


def add(app, petition, email, postal_code="75011", confirm=True, when=None):
    """A signature through the signing service (confirmed unless told otherwise), signed and
    confirmed `when` if given (the service's clock is set back for it)."""
    clock = patch.object(signing, "utcnow", lambda: when) if when else nullcontext()
    with app.test_request_context(), clock:
        fresh = Petition.get_by_id(petition.id)
        signature, _ = signing.sign(fresh, {"name": "N", "email": email,
                                            "postal_code": postal_code})
        if when:
            Signature.update(created_at=when).where(Signature.id == signature.id).execute()
        if confirm:
            signing.confirm(signature)
    return signature


def assert_counters_exact(petition):
    """The three counters agree with the confirmed rows, whatever happened."""
    confirmed = Signature.select().where((Signature.petition == petition)
                                         & (Signature.status == "confirmed"))
    count = Petition.get_by_id(petition.id).signature_count
    assert count == confirmed.count()
    assert sum(d.count for d in DailyCount.select().where(DailyCount.petition == petition)) == count
    per_area = {}
    for s in confirmed:
        per_area[s.area] = per_area.get(s.area, 0) + 1
    stored = {a.area: a.count for a in AreaCount.select().where(AreaCount.petition == petition)
              if a.count}
    assert stored == per_area


def preview(admin, **fields):
    data = {"domains": "", "addresses": "", "window_field": "created_at", "start": "", "end": ""}
    data.update(fields)
    response = admin.post(FORM, data={"csrf_token": csrf_token(admin, FORM), "action": "preview",
                                      **data})
    html = response.get_data(as_text=True)
    found = dict(re.findall(r'id="preview-(confirmed|pending)">([\d\s, ]+)<', html))
    return response, {k: int(re.sub(r"\D", "", v)) for k, v in found.items()}, data


def apply(admin, data, reason="Adresses jetables d'un robot", expected=""):
    return admin.post(FORM, data={"csrf_token": csrf_token(admin, FORM), "action": "apply",
                                  "reason": reason, "expected": expected, **data})


def test_preview_then_apply_by_domain(app, petition):
    for i in range(3):
        add(app, petition, f"bot{i}@mailinator.com", postal_code="93100")
    add(app, petition, "x@eu.mailinator.com")  # a subdomain
    add(app, petition, "waiting@mailinator.com", confirm=False)
    for i, code in enumerate(("59000", "59100", "59200", "59300", "59400")):  # all in the Nord
        add(app, petition, f"real{i}@example.org", postal_code=code)
    assert PetitionUpdate.get_or_none(PetitionUpdate.slug == "milestone-8") is not None
    admin = member_client(app, ORG, "admin")

    response, counts, data = preview(admin, domains="@Mailinator.com\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and counts == {"confirmed": 4, "pending": 1}
    assert "b***@mailinator.com" in html and "bot0@" not in html  # masked examples
    assert Petition.get_by_id(petition.id).signature_count == 9  # a preview changes nothing

    done = apply(admin, data, expected="5")
    assert done.status_code == 303
    record = SignatureInvalidation.get()
    assert (record.confirmed_removed, record.pending_removed) == (4, 1)  # as previewed
    assert Petition.get_by_id(petition.id).signature_count == 5
    assert not Signature.select().where(Signature.email_key.contains("mailinator")).exists()
    assert AreaCount.get(AreaCount.area == "93").count == 0
    assert_counters_exact(petition)
    assert PetitionUpdate.get_or_none(PetitionUpdate.slug == "milestone-8") is not None  # stays

    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    public = visitor.get(PAGE).get_data(as_text=True)
    assert re.search(r"On [^<]*2\d{3}, 4 signatures were removed: Adresses jetables d(&#39;|')un "
                     r"robot", public)
    removed = app.test_client().get(PAGE + ".json").get_json()["signatures_removed"]
    assert removed[0]["count"] == 4 and removed[0]["reason"] == "Adresses jetables d'un robot"
    entry = AuditEntry.get(AuditEntry.action == "signatures.invalidate")
    assert entry.target == "test" and entry.details["confirmed"] == 4
    assert entry.details["domains"] == ["mailinator.com"] and entry.details["pending"] == 1
    assert "Signatures removed" in admin.get(f"/{ORG}/admin/audit").get_data(as_text=True)
    admin_page = admin.get(f"/{ORG}/admin/petitions/test").get_data(as_text=True)
    assert "Adresses jetables" in admin_page


def test_a_pasted_list_is_normalized_like_signing_and_never_logged(app, petition):
    add(app, petition, "adalovelace@gmail.com")
    add(app, petition, "grace@example.org")
    add(app, petition, "keep@example.org")
    admin = member_client(app, ORG, "admin")
    pasted = "Ada.Lovelace+petition@GoogleMail.com, <GRACE@example.org>; nobody@example.org"
    _, counts, data = preview(admin, addresses=pasted)
    assert counts == {"confirmed": 2, "pending": 0}
    apply(admin, data, reason="Demande des personnes")
    assert [s.email for s in Signature.select()] == ["keep@example.org"]
    entry = AuditEntry.get(AuditEntry.action == "signatures.invalidate")
    assert entry.details["addresses"] == 3 and "grace" not in str(entry.details)
    assert "grace" not in str(SignatureInvalidation.get().criteria)
    assert_counters_exact(petition)
    # a person removed by mistake can sign again
    assert sign(app.test_client(), PAGE, email="grace@example.org").status_code == 303


def test_a_time_window_on_signing_or_confirmation(app, petition):
    night = datetime(2026, 3, 14, 2, 0, tzinfo=UTC)
    for i in range(3):
        add(app, petition, f"n{i}@example.org", when=night + timedelta(minutes=10 * i))
    add(app, petition, "before@example.org", when=night - timedelta(hours=2))
    add(app, petition, "after@example.org", when=night + timedelta(hours=3))
    admin = member_client(app, ORG, "admin")
    _, counts, _ = preview(admin, start="2026-03-14T02:00", end="2026-03-14T02:20")
    assert counts == {"confirmed": 2, "pending": 0}  # the end is excluded
    _, counts, data = preview(admin, window_field="confirmed_at", start="2026-03-14T01:00",
                              end="2026-03-14T03:00", domains="example.org")
    assert counts == {"confirmed": 3, "pending": 0}
    apply(admin, data)
    assert sorted(s.email for s in Signature.select()) == ["after@example.org",
                                                           "before@example.org"]
    assert DailyCount.get(DailyCount.day == night.date()).count == 2  # before and after stay
    assert_counters_exact(petition)


def test_form_errors_keep_what_was_typed(app, petition):
    add(app, petition, "a@example.org")
    admin = member_client(app, ORG, "admin")
    response, _, _ = preview(admin)
    assert response.status_code == 422 and "Choose at least one criterion" in response.get_data(
        as_text=True)
    response, _, _ = preview(admin, domains="not a domain!", start="tomorrow")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "not a domain!" in html
    assert 'aria-invalid="true"' in html and 'href="#start"' in html
    _, _, data = preview(admin, domains="example.org")
    response = apply(admin, data, reason="")
    assert response.status_code == 422 and "it is shown on the petition page" in response.get_data(
        as_text=True)
    assert Signature.select().count() == 1


@pytest.mark.parametrize("role, expected", [("editor", 403), ("moderator", 403)])
def test_only_admins_remove_signatures(app, petition, role, expected):
    add(app, petition, "a@example.org")
    member = member_client(app, ORG, role)
    assert member.get(FORM).status_code == expected
    token = csrf_token(member, "/account/")
    response = member.post(FORM, data={"csrf_token": token, "action": "apply",
                                       "domains": "example.org", "reason": "x"})
    assert response.status_code == expected and Signature.select().count() == 1
    assert "Remove signatures" not in member.get(f"/{ORG}/admin/petitions/test").get_data(
        as_text=True)


def test_another_association_gets_403(app, petition):
    # was a 404; issue 14: every refusal is a clear 403 (a 404 stays for what does not exist)
    add(app, petition, "a@example.org")
    stranger = member_client(app, OTHER, "admin")
    assert stranger.get(FORM).status_code == 403
    token = csrf_token(stranger, "/account/")
    response = stranger.post(FORM, data={"csrf_token": token, "action": "apply",
                                         "domains": "example.org", "reason": "x"})
    assert response.status_code == 403 and Signature.select().count() == 1
    # and through its own area, a petition slug of this association does not exist
    assert stranger.get(f"/{OTHER}/admin/petitions/test/invalidate").status_code == 404


def test_counts_stay_exact_while_people_sign_during_invalidations(app, petition):
    """Threads sign and confirm (bots and real people) while an admin removes the bots."""
    admin = member_client(app, ORG, "admin")
    stop = threading.Event()
    errors = []

    def signer(n):
        i = 0
        try:
            while not stop.is_set() and i < 60:
                domain = "bot.example" if i % 2 else "people.example"
                add(app, petition, f"s{n}-{i}@{domain}", postal_code=f"{75001 + n}",
                    confirm=i % 3 != 0)
                i += 1
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=signer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    removed = 0
    for _ in range(4):
        _, _, data = preview(admin, domains="bot.example")
        assert apply(admin, data).status_code == 303
        removed += SignatureInvalidation.select().order_by(SignatureInvalidation.id.desc()).get() \
            .confirmed_removed
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert removed > 0
    assert_counters_exact(petition)
    shown = app.test_client().get(PAGE + ".json").get_json()
    assert sum(r["count"] for r in shown["signatures_removed"]) == removed
    assert shown["counts"]["online"] == Signature.select().where(
        Signature.status == "confirmed").count()
