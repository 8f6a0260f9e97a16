"""Several app servers on one PostgreSQL database: writes side by side (no global lock), nothing
a stopped process holds for longer than a timeout, a readiness check that writes, migrations
the previous release survives, a `db status` that only reads, URL-encoded passwords."""

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from contextlib import closing

import databases
import peewee
import pytest
import requests
from databases import postgresql_only
from helpers import Outbox, csrf_token, links_in, make_app, sign
from servers import CHATON, ChatonServer, clean_environ, sign_over_http

from chaton.core import db, migrations
from chaton.petitions.models import Petition, Signature


def test_database_urls_with_encoded_characters_and_options():
    params = db.postgresql_parameters(
        "postgresql://ch%40ton:p%40ss%20w%3Ard%25@db.example.org:6543/chaton?sslmode=verify-full",
        {"database_lock_timeout": 3, "database_idle_timeout": 7})
    assert params["user"] == "ch@ton" and params["password"] == "p@ss w:rd%"
    assert params["host"] == "db.example.org" and params["port"] == 6543
    assert params["database"] == "chaton" and params["sslmode"] == "verify-full"
    assert "-c lock_timeout=3000" in params["options"]
    assert "-c idle_in_transaction_session_timeout=7000" in params["options"]
    assert params["keepalives"] == 1 and params["keepalives_idle"] == 10
    assert params["application_name"].startswith("chaton ")
    # what the URL says wins over Chaton's defaults
    mine = db.postgresql_parameters("postgresql://u@h/d?keepalives_idle=60&options=-c%20work_mem%3D8MB",
                                    {})
    assert mine["keepalives_idle"] == 60
    assert "-c work_mem=8MB" in mine["options"] and "lock_timeout" in mine["options"]


def test_a_column_added_to_a_database_in_use_needs_a_default():
    class Late(db.BaseModel):
        required = peewee.CharField()
        flag = peewee.BooleanField(default=False)
        note = peewee.CharField(null=True)

    with pytest.raises(ValueError, match="must be nullable or have a default"):
        migrations.add_missing_column(None, Late, "required")
    assert migrations.sql_default(Late._meta.fields["flag"]) == "false"
    assert migrations.sql_default(Late._meta.fields["note"]) is None


def test_db_status_only_reads(tmp_path):
    """On an empty database `chaton db status` lists every migration and creates nothing."""
    url = databases.new_database_url(empty=True)
    instance = tmp_path / "instance"
    env = clean_environ(secret_key="x", database_url=url, content_dir=tmp_path / "none")
    done = subprocess.run([str(CHATON), "--instance", str(instance), "db", "status"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("pending: ") == len(migrations.MIGRATIONS)
    if url:
        tables = databases.query(url, None, "SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'public'")
    else:
        tables = databases.query("", instance / "chaton.db",
                                 "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert tables == []


def test_healthz_write_proves_a_write(client):
    assert client.get("/healthz/write").status_code == 200
    response = client.get("/healthz/write")
    assert response.get_json() == {"status": "ok"}
    assert "no-store" in response.headers["Cache-Control"]


@postgresql_only
def test_healthz_write_fails_when_writes_cannot_complete(app, client):
    """A server whose connection can only read looks fine on /healthz, not on /healthz/write."""
    with app.app_context():
        db.database.execute_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    assert client.get("/healthz").status_code == 200
    response = client.get("/healthz/write")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"


@postgresql_only
def test_writes_of_other_keys_never_wait(app):
    with app.app_context():
        holding = threading.Event()

        def hold():
            with app.app_context():
                with db.writing("signatory", 1, "ada@example.org"):
                    holding.set()
                    time.sleep(1.5)
                db.database.close()

        thread = threading.Thread(target=hold)
        thread.start()
        assert holding.wait(10)
        started = time.monotonic()
        with db.writing("signatory", 1, "grace@example.org"):
            Petition.update(signature_count=Petition.signature_count).execute()
        with db.writing():
            Petition.update(signature_count=Petition.signature_count).execute()
        assert time.monotonic() - started < 0.8, "another key or no key waited"
        with db.writing("signatory", 1, "ada@example.org"):
            waited = time.monotonic() - started
        thread.join(10)
        assert waited > 1.0, "the same key did not wait its turn"


def _held_row(app, petition_id):
    """A connection like a server's, which locks a petition's row and then stops talking (a
    process paused mid-write): its transaction stays open."""
    import psycopg2  # only installed with the postgresql extra

    url = app.config["CHATON"]["database_url"]
    connection = psycopg2.connect(**db.postgresql_parameters(url, app.config["CHATON"]))
    cursor = connection.cursor()
    cursor.execute("UPDATE petition SET signature_count = signature_count WHERE id = %s",
                   (petition_id,))
    return connection


@postgresql_only
def test_a_stopped_writer_holds_a_row_for_seconds_only(tmp_path, content_dir):
    import psycopg2  # only installed with the postgresql extra

    app = make_app(tmp_path, content_dir, database_idle_timeout=1, database_lock_timeout=10)
    with app.app_context():
        petition_id = Petition.select(Petition.id).scalar()
        with closing(_held_row(app, petition_id)) as stuck:
            started = time.monotonic()
            with db.writing():
                Petition.update(signature_count=Petition.signature_count + 1).where(
                    Petition.id == petition_id).execute()
            waited = time.monotonic() - started
            assert 0.5 < waited < 4, waited
            with pytest.raises(psycopg2.Error):  # the database ended the stopped transaction
                stuck.cursor().execute("SELECT 1")


@postgresql_only
def test_a_write_that_waits_too_long_answers_503_and_saves_nothing(tmp_path, content_dir):
    app = make_app(tmp_path, content_dir, database_idle_timeout=60, database_lock_timeout=1)
    client = app.test_client()
    assert sign(client).status_code == 303
    mail = Outbox(tmp_path / "instance" / "outbox").last_to("ada@example.org")
    link = next(link for link in links_in(mail) if "/s/" in link
                and not link.endswith(("/withdraw", "/unsubscribe")))
    path = link.split("localhost", 1)[1]
    token = csrf_token(client, path)
    with app.app_context():
        petition_id = Signature.get(Signature.email == "ada@example.org").petition_id
        stuck = _held_row(app, petition_id)
    try:
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        text = response.get_data(as_text=True)  # in the signatory's language
        assert "try again in a moment" in text or "réessayer dans un instant" in text
        with app.app_context():
            assert Signature.get(Signature.email == "ada@example.org").status == "pending"
    finally:
        stuck.rollback()
        stuck.close()
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert Signature.get(Signature.email == "ada@example.org").status == "confirmed"


@postgresql_only
def test_columns_added_by_migrations_let_the_previous_release_insert(app):
    """A rolling upgrade: servers still on the previous release insert rows without the
    columns a migration just added; each has a database default (or may be null)."""
    url = app.config["CHATON"]["database_url"]
    for number, columns in migrations.ADDED_COLUMNS.items():
        for path, name in columns:
            table = migrations.model_named(path)._meta.table_name
            [(nullable, default)] = databases.query(
                url, None, "SELECT is_nullable, column_default FROM information_schema.columns "
                           "WHERE table_name = ? AND column_name = ?", table, name)
            assert nullable == "YES" or default is not None, (number, table, name)
    # as the previous release's re-index would: a petition row without the newer columns
    old_columns = [c for c in databases.query(
        url, None, "SELECT column_name FROM information_schema.columns "
                   "WHERE table_name = 'petition' AND column_name NOT IN "
                   "('id', 'archived', 'partner_count', 'slug')")]
    names = ", ".join(f'"{c}"' for (c,) in old_columns)
    [(archived, partners)] = databases.query(
        url, None, f"INSERT INTO petition ({names}, slug) SELECT {names}, slug || '-old' "
                   "FROM petition LIMIT 1 RETURNING archived, partner_count")
    assert (archived, partners) == (False, 0)


def _in_transaction(url, pid, wrote=None):
    """Whether the process `pid` has a session paused inside a transaction (that has written
    to the table `wrote`, when given)."""
    sql = ("SELECT count(*) FROM pg_stat_activity a WHERE a.application_name LIKE ? "
           "AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')")
    args = [f"chaton % {pid}"]
    if wrote:
        sql += (" AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid "
                "AND l.relation = ?::regclass AND l.mode = 'RowExclusiveLock')")
        args.append(wrote)
    return databases.query(url, None, sql, *args)[0][0] > 0


@postgresql_only
@pytest.mark.slow
def test_a_server_paused_mid_write_costs_the_others_nothing(tmp_path):
    """Two `chaton serve --no-worker` on one database; one is stopped (SIGSTOP, as a hung VM)
    while it is inside a write transaction: the other keeps signing at once, its /healthz/write
    stays green, the database ends the stopped transaction within the idle timeout, and the
    stopped server serves again when it resumes."""
    settings = {"worker": 0, "database_idle_timeout": 3, "database_lock_timeout": 5}
    first = ChatonServer(tmp_path / "site", **settings)
    first.init().start()
    url = first.settings["database_url"]
    second = ChatonServer(tmp_path / "site", database_url=url, **settings)
    second.log_path = tmp_path / "site" / "second.log"
    second.start()
    stop_load = threading.Event()
    numbers = iter(range(10**6))

    def load():
        session = requests.Session()
        while not stop_load.is_set():
            with contextlib.suppress(requests.RequestException):  # the stopped one times out
                sign_over_http(first, session, token="", email=f"load{next(numbers)}@example.org")

    loaders = [threading.Thread(target=load) for _ in range(4)]
    paused = False
    try:
        for thread in loaders:
            thread.start()
        for _attempt in range(300):
            os.kill(first.proc.pid, signal.SIGSTOP)
            if _in_transaction(url, first.proc.pid, wrote="signature"):
                paused = True
                break
            os.kill(first.proc.pid, signal.SIGCONT)
            time.sleep(0.01)
        assert paused, "never caught the first server inside a transaction"
        stopped_at = time.monotonic()
        session = requests.Session()
        for n in range(10):
            started = time.monotonic()
            response = sign_over_http(second, session, token="", email=f"second{n}@example.org")
            assert response.status_code == 303, response.text[:300]
            assert time.monotonic() - started < 1.5, "a write of the healthy server waited"
        assert requests.get(second.url("/healthz/write"), timeout=5).status_code == 200
        while _in_transaction(url, first.proc.pid) and time.monotonic() - stopped_at < 9:
            time.sleep(0.1)
        assert not _in_transaction(url, first.proc.pid), "the stopped transaction lives on"
    finally:
        if paused:
            os.kill(first.proc.pid, signal.SIGCONT)
        stop_load.set()
        for thread in loaders:
            thread.join(30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # its first request may answer 503 (its transaction ended)
        if sign_over_http(first, token="", email="after@example.org").status_code == 303:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the resumed server does not sign again")
    assert requests.get(first.url("/healthz/write"), timeout=5).status_code == 200
    assert second.count() == first.count()
    second.assert_no_tracebacks()
    first.assert_no_tracebacks()
    second.stop()
    first.stop()


@postgresql_only
@pytest.mark.slow
def test_rate_limits_are_shared_by_the_servers(tmp_path):
    """One address spread over two servers by a load balancer gets the limit once, not twice:
    signatures (sign_rate_limit) and password attempts (10 a minute)."""
    first = ChatonServer(tmp_path / "site", worker=0, sign_rate_limit="3 per minute")
    first.init().start()
    second = ChatonServer(tmp_path / "site", worker=0, sign_rate_limit="3 per minute",
                          database_url=first.settings["database_url"])
    second.log_path = tmp_path / "site" / "second.log"
    second.start()
    try:
        answers = [sign_over_http(server, token="", email=f"limit{n}@example.org").status_code
                   for n, server in enumerate([first, second, first, second])]
        assert answers == [303, 303, 303, 429]
        assert sign_over_http(first, token="", email="limit9@example.org").status_code == 429

        session = requests.Session()
        page = session.get(first.url("/account/login"), timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        codes = [session.post(server.url("/account/login"), timeout=10, allow_redirects=False,
                              data={"csrf_token": token, "email": "nobody@example.org",
                                    "password": "wrong"}).status_code
                 for server in [first, second] * 6]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
        first.assert_no_tracebacks()
        second.assert_no_tracebacks()
    finally:
        second.stop()
        first.stop()


def test_init_records_the_database_url(tmp_path):
    """`chaton init --database-url` (what `install.sh --database-url=...` runs) writes it in
    config.toml once and makes the schema there; another URL later is refused."""
    url = databases.new_database_url(empty=True) or f"sqlite:///{tmp_path / 'elsewhere.db'}"
    instance = tmp_path / "instance"
    env = clean_environ(content_dir=tmp_path / "none")
    done = subprocess.run([str(CHATON), "--instance", str(instance), "init",
                           f"--database-url={url}"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f'database_url = "{url}"' in (instance / "config.toml").read_text()
    status = subprocess.run([str(CHATON), "--instance", str(instance), "db", "status"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0 and "up to date" in status.stdout
    assert not (instance / "chaton.db").exists()
    other = subprocess.run([str(CHATON), "--instance", str(instance), "init",
                            "--database-url=sqlite:///other.db"], env=env, capture_output=True,
                           text=True, timeout=60)
    assert other.returncode == 1 and "another database_url" in other.stderr
    typo = subprocess.run([str(CHATON), "--instance", str(tmp_path / "elsewhere"), "init",
                           "--database-url=postgresq://chaton@db/chaton"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert typo.returncode == 1 and "--database-url: use" in typo.stderr
    assert not (tmp_path / "elsewhere").exists()  # nothing made
