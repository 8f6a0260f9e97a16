"""`chaton backup` and `chaton restore`: round trip, a backup under a burst of signatures,
damaged archives, non-empty targets.

The source instance is made by the real `chaton init` and `chaton demo` (subprocesses, once per
module); backup and restore run through click's CliRunner, or as a subprocess next to a real
`chaton serve` while it signs.
"""

import io
import itertools
import json
import os
import sqlite3
import subprocess
import tarfile
import threading
import time
from contextlib import closing
from pathlib import Path

import databases
import pytest
import requests
from click.testing import CliRunner
from databases import postgresql_only, sqlite_only
from helpers import PETITION_URL
from servers import CHATON, ChatonServer, clean_environ, form_token, running_server, sign_over_http

from chaton.cli import main
from chaton.core.migrations import MIGRATIONS

pytestmark = pytest.mark.slow

SIGNERS = 4


def chaton(*args, env, timeout=120):
    """Run the installed `chaton` command; its CompletedProcess."""
    return subprocess.run([str(CHATON), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=timeout)


def invoke(*args, **env):
    """Run a `chaton` command in-process with CliRunner; CHATON_* settings given by name."""
    environ = {k: None for k in os.environ if k.startswith("CHATON_")}
    environ.update({"CHATON_" + k.upper(): str(v) for k, v in env.items()})
    return CliRunner().invoke(main, [str(a) for a in args], env=environ)


def rows(db_path, table):
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()


def tables(db_path):
    with closing(sqlite3.connect(db_path)) as con:
        return [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def integrity(db_path):
    with closing(sqlite3.connect(db_path)) as con:
        return con.execute("PRAGMA integrity_check").fetchall()


def tree(folder):
    """{relative path: bytes} of every file under a folder."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """An instance made by `chaton init` + `chaton demo`, with its own copy of the content."""
    server = ChatonServer(tmp_path_factory.mktemp("source")).init()
    done = chaton("--instance", server.instance, "demo", env=server.env())
    assert done.returncode == 0, done.stderr
    return server


@pytest.fixture
def archive(source, tmp_path):
    result = invoke("--instance", source.instance, "backup", "--output", tmp_path / "b.tar.gz",
                    content_dir=source.content)
    assert result.exit_code == 0, result.output
    return tmp_path / "b.tar.gz"


@sqlite_only
def test_round_trip(source, tmp_path):
    result = invoke("--instance", source.instance, "backup", content_dir=source.content)
    assert result.exit_code == 0, result.output
    made = next((source.instance / "backups").glob("chaton-*.tar.gz"))
    assert str(made) in result.output and "MiB" in result.output
    assert (source.instance / "backups").stat().st_mode & 0o777 == 0o700
    with tarfile.open(made) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["migrations"] == [number for number, _ in MIGRATIONS]
    assert manifest["signatures"]["quartiers-solidaires/ecole-sans-amiante"]["confirmed"] > 0
    assert "instance/config.toml" in manifest["files"]

    target = tmp_path / "restored"
    result = invoke("restore", made, "--instance-dir", target / "instance",
                    "--content-dir", target / "content")
    assert result.exit_code == 0, result.output
    assert "integrity_check: ok" in result.output
    for db in ("chaton.db", "queue.db"):
        assert tables(target / "instance" / db) == tables(source.instance / db)
        for table in tables(source.instance / db):
            assert rows(target / "instance" / db, table) == rows(source.instance / db, table), table
    assert tree(target / "content") == tree(source.content)
    config = "config.toml"
    assert (target / "instance" / config).read_bytes() == (source.instance / config).read_bytes()
    status = chaton("--instance", target / "instance", "db", "status",
                    env=clean_environ(content_dir=target / "content"))
    assert status.returncode == 0, status.stdout + status.stderr
    assert not list(tmp_path.glob(".*restore-*")), "temporary folders left behind"


@sqlite_only
def test_backup_during_a_burst_of_signatures(tmp_path):
    with running_server(tmp_path / "site") as server:
        before, after, statuses = sign_while(server, lambda: backup_process(server, tmp_path))
        online = server.count()
    assert not statuses, f"signatures refused during the backup: {statuses}"
    assert after, "no signature was acknowledged once the backup had started"

    target = tmp_path / "restored"
    result = invoke("restore", tmp_path / "live.tar.gz", "--instance-dir", target / "instance",
                    "--content-dir", target / "content")
    assert result.exit_code == 0, result.output
    db = target / "instance" / "chaton.db"
    assert integrity(db) == [("ok",)]
    with closing(sqlite3.connect(db)) as con:
        emails = {e for (e,) in con.execute("SELECT email FROM signature")}
        counters = con.execute(
            "SELECT p.signature_count, (SELECT count(*) FROM signature s WHERE s.petition_id = p.id"
            " AND s.status = 'confirmed') FROM petition p").fetchall()
    missing = before - emails
    assert not missing, f"{len(missing)} signatures acknowledged before the backup are missing"
    assert all(kept == counted for kept, counted in counters), counters
    with running_server(target) as restored:
        assert restored.count() == online


def backup_process(server, tmp_path):
    done = chaton("--instance", server.instance, "backup", "--output", tmp_path / "live.tar.gz",
                  env=server.env())
    assert done.returncode == 0, done.stdout + done.stderr


def sign_while(server, action):
    """Sign from SIGNERS threads; run `action` once some are acknowledged; stop soon after.

    Returns (e-mails acknowledged before `action` started, those acknowledged after, statuses
    other than 303)."""
    lock, stop, numbers = threading.Lock(), threading.Event(), itertools.count()
    acked, statuses = [], []

    def signer():
        session = requests.Session()
        token = form_token(session, server.url(PETITION_URL))
        while not stop.is_set():
            email = f"live{next(numbers)}@example.org"
            response = sign_over_http(server, session, token=token, email=email, name="Live")
            with lock:
                if response.status_code == 303:
                    acked.append(email)
                else:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=signer) for _ in range(SIGNERS)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(acked) >= 30, "30 acknowledged signatures")
        with lock:
            before = set(acked)
        action()
        wait_for(lambda: len(acked) >= len(before) + 10, "signatures after the backup")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    return before, set(acked) - before, statuses


def wait_for(condition, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} after {timeout}s"
        time.sleep(0.05)


def rewrite(archive, target, change):
    """Copy a .tar.gz archive, passing each member's (name, bytes) through `change`."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            if data is not None:
                data = change(member.name, data)
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def flip_a_byte(name, data):
    if name != "instance/chaton.db":
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]


@sqlite_only
def test_damaged_archive_is_refused_and_changes_nothing(archive, tmp_path):
    target = tmp_path / "existing"
    (target / "instance").mkdir(parents=True)
    (target / "instance" / "config.toml").write_text("secret_key = 'keep me'\n")
    before = tree(target)

    bad = rewrite(archive, tmp_path / "bad.tar.gz", flip_a_byte)
    result = invoke("restore", bad, "--instance-dir", target / "instance",
                    "--content-dir", target / "content", "--force")
    assert result.exit_code == 1
    assert "instance/chaton.db: checksum mismatch" in result.output
    assert "nothing was restored" in result.output

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = invoke("restore", truncated, "--instance-dir", target / "instance", "--force")
    assert result.exit_code == 1
    assert "cannot be unpacked" in result.output

    assert tree(target) == before
    assert sorted(p.name for p in target.iterdir()) == ["instance"], "leftovers next to target"


@sqlite_only
def test_restore_refuses_a_non_empty_instance_without_force(archive, tmp_path):
    instance, content = tmp_path / "instance", tmp_path / "content"
    instance.mkdir()
    (instance / "config.toml").write_text("secret_key = 'other'\n")
    (instance / "backups").mkdir()
    (instance / "backups" / "old.tar.gz").write_bytes(b"an earlier archive")

    result = invoke("restore", archive, "--instance-dir", instance, "--content-dir", content)
    assert result.exit_code == 1
    assert "is not empty" in result.output and "--force" in result.output
    assert (instance / "config.toml").read_text() == "secret_key = 'other'\n"
    assert not content.exists()

    result = invoke("restore", archive, "--instance-dir", instance, "--content-dir", content,
                    "--force")
    assert result.exit_code == 0, result.output
    aside = next(tmp_path.glob("instance.replaced-*"))
    assert (aside / "config.toml").read_text() == "secret_key = 'other'\n"
    assert str(aside) in result.output
    assert (instance / "chaton.db").is_file()
    assert (instance / "backups" / "old.tar.gz").read_bytes() == b"an earlier archive"


def test_an_unreachable_postgresql_fails_cleanly(source, tmp_path):
    result = invoke("--instance", source.instance, "backup", "--output", tmp_path / "x.tar.gz",
                    database_url="postgresql://chaton:secret@127.0.0.1:1/chaton")
    assert result.exit_code == 1 and "PostgreSQL" in result.output, result.output
    assert "secret" not in result.output
    assert not list(tmp_path.iterdir())


@postgresql_only
def test_postgresql_round_trip(source, tmp_path):
    """pg_dump under `chaton backup` (owner-only, the queue's rows left out), then `chaton
    restore` into a new empty database; a non-empty one is refused without --force."""
    import psycopg2

    url = source.settings["database_url"]
    with closing(psycopg2.connect(url)) as con, con, con.cursor() as cursor:
        # the worker's queue (made by `chaton init`), with a mail waiting
        cursor.execute("INSERT INTO huey_task (queue, data, priority) "
                       "VALUES ('main', 'a mail queued', 0)")
    result = invoke("--instance", source.instance, "backup", "--output", tmp_path / "b.tar.gz",
                    content_dir=source.content, database_url=url)
    assert result.exit_code == 0, result.output
    assert "pg_dump" in result.output
    made = tmp_path / "b.tar.gz"
    assert made.stat().st_mode & 0o777 == 0o600
    with tarfile.open(made) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.getmember("instance/chaton.dump").mode & 0o077 == 0
    assert manifest["engine"] == "postgresql"
    assert manifest["migrations"] == [number for number, _ in MIGRATIONS]
    confirmed = manifest["signatures"]["quartiers-solidaires/ecole-sans-amiante"]["confirmed"]
    assert confirmed > 0

    target_url = databases.new_database_url(empty=True)
    target = tmp_path / "restored"
    result = invoke("restore", made, "--instance-dir", target / "instance",
                    "--content-dir", target / "content", database_url=target_url)
    assert result.exit_code == 0, result.output
    assert "pg_restore" in result.output
    assert not (target / "instance" / "chaton.dump").exists()
    count = "SELECT count(*) FROM signature WHERE status = 'confirmed'"
    assert databases.query(target_url, None, count) == databases.query(url, None, count)
    assert databases.query(target_url, None, "SELECT count(*) FROM huey_task") == [(0,)]
    assert tree(target / "content") == tree(source.content)
    status = chaton("--instance", target / "instance", "db", "status",
                    env=clean_environ(content_dir=target / "content", database_url=target_url))
    assert status.returncode == 0, status.stdout + status.stderr

    again = invoke("restore", made, "--instance-dir", tmp_path / "other",
                   "--content-dir", tmp_path / "other-content", database_url=target_url)
    assert again.exit_code == 1 and "not empty" in again.output
    assert not (tmp_path / "other").exists() or not any((tmp_path / "other").iterdir())


def test_failed_backup_leaves_nothing(tmp_path):
    """A backup of a folder without database fails cleanly, leaving no partial archive."""
    (tmp_path / "instance").mkdir()
    result = invoke("--instance", tmp_path / "instance", "backup", "--output",
                    tmp_path / "out" / "x.tar.gz", content_dir=tmp_path / "none")
    assert result.exit_code == 1 and "chaton init" in result.output
    assert not list((tmp_path / "out").iterdir())
