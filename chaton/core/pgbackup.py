"""`chaton backup` and `chaton restore` with PostgreSQL: pg_dump and pg_restore, driven with the
settings Chaton already has.

The dump and the manifest's counts read one snapshot: a REPEATABLE READ transaction exports it
(`pg_export_snapshot()`) and pg_dump reads the same one (`--snapshot`), so the archive says
exactly what the dump holds, while the site keeps serving. The password travels in the
environment of pg_dump (PGPASSWORD), never on its command line, which every user of the machine
can read. Rows of the background queue (tables `huey_*`), the rate limit counters and the
health heartbeats are left out, their tables kept: a restored database does not send again
the mail it had queued (confirmation mails not sent yet are sent again by the worker from the
signatures themselves), nor inherit old counters.
"""

import os
import shutil
import subprocess
from contextlib import closing
from glob import glob
from pathlib import Path
from urllib.parse import quote, urlencode

DUMP = "chaton.dump"
LEFT_OUT = ("huey_*", "rate_limit", "heartbeat")


class Error(Exception):
    """What pg_dump or pg_restore said, or why they cannot run."""


def is_postgresql(settings):
    return (settings.get("database_url") or "").startswith(("postgresql://", "postgres://"))


def tool(name):
    """pg_dump or pg_restore: Debian's newest (/usr/lib/postgresql/N/bin), else the PATH's."""
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise Error(f"{name} is missing: install PostgreSQL's client tools "
                    "(`sudo apt install postgresql-client`)")
    return path


def connection(settings):
    """(URL without password, environment with PGPASSWORD) for libpq's tools."""
    from chaton.core.db import postgresql_parameters

    params = postgresql_parameters(settings["database_url"], settings)
    password = params.pop("password", None)
    user = quote(params.pop("user", ""), safe="")
    host, port = params.pop("host", ""), params.pop("port", None)
    name = quote(params.pop("database", ""), safe="")
    netloc = (f"{user}@" if user else "") + host + (f":{port}" if port else "")
    url = f"postgresql://{netloc}/{name}"
    if params:
        url += "?" + urlencode({k: v for k, v in params.items() if v is not None}, quote_via=quote)
    env = dict(os.environ)
    if password:
        env["PGPASSWORD"] = password
    return url, env


def _connect(settings):
    from chaton.core.db import postgresql_parameters

    try:
        import psycopg2
    except ImportError:
        raise Error("database_url names PostgreSQL but its driver is missing: install it with "
                    "`.venv/bin/pip install -e '.[postgresql]'`") from None
    try:
        return psycopg2.connect(**postgresql_parameters(settings["database_url"], settings))
    except psycopg2.Error as exc:
        raise Error(f"cannot reach the PostgreSQL database: {str(exc).strip()}") from None


def dump(settings, target):
    """Write `target` (pg_dump's custom format, owner-only) and return (migrations, counts)
    read from the same snapshot."""
    url, env = connection(settings)
    with closing(_connect(settings)) as con:
        con.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cursor = con.cursor()
        # this transaction waits for pg_dump: Chaton's idle timeout must not end it
        cursor.execute("SET idle_in_transaction_session_timeout = 0")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        command = [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                   f"--snapshot={snapshot}", f"--file={target}", f"--dbname={url}"]
        command += [f"--exclude-table-data={pattern}" for pattern in LEFT_OUT]
        old_umask = os.umask(0o077)
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True)
        finally:
            os.umask(old_umask)
        if done.returncode != 0:
            raise Error("pg_dump failed, no backup was written:\n" + done.stderr.strip())
        from chaton.core.backup import manifest_figures

        figures = manifest_figures(cursor)
        con.rollback()
    os.chmod(target, 0o600)
    return figures


def check(path):
    """pg_restore reads the archive's table of contents (a damaged dump fails here)."""
    done = subprocess.run([tool("pg_restore"), "--list", str(path)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise Error(f"{path.name} is not a readable dump, nothing was restored:\n"
                    + done.stderr.strip())


def restore(settings, path, force=False):
    """Restore a dump into the database of `settings`: an empty UTF-8 database (with `force`,
    one whose tables are dropped first, in the same transaction as the restore)."""
    with closing(_connect(settings)) as con:
        cursor = con.cursor()
        cursor.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database "
                       "WHERE datname = current_database()")
        encoding = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema = 'public'")
        tables = cursor.fetchone()[0]
        database = con.info.dbname
    if encoding != "UTF8":
        raise Error(f"the database {database} is in {encoding}, not UTF8: create it with "
                    f"`createdb --encoding=UTF8 --template=template0 {database}`; "
                    "nothing was restored")
    if tables and not force:
        raise Error(f"the database {database} is not empty ({tables} tables): restore into a "
                    "new one, or add --force to replace what it holds; nothing was restored")
    url, env = connection(settings)
    command = [tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", f"--dbname={url}", str(path)]
    if tables:
        command[1:1] = ["--clean", "--if-exists"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise Error("pg_restore failed, the database is as it was:\n" + done.stderr.strip())
