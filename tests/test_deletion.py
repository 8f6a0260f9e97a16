"""Deleting an association: every row of it goes, its folder leaves content/, its followers
are told, one instance-level audit entry remains, and the other association is untouched."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from data_helpers import OTHER, PARTICIPANTS, PEOPLE, PETITIONS, populate
from helpers import csrf_token, make_member, member_client, sign

from chaton.accounts.models import Account, AuditEntry
from chaton.cli import main
from chaton.core.db import database
from chaton.federation.models import ActorKey, Delivery
from chaton.orgs.models import Association

ORG = "quartiers-solidaires"
PAGE = f"/{ORG}/admin/delete/"
# tables that name an association by its slug, or a petition by its id, without a foreign key
BY_SLUG = {"event": "association", "content_error": "association", "fed_follower": "association",
           "fed_delivery": "sender", "fed_actor_key": "owner"}
BY_PETITION_ID = {"fed_partner_count": "petition"}


def primary_key(table):
    return database.get_primary_keys(table)[0]


def all_rows(table):
    """{primary key: row} of a whole table."""
    key = primary_key(table)
    cursor = database.execute_sql(f'SELECT * FROM "{table}"')
    columns = [c[0] for c in cursor.description]
    return {row[columns.index(key)]: row for row in cursor.fetchall()}


def owned(slug):
    """{table: primary keys} of the rows that belong to an association, found by following the
    database's own foreign keys to its row (and the columns that hold its slug)."""
    mark = database.param  # ? for SQLite, %s for PostgreSQL
    association = database.execute_sql(f"SELECT id FROM association WHERE slug = {mark}",
                                       (slug,)).fetchone()
    found = {"association": {association[0]}}
    changed = True
    while changed:
        changed = False
        for table in database.get_tables():
            for fk in database.get_foreign_keys(table):
                parents = found.get(fk.dest_table)
                if not parents:
                    continue
                marks = ",".join([mark] * len(parents))
                rows = database.execute_sql(
                    f'SELECT "{primary_key(table)}" FROM "{table}" WHERE "{fk.column}" IN ({marks})',
                    list(parents)).fetchall()
                new = {r[0] for r in rows} - found.get(table, set())
                if new:
                    found.setdefault(table, set()).update(new)
                    changed = True
    for table, column in BY_SLUG.items():
        rows = database.execute_sql(f'SELECT "{primary_key(table)}" FROM "{table}" WHERE '
                                    f'"{column}" = {mark}', (slug,)).fetchall()
        found.setdefault(table, set()).update(r[0] for r in rows)
    for table, column in BY_PETITION_ID.items():
        for petition in found.get("petition", ()):
            rows = database.execute_sql(f'SELECT "{primary_key(table)}" FROM "{table}" WHERE '
                                        f'"{column}" = {mark}', (petition,)).fetchall()
            found.setdefault(table, set()).update(r[0] for r in rows)
    return found


@pytest.fixture
def full(app, client, outbox, content_dir, monkeypatch):
    """Both associations full of data; deliveries are recorded instead of sent."""
    sent = []
    monkeypatch.setattr("chaton.federation.delivery.post_activity",
                        lambda inbox, activity, signer: sent.append((inbox, activity, signer))
                        or 202)
    populate(app, client, outbox, content_dir)
    app.sent = sent
    return app


def delete(client, typed=ORG):
    return client.post(PAGE, data={"csrf_token": csrf_token(client, PAGE), "slug": typed})


def test_the_page_says_what_will_be_erased_and_wants_the_slug(full):
    admin = member_client(full, ORG, "admin")
    html = admin.get(PAGE).get_data(as_text=True)
    assert "To confirm, type the address of the association: quartiers-solidaires" in html
    assert "Download the archive" in html and "1,061" in html  # 742 + 318 demo + 2, 1 removed
    wrong = delete(admin, "Quartiers-Solidaires")
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert 'value="Quartiers-Solidaires"' in wrong.get_data(as_text=True)
    assert Association.get_or_none(Association.slug == ORG) is not None


def test_deletion_removes_every_row_of_the_association_and_nothing_else(full, content_dir):
    qs_before, other_before = owned(ORG), owned(OTHER)
    assert {"signature", "consultation_vote", "consultation_support", "consultation_comment",
            "membership", "invitation", "audit_entry", "event", "content_error", "fed_follower",
            "fed_partner_count", "signature_invalidation", "daily_count"} <= {
        t for t, ids in qs_before.items() if ids}
    everything = {t: all_rows(t) for t in database.get_tables()}
    admin = member_client(full, ORG, "admin")
    response = delete(admin)
    assert response.status_code == 303 and response.headers["Location"].endswith("/account/")

    other_after = owned(OTHER)
    for table in database.get_tables():
        rows = all_rows(table)
        gone = set(everything[table]) - set(rows)
        assert gone == qs_before.get(table, set()), table  # all of it, and only it
        kept = {k: everything[table][k] for k in other_before.get(table, set())}
        assert {k: rows[k] for k in other_after.get(table, set())} == kept, table
        added = set(rows) - set(everything[table])
        if table == "audit_entry":
            assert len(added) == 1
        elif table not in ("fed_delivery", "fed_remote_host",  # the Delete, delivered
                           "account_session",  # the admin signed in to delete it
                           "rate_limit"):  # (PostgreSQL) that password attempt, counted
            assert not added, table

    # the only traces: the instance-level audit entry, the Delete for followers and its key
    entry = AuditEntry.get(AuditEntry.action == "association.delete")
    assert entry.association is None and entry.target == ORG
    assert entry.details["signatures"] == 1061 and entry.details["participants"] > 180
    dump = "\n".join(repr(r) for t in database.get_tables() for r in all_rows(t).values())
    for secret in (PEOPLE[ORG], PARTICIPANTS[ORG], "ecole-sans-amiante", "avenir-friche"):
        assert secret not in dump, secret
    assert Account.get_or_none(Account.email == f"admin@{ORG}.example") is not None

    # the folder left content/ for instance/deleted/
    assert not (content_dir / ORG).exists()
    aside = list((Path(full.instance_path) / "deleted").glob(f"{ORG}-*"))
    assert len(aside) == 1 and (aside[0] / "content" / "association.md").is_file()
    assert oct(aside[0].stat().st_mode & 0o777) == "0o700"


def test_followers_are_told_and_the_key_goes_once_delivered(full):
    delete(member_client(full, ORG, "admin"))
    deletes = [(inbox, a) for inbox, a, signer in full.sent if a["type"] == "Delete"]
    assert deletes == [(f"https://remote.example/users/{ORG}/inbox", deletes[0][1])]
    assert deletes[0][1]["object"] == deletes[0][1]["actor"] == f"http://localhost/{ORG}/"
    assert all(signer == ORG for _, _, signer in full.sent)
    assert ActorKey.get_or_none(ActorKey.owner == ORG) is None  # delivered: the key is gone
    assert ActorKey.get_or_none(ActorKey.owner == OTHER) is not None


def test_the_key_stays_while_the_delete_waits_for_delivery(app, client, outbox, content_dir,
                                                           monkeypatch):
    from chaton.federation.fetch import FetchError

    def down(inbox, activity, signer):
        raise FetchError("connection refused")

    monkeypatch.setattr("chaton.federation.delivery.post_activity", down)
    populate(app, client, outbox, content_dir)
    delete(member_client(app, ORG, "admin"))
    waiting = Delivery.get(Delivery.sender == ORG)
    assert waiting.status == "pending" and waiting.activity["type"] == "Delete"
    assert ActorKey.get_or_none(ActorKey.owner == ORG) is not None  # to sign the next try
    with app.app_context():
        from chaton.federation.deletion import forget_retired_keys

        assert forget_retired_keys() == []
        Delivery.update(status="done").where(Delivery.id == waiting.id).execute()
        assert forget_retired_keys() == [ORG]


def test_the_site_forgets_it_and_the_other_association_keeps_working(full, client, outbox):
    admin = member_client(full, ORG, "admin")
    delete(admin)
    assert "were deleted" in admin.get("/account/").get_data(as_text=True)
    for url in (f"/{ORG}/", f"/{ORG}/petitions/{PETITIONS[ORG]}", f"/{ORG}/admin/"):
        assert client.get(url).status_code == 404, url
    assert ORG not in client.get("/").get_data(as_text=True)
    other = member_client(full, OTHER, "admin")
    assert other.get(f"/{OTHER}/admin/").status_code == 200
    assert other.get(f"/{OTHER}/admin/exports/").status_code == 200
    url = f"/{OTHER}/petitions/{PETITIONS[OTHER]}"
    before = client.get(url + ".json").get_json()["counts"]["online"]
    assert sign(client, url, email="after@example.org").status_code == 303
    link = next(w for w in outbox.last_to("after@example.org").get_body(("plain",))
                .get_content().split() if "/s/" in w)
    path = link.replace("http://localhost", "")
    client.post(path, data={"csrf_token": csrf_token(client, path)})
    assert client.get(url + ".json").get_json()["counts"]["online"] == before + 1
    hoster_log = AuditEntry.select().where(AuditEntry.association.is_null()).count()
    assert hoster_log >= 1


@pytest.mark.parametrize("role", ["editor", "moderator"])
def test_only_admins_delete(app, role):
    member = member_client(app, ORG, role)
    assert member.get(PAGE).status_code == 403
    token = csrf_token(member, "/account/")
    assert member.post(PAGE, data={"csrf_token": token, "slug": ORG}).status_code == 403
    assert Association.by_slug(ORG) is not None


def test_another_association_gets_403(app):
    # was a 404; issue 14: every refusal is a clear 403
    stranger = member_client(app, OTHER, "admin")
    assert stranger.get(PAGE).status_code == 403
    token = csrf_token(stranger, "/account/")
    assert stranger.post(PAGE, data={"csrf_token": token, "slug": ORG}).status_code == 403
    assert Association.get(Association.slug == ORG).present


def test_the_command_line_and_the_grace_period(app, content_dir, tmp_path):
    make_member(app, ORG, "admin")
    env = {"CHATON_SECRET_KEY": "test-secret", "CHATON_CONTENT_DIR": str(content_dir),
           "CHATON_IMMEDIATE_TASKS": "1", "CHATON_BASE_URL": "http://localhost"}
    environ = {k: None for k in os.environ if k.startswith("CHATON_")} | env
    instance = str(tmp_path / "instance")
    refused = CliRunner().invoke(main, ["--instance", instance, "org", "delete", ORG],
                                 input="wrong\n", env=environ)
    assert refused.exit_code != 0 and "nothing deleted" in refused.output
    assert (content_dir / ORG).is_dir()
    done = CliRunner().invoke(main, ["--instance", instance, "org", "delete", ORG, "--yes"],
                              env=environ)
    assert done.exit_code == 0, done.output
    assert f"{ORG} deleted" in done.output and "signature" in done.output
    assert Association.get_or_none(Association.slug == ORG) is None
    assert AuditEntry.get(AuditEntry.action == "association.delete").actor == "command line"
    missing = CliRunner().invoke(main, ["--instance", instance, "org", "delete", "nobody"],
                                 env=environ)
    assert missing.exit_code != 0

    with app.app_context():
        from chaton.orgs.deletion import purge_deleted_folders

        assert purge_deleted_folders() == []  # within the grace period
        later = datetime.now(UTC) + timedelta(days=31)
        assert [n.split("-2")[0] for n in purge_deleted_folders(now=later)] == [ORG]
    assert not any((tmp_path / "instance" / "deleted").iterdir())


def test_without_grace_period_the_folder_is_erased_at_once(tmp_path, content_dir):
    from helpers import make_app

    app = make_app(tmp_path, content_dir, deleted_grace_days=0)
    admin = member_client(app, ORG, "admin")
    assert delete(admin).status_code == 303
    assert not (content_dir / ORG).exists()
    assert not (tmp_path / "instance" / "deleted").exists()


def test_the_hoster_deletes_from_the_hoster_area(app, content_dir):
    hoster = app.test_client()
    from helpers import log_in

    log_in(hoster, make_member(app, None, email="host@example.org", hoster=True))
    page = f"/hoster/associations/{ORG}/delete"
    assert f"/hoster/associations/{ORG}/delete" in hoster.get(
        f"/hoster/associations/{ORG}").get_data(as_text=True)
    wrong = hoster.post(page, data={"csrf_token": csrf_token(hoster, page), "slug": "nope"})
    assert wrong.status_code == 422 and 'value="nope"' in wrong.get_data(as_text=True)
    done = hoster.post(page, data={"csrf_token": csrf_token(hoster, page), "slug": ORG})
    assert done.status_code == 303 and done.headers["Location"].endswith("/hoster/")
    assert not (content_dir / ORG).exists()
    assert hoster.get(f"/{ORG}/").status_code == 404
    assert hoster.get(f"/{OTHER}/").status_code == 200
    with app.app_context():
        entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    assert entry.action == "association.delete" and entry.actor == "host@example.org"
    # an association's own admin cannot use the hoster's route
    member = member_client(app, OTHER)
    assert member.get(f"/hoster/associations/{OTHER}/delete").status_code == 403  # was 404
