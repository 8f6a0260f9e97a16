"""The database layer on either engine (CHATON_TEST_DATABASE_URL picks PostgreSQL): writes one
at a time, migrations that add a column, several app servers and one worker on one database."""

import subprocess
import threading
import time

import databases
import peewee
import pytest
import requests
from databases import postgresql_only
from helpers import PETITION_URL
from servers import (  # noqa: F401  (smtp_server_fixture registers the smtp_server fixture)
    CHATON,
    ChatonServer,
    clean_environ,
    confirm_link,
    form_token,
    path_of,
    sign_over_http,
    smtp_server_fixture,
)

from chaton.core import db, migrations
from chaton.petitions.models import Petition


def test_writes_of_one_key_are_one_at_a_time(app):
    """Read, decide, write under a key: no lost update, whatever the engine (SQLite's lock,
    PostgreSQL's advisory lock on that key), across threads with connections of their own."""
    with app.app_context():
        petition_id = Petition.select(Petition.id).scalar()

    def add_one_ten_times():
        with app.app_context():
            for _ in range(10):
                with db.writing("petition-count", petition_id):
                    count = Petition.get_by_id(petition_id).signature_count
                    time.sleep(0.002)  # another writer would slip in here without the lock
                    Petition.update(signature_count=count + 1).where(
                        Petition.id == petition_id).execute()
            db.database.close()

    with app.app_context():
        before = Petition.get_by_id(petition_id).signature_count
    threads = [threading.Thread(target=add_one_ten_times) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        assert Petition.get_by_id(petition_id).signature_count == before + 40


def test_a_migration_adds_a_missing_column(app):
    """The upgrade path of an older database: migration 4 adds its column where it lacks."""
    from playhouse.migrate import SchemaMigrator, migrate

    with app.app_context():
        migrate(SchemaMigrator.from_database(db.database).drop_column("signature",
                                                                     "confirmation_sent_at"))
        migrations.SchemaMigration.delete().where(migrations.SchemaMigration.number == 4).execute()
        assert [n for n, _fn in migrations.pending()] == [4]
        assert migrations.upgrade() == ["m0004_confirmation_sent"]
        columns = {c.name for c in db.database.get_columns("signature")}
        assert "confirmation_sent_at" in columns and migrations.pending() == []


@postgresql_only
def test_a_lost_connection_is_reopened(app):
    """A PostgreSQL restart or a cut connection costs no request outside a transaction."""
    with app.app_context():
        pid = db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        databases.query(databases.URL, None, "SELECT pg_terminate_backend(?)", pid)
        time.sleep(0.2)
        assert Petition.select().count() > 0
        assert db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0] != pid
        with pytest.raises(peewee.OperationalError), db.writing():  # inside one, it fails
            other = db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
            databases.query(databases.URL, None, "SELECT pg_terminate_backend(?)", other)
            time.sleep(0.2)
            Petition.select().count()
        assert Petition.select().count() > 0  # and the next statement reconnects


@postgresql_only
def test_app_servers_starting_together_migrate_once(tmp_path):
    """Several app servers start at once on an empty database: one migrates, none fails."""
    url = databases.new_database_url(empty=True)
    env = clean_environ(database_url=url, secret_key="x")
    procs = [subprocess.Popen([str(CHATON), "--instance", str(tmp_path / f"i{n}"), "db",
                               "upgrade"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for n in range(3)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    applied = [line for out in outputs for line in out.splitlines() if line.startswith("applied ")]
    assert len(applied) == len(migrations.MIGRATIONS), outputs


@pytest.mark.slow
def test_two_app_servers_and_one_worker(tmp_path, smtp_server):
    """`chaton serve --no-worker` twice on one database, `chaton worker` once: a signature
    taken by one server is mailed by the worker, confirmed on the other, counted on both."""
    first = ChatonServer(tmp_path / "site", smtp_port=smtp_server.port, worker=0)
    first.init().start()
    second = ChatonServer(tmp_path / "site", smtp_port=smtp_server.port, worker=0,
                          database_url=first.settings.get("database_url", ""))
    second.log_path = tmp_path / "site" / "second.log"
    worker = None
    try:
        second.start()
        before = first.count()
        assert sign_over_http(first, email="two.servers@example.org").status_code == 303
        time.sleep(1.0)
        assert smtp_server.to("two.servers@example.org") == [], "no worker yet: nothing sent"

        with (tmp_path / "worker.log").open("wb") as log:
            worker = subprocess.Popen([str(CHATON), "--instance", str(first.instance), "worker"],
                                      env=first.env(), stdout=log, stderr=subprocess.STDOUT)
        link = second.url(path_of(confirm_link(smtp_server.wait_for("two.servers@example.org"))))
        session = requests.Session()
        done = session.post(link, data={"csrf_token": form_token(session, link)},
                            allow_redirects=False, timeout=10)
        assert done.status_code == 303
        assert second.count() == before + 1
        deadline = time.monotonic() + 10  # the first server's page cache lives 2 seconds
        while first.count() != before + 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert first.count() == before + 1
        assert requests.get(first.url(PETITION_URL), timeout=10).status_code == 200
        first.assert_no_tracebacks()
        second.assert_no_tracebacks()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=20)
        second.stop()
        first.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")


def test_an_unsupported_database_url_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="unsupported database 'mysql'"):
        db.open_database("mysql://chaton@localhost/chaton", tmp_path)
