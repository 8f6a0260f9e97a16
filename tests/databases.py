"""The database engine of the tests: SQLite by default, PostgreSQL on demand.

SQLite: each test instance has its own `instance/chaton.db`, a copy of a template file that
`chaton db upgrade` migrated once per test process (`sqlite_database_for`): a copy takes a
millisecond, the migrations half a second.

PostgreSQL: set CHATON_TEST_DATABASE_URL to a server where the role may CREATE DATABASE, e.g.
`postgresql://chaton_test:secret@127.0.0.1:5432/postgres` (the database named there is only used
to connect; `.ci/postgres start DIR` makes such a server). Then:

- once per test process (per xdist worker), `chaton db upgrade` builds a template database, so
  the schema is whatever the migrations make, with nothing to maintain here;
- every test app (`make_app`), CLI run on its instance and `chaton serve` process (`ChatonServer`)
  gets a database of its own, copied from the template (CREATE DATABASE ... TEMPLATE); the
  instance's config.toml or the server's environment names it;
- a test's databases are dropped when it ends (WITH (FORCE): connections left open are cut);
  those made for a module-wide fixture at the end of the session, with the template.

A copy takes 0.03 to 0.3 s depending on the machine's load: a background thread keeps SPARES
copies ready and drops used ones, so that tests seldom wait for the server.

Tests that only make sense on SQLite (its files, its backups) use `sqlite_only`.
"""

import collections
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

URL = os.environ.get("CHATON_TEST_DATABASE_URL", "")
POSTGRESQL = URL.startswith(("postgresql://", "postgres://"))
ENGINE = "postgresql" if POSTGRESQL else "sqlite"
CHATON = Path(sys.executable).parent / "chaton"
PREFIX = f"chaton_test_{os.getpid()}_"
TEMPLATE = PREFIX + "template"

sqlite_only = pytest.mark.skipif(POSTGRESQL, reason="SQLite only (its database files)")
postgresql_only = pytest.mark.skipif(not POSTGRESQL, reason="needs CHATON_TEST_DATABASE_URL")

SPARES = 2  # databases copied ahead of need, in the background

_numbers = itertools.count(1)
_created = []  # names of the databases given to tests and not dropped yet
_template = None  # "made" once created, "ready" once migrated
_background = None  # one thread that runs CREATE and DROP DATABASE off the tests' path
_spares = collections.deque()  # futures of database names, copied from the template
_drops = []  # futures of the DROP DATABASE statements sent


def url_of(name):
    """The URL of database `name` on the test server."""
    parts = urlsplit(URL)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def _execute(sql):
    """One statement on the server's maintenance database (autocommit: CREATE/DROP DATABASE)."""
    import psycopg2

    with closing(psycopg2.connect(URL)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _drop_leftovers():
    """Drop what test processes killed before their end left on a server of this machine."""
    if urlsplit(URL).hostname not in (None, "", "localhost", "127.0.0.1", "::1"):
        return  # another machine's processes may be using theirs
    names = query(URL, None, "SELECT datname FROM pg_database WHERE datname LIKE 'chaton_test_%'")
    for (name,) in names:
        pid = name.split("_")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build_template():
    """CREATE DATABASE, then `chaton db upgrade` on it in a subprocess (no state left here)."""
    global _template
    _drop_leftovers()
    _execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
    _execute(f'CREATE DATABASE "{TEMPLATE}"')
    _template = "made"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATON_")}
    env.update(CHATON_DATABASE_URL=url_of(TEMPLATE), CHATON_SECRET_KEY="template")
    with tempfile.TemporaryDirectory(prefix="chaton-template-") as folder:
        done = subprocess.run([str(CHATON), "--instance", folder, "db", "upgrade"], env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"migrating the template failed:\n{done.stdout}\n{done.stderr}"
    _template = "ready"


_sqlite_template = None  # a migrated chaton.db, made once per test process


def sqlite_database_for(instance):
    """Give a new SQLite instance folder its chaton.db, copied from a template migrated once
    (by a real `chaton db upgrade`, as for PostgreSQL); nothing when it has one already."""
    global _sqlite_template
    if POSTGRESQL or (Path(instance) / "chaton.db").exists():
        return
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="chaton-sqlite-template-"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATON_")}
        env.update(CHATON_SECRET_KEY="template", CHATON_CONTENT_DIR=str(folder / "none"))
        done = subprocess.run([str(CHATON), "--instance", str(folder), "db", "upgrade"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"migrating the template failed:\n{done.stdout}\n{done.stderr}"
        with closing(sqlite3.connect(folder / "chaton.db")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
        _sqlite_template = folder / "chaton.db"
    Path(instance).mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, Path(instance) / "chaton.db")


def _copy_template():
    name = f"{PREFIX}{next(_numbers)}"
    _execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    return name


def new_database_url(empty=False):
    """A fresh migrated database for one test instance ("" on SQLite: the instance's file);
    `empty`: not even migrated."""
    global _background
    if not POSTGRESQL:
        return ""
    if _background is None:
        _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
    if empty:
        name = f"{PREFIX}{next(_numbers)}"
        _execute(f'CREATE DATABASE "{name}"')
        _created.append(name)
        return url_of(name)
    if _template != "ready":
        _build_template()
    while len(_spares) <= SPARES:
        _spares.append(_background.submit(_copy_template))
    name = _spares.popleft().result()
    _created.append(name)
    return url_of(name)


def created_count():
    return len(_created)


def drop_created_after(count):
    """Drop (in the background) the databases given since `created_count()` returned `count`."""
    while len(_created) > count:
        sql = f'DROP DATABASE IF EXISTS "{_created.pop()}" WITH (FORCE)'
        _drops.append(_background.submit(_execute, sql))


def drop_all():
    """Drop every database this process made, spares and the template last."""
    global _template, _background
    if _background is not None:
        drop_created_after(0)
        while _spares:
            _drops.append(_background.submit(_drop_spare, _spares.popleft()))
        _background.shutdown(wait=True)
        _background = None
        failed = [f.exception() for f in _drops if f.exception() is not None]
        _drops.clear()
        assert not failed, f"dropping test databases failed: {failed}"
    if _template is not None:
        _execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        _template = None


def _drop_spare(future):
    _execute(f'DROP DATABASE IF EXISTS "{future.result()}" WITH (FORCE)')


def query(database_url, db_path, sql, *args):
    """Rows of one SQL statement on an instance's database (`?` placeholders), either engine."""
    if database_url:
        import psycopg2

        with closing(psycopg2.connect(database_url)) as connection, connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), args or None)
            return cursor.fetchall()
    with closing(sqlite3.connect(db_path, timeout=10)) as connection:
        return connection.execute(sql, args).fetchall()
