"""Accounts: password and e-mail link sign-in, sessions, roles, invitations, members, audit."""

import time

import pytest
from concurrency import side_by_side, slowly
from databases import postgresql_only
from helpers import PASSWORD, body_of, csrf_token, links_in, log_in, make_member, member_client

from chaton.accounts.models import Account, AuditEntry

ORG = "quartiers-solidaires"
OTHER = "velo-pour-tous"
ADMIN = f"/{ORG}/admin/"
PETITION_ADMIN = ADMIN + "petitions/ecole-sans-amiante"


def post(client, page, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get(PETITION_ADMIN + "/contacts.csv")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")
    assert client.get(f"/{ORG}/admin/login").status_code == 302  # the old token page


def test_password_sign_in_and_wrong_password(app, client):
    email = make_member(app, ORG)
    assert log_in(client, email, "wrong password!").status_code == 401
    assert log_in(client, "nobody@example.org").status_code == 401
    assert client.get(ADMIN).status_code == 302
    response = log_in(client, email)
    assert response.status_code == 303
    assert client.get(ADMIN).status_code == 200
    page = client.get("/account/").get_data(as_text=True)
    assert "Quartiers" in page and "Administrator" in page


def test_sign_in_goes_back_to_the_page_asked_but_never_elsewhere(app, client):
    email = make_member(app, ORG)
    url = "/account/login?next=" + PETITION_ADMIN
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "email": email,
                                      "password": PASSWORD})
    assert response.headers["Location"].endswith(PETITION_ADMIN)
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/")})
    url = "/account/login?next=//evil.example/x"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "email": email,
                                      "password": PASSWORD})
    assert response.headers["Location"] == "/account/"


def test_sign_in_link_is_used_once_and_only_by_post(app, client, outbox):
    email = make_member(app, ORG, "editor")
    response = post(client, "/account/login", "/account/login", email=email, action="link")
    assert "Check your mail" in response.get_data(as_text=True)
    # the same answer for an unknown address, and no mail
    other = post(client, "/account/login", "/account/login", email="nobody@example.org",
                 action="link")
    assert "Check your mail" in other.get_data(as_text=True)
    assert len(outbox.messages()) == 1
    link = [u for u in links_in(outbox.last_to(email)) if "/account/link/" in u][0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 200  # a mail scanner opening it: no harm
    assert client.get(ADMIN).status_code == 302
    response = post(client, "/" + path, "/" + path)
    assert response.status_code == 303
    assert client.get(ADMIN).status_code == 200
    assert client.get("/" + path).status_code == 410


def test_changing_the_password_signs_other_sessions_out(app):
    first = member_client(app, ORG)
    second = member_client(app, ORG)
    response = post(first, "/account/", "/account/password", current=PASSWORD,
                    password="a brand new passphrase")
    assert response.status_code == 303
    assert first.get(ADMIN).status_code == 200
    assert second.get(ADMIN).status_code == 302
    bad = post(first, "/account/", "/account/password", current="not it", password="short")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "This is not your current password." in text and "at least 10 characters" in text


def test_sign_out_everywhere(app):
    first, second = member_client(app, ORG), member_client(app, ORG)
    post(first, "/account/", "/account/sessions")
    assert first.get(ADMIN).status_code == 302
    assert second.get(ADMIN).status_code == 302


def test_a_cookie_copied_before_signing_out_opens_nothing_afterwards(app):
    """Signing out ends the session on the server: a cookie captured before (a shared computer,
    a stolen backup of the browser profile) no longer opens the area."""
    client = member_client(app, ORG)
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get(ADMIN).status_code == 200
    client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/")})
    assert client.get(ADMIN).status_code == 302
    assert copy.get(ADMIN).status_code == 302


def test_sessions_expire(app, monkeypatch):
    client = member_client(app, ORG)
    hours = app.config["CHATON"]["admin_session_hours"]
    later = time.time() + hours * 3600 + 5
    monkeypatch.setattr("chaton.accounts.sessions.time.time", lambda: later)
    assert client.get(ADMIN).status_code == 302


def test_a_disabled_account_cannot_sign_in(app, client):
    email = make_member(app, ORG)
    from chaton.core.db import utcnow

    with app.app_context():
        Account.update(disabled_at=utcnow()).where(Account.email == email).execute()
    assert log_in(client, email).status_code == 401


@pytest.mark.parametrize("role, url, method, expected", [
    ("editor", PETITION_ADMIN + "/contacts.csv", "get", 403),
    ("moderator", PETITION_ADMIN + "/contacts.csv", "get", 403),
    ("admin", PETITION_ADMIN + "/contacts.csv", "get", 200),
    ("moderator", PETITION_ADMIN + "/updates", "post", 403),
    ("editor", PETITION_ADMIN + "/updates", "post", 303),
    ("editor", ADMIN + "members", "get", 403),
    ("editor", ADMIN + "audit", "get", 403),
    ("moderator", ADMIN, "get", 200),
])
def test_roles_decide_what_a_member_may_do(app, role, url, method, expected):
    client = member_client(app, ORG, role)
    if method == "get":
        response = client.get(url)
    else:
        response = post(client, PETITION_ADMIN, url, title="Nouvelles", body="Du texte.")
    assert response.status_code == expected


def test_members_of_one_association_get_403_in_another(app):
    # was a 404 (as if the area did not exist); issue 14: every refusal is a clear 403
    client = member_client(app, ORG, "admin")
    for url in [f"/{OTHER}/admin/", f"/{OTHER}/admin/members", f"/{OTHER}/admin/audit",
                f"/{OTHER}/admin/consultations/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You are not a member of" in response.get_data(as_text=True), url
    assert client.get("/no-such-association/admin/").status_code == 404


def test_the_menu_shows_what_the_role_allows(app):
    editor = member_client(app, ORG, "editor").get(ADMIN).get_data(as_text=True)
    assert "Members" not in editor and "Dashboard" in editor
    admin = member_client(app, ORG, "admin").get(ADMIN).get_data(as_text=True)
    assert "Members" in admin and "Audit log" in admin


def test_invitation_round_trip(app, outbox):
    admin = member_client(app, ORG)
    page = ADMIN + "members"
    bad = post(admin, page, page, email="not an address", role="editor")
    assert bad.status_code == 400 and 'value="not an address"' in bad.get_data(as_text=True)
    assert post(admin, page, page, email="Camille@Example.org", role="editor").status_code == 303
    assert "camille@example.org" in admin.get(page).get_data(as_text=True)
    mail = outbox.last_to("camille@example.org")
    assert "Quartiers" in mail["Subject"]
    link = [u for u in links_in(mail) if "/account/invitations/" in u][0]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]

    newcomer = app.test_client()
    newcomer.set_cookie("lang", "en")
    short = post(newcomer, path, path, name="Camille", password="short")
    assert short.status_code == 400 and 'value="Camille"' in short.get_data(as_text=True)
    done = post(newcomer, path, path, name="Camille", password="une phrase assez longue")
    assert done.status_code == 303
    assert newcomer.get(ADMIN).status_code == 200
    assert newcomer.get(PETITION_ADMIN + "/contacts.csv").status_code == 403  # an editor
    assert newcomer.get(path).status_code == 410  # used
    log = admin.get(ADMIN + "audit").get_data(as_text=True)
    assert "Invitation sent" in log and "Invitation accepted" in log
    # in the association's language (said "7 jours" before issue 14; now the date it ends)
    assert "jusqu’au" in body_of(mail)


def test_the_last_admin_cannot_leave_or_be_demoted(app):
    admin = member_client(app, ORG)
    with app.app_context():
        me = Account.get(Account.email == f"admin@{ORG}.example")
    page = ADMIN + "members"
    post(admin, page, f"{ADMIN}members/{me.id}", role="editor", action="role")
    assert admin.get(page).status_code == 200  # still an admin
    post(admin, page, f"{ADMIN}members/{me.id}", action="remove")
    assert admin.get(page).status_code == 200


def test_changing_roles_and_removing_members_is_logged(app):
    admin = member_client(app, ORG)
    make_member(app, ORG, "editor", email="ed@example.org")
    with app.app_context():
        ed = Account.get(Account.email == "ed@example.org")
    page = ADMIN + "members"
    post(admin, page, f"{ADMIN}members/{ed.id}", role="moderator", action="role")
    post(admin, page, f"{ADMIN}members/{ed.id}", action="remove")
    with app.app_context():
        actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["member.role", "member.remove"]
    # a member of another association cannot touch this one's members
    stranger = member_client(app, OTHER)
    assert post(stranger, f"/{OTHER}/admin/members", f"{ADMIN}members/{ed.id}",
                action="remove").status_code == 403  # was 404 (issue 14)


def test_admin_actions_are_in_the_audit_log(app):
    admin = member_client(app, ORG)
    post(admin, PETITION_ADMIN, PETITION_ADMIN + "/updates", title="Nouvelles", body="Texte.")
    admin.get(PETITION_ADMIN + "/contacts.csv")
    log = admin.get(ADMIN + "audit").get_data(as_text=True)
    assert "Update published" in log and "Contacts exported" in log
    assert f"admin@{ORG}.example" in log
    other = member_client(app, OTHER).get(f"/{OTHER}/admin/audit").get_data(as_text=True)
    assert "Update published" not in other


def test_hoster_area_is_for_hoster_admins(app):
    admin = member_client(app, ORG)
    refused = admin.get("/hoster/")  # was a 404; issue 14: a 403 that says why
    assert refused.status_code == 403
    assert "for the administrators of this site" in refused.get_data(as_text=True)
    client = app.test_client()
    log_in(client, make_member(app, None, email="host@example.org", hoster=True))
    assert client.get("/hoster/").status_code == 200


def test_an_invitation_for_an_existing_account_needs_its_password_first(app, outbox):
    admin = member_client(app, ORG)
    make_member(app, OTHER, "editor", email="known@example.org")
    page = ADMIN + "members"
    post(admin, page, page, email="known@example.org", role="moderator")
    link = [u for u in links_in(outbox.last_to("known@example.org"))
            if "/account/invitations/" in u][0]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    stranger = app.test_client()
    stranger.set_cookie("lang", "en")
    assert "Sign in to accept" in stranger.get(path).get_data(as_text=True)
    refused = post(stranger, "/account/login", path)  # the link alone: no sign-in, no role
    assert "Sign in to accept" in refused.get_data(as_text=True)
    assert stranger.get(ADMIN).status_code == 302
    assert log_in(stranger, "known@example.org").status_code == 303
    assert post(stranger, path, path).status_code == 303
    assert stranger.get(ADMIN).status_code == 200  # now a moderator here too


# --- requests side by side (PostgreSQL: each its own connection and transaction) -------------

@postgresql_only
def test_a_sign_in_link_used_twice_at_once_works_once(app, monkeypatch):
    from chaton.accounts import service
    from chaton.accounts.models import LoginLink

    with app.app_context():
        token = service.create_login_link(service.find_account(make_member(app, ORG)))
    slowly(monkeypatch, LoginLink, "update", 0.3)  # every thread found the link unused
    results = side_by_side(app, *[lambda: service.use_login_link(token)] * 4)
    assert sum(account is not None for account in results) == 1


@postgresql_only
def test_two_admins_removing_each_other_at_once_leave_one(app, monkeypatch):
    from chaton.accounts import service
    from chaton.accounts.models import Membership
    from chaton.orgs.models import Association

    emails = make_member(app, ORG), make_member(app, ORG, email="second@example.org")
    with app.app_context():
        association = Association.get(Association.slug == ORG)
        first, second = (service.find_account(email) for email in emails)
        assert service.admins_left(association) == 2
    slowly(monkeypatch, Membership, "delete", 0.3)  # after counting the admins, before removing
    results = side_by_side(app, lambda: service.remove_member(first, association),
                           lambda: service.set_role(second, association, "editor"))
    assert sorted(results) == [False, True]
    with app.app_context():
        assert service.admins_left(association) == 1


@postgresql_only
def test_invitations_to_one_address_accepted_at_once_make_one_account(app, monkeypatch):
    from chaton.accounts import service
    from chaton.orgs.models import Association

    with app.app_context():
        here, there = (Association.get(Association.slug == slug) for slug in (ORG, OTHER))
        first, _token = service.invite("new@example.org", here, "editor")
        second, _token = service.invite("new@example.org", there, "moderator")
    slowly(monkeypatch, service, "find_account", 0.3)  # each looks before any creates the account
    results = side_by_side(app, lambda: service.accept(first, "New", PASSWORD),
                           lambda: service.accept(second, "New", PASSWORD),
                           lambda: service.accept(first, "New", PASSWORD))  # a double submit
    assert sum(account is None for account in results) == 1
    with app.app_context():
        account = Account.get(Account.email == "new@example.org")
        assert {m.association.slug: m.role for m in account.memberships} == {
            ORG: "editor", OTHER: "moderator"}


def test_a_request_that_changes_nothing_sets_no_session_cookie(app):
    """The session cookie is sent again only when the session changes: a response re-sending
    the session it had read (a live preview answering late, a stylesheet) brought back a flash
    message another response had just shown and removed."""
    admin = member_client(app, "quartiers-solidaires")
    assert admin.get("/quartiers-solidaires/admin/").status_code == 200
    for path in ("/theme/default/css/site.css", "/quartiers-solidaires/admin/"):
        response = admin.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path


def test_the_invitation_says_who_invites_to_what_and_until_when(app, outbox):
    from datetime import timedelta

    from chaton.accounts.models import Invitation
    from chaton.core.db import utcnow

    make_member(app, ORG, email="ada@quartiers.example")
    with app.app_context():
        Account.update(name="Ada Martin").where(Account.email == "ada@quartiers.example").execute()
    admin = app.test_client()
    log_in(admin, "ada@quartiers.example")
    page = ADMIN + "members"
    assert post(admin, page, page, email="camille@example.org", role="editor").status_code == 303
    text = body_of(outbox.last_to("camille@example.org"))  # in the association's language: French
    assert "Ada Martin (ada@quartiers.example) vous invite à rejoindre l’équipe de Quartiers " \
           "Solidaires" in " ".join(text.split())
    assert "avec le rôle «\u00a0Rédaction\u00a0»" in text
    assert "Rédaction\u00a0: Rédige et publie les campagnes" in text  # what the role allows
    assert "Le site http://localhost fonctionne avec Chaton, un logiciel libre" in text  # what it is
    with app.app_context():
        expires = Invitation.get(Invitation.email == "camille@example.org").expires_at
    assert expires - utcnow() > timedelta(days=6)
    from chaton.core.formats import datetime as long_datetime

    with app.test_request_context("/?lang=fr"):
        assert long_datetime(expires) + " UTC" in text  # until when the link works
    assert "Si vous ne vous attendiez pas à cette invitation" in text
    assert "ada@quartiers.example" in text.split("Si vous ne vous attendiez pas", 1)[1]
