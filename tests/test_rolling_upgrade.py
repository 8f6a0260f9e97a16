"""A rolling upgrade on PostgreSQL, with the real previous release: its `chaton serve` keeps
signing, confirming and indexing new content while this release's `chaton db upgrade` runs
against the same database, then a server of this release joins it.

The previous release is the code of PREVIOUS_RELEASE, taken from this clone's git history
(`git archive`), run by the same virtual environment with PYTHONPATH pointing at it. Its
database URL carries no password (older releases read an encoded one wrongly): libpq finds it
in a password file, as PGPASSFILE says.
"""

import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import databases
import pytest
import requests
from databases import postgresql_only
from helpers import PETITION_URL, petition_meta, write_md
from servers import CHATON, ChatonServer, clean_environ, sign_over_http

from chaton.core import migrations

ROOT = Path(__file__).resolve().parents[1]
PREVIOUS_RELEASE = "ffdb776515f3be5184c275455de57842b882bc1a"  # the last one that landed

pytestmark = [postgresql_only, pytest.mark.slow]


def previous_release(folder):
    """The previous release's tree in `folder`, its translations compiled; skip without git."""
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar",
                              PREVIOUS_RELEASE], capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"the previous release {PREVIOUS_RELEASE[:7]} is not in this clone's history")
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    subprocess.run([str(CHATON.parent / "pybabel"), "-q", "compile", "-d",
                    str(folder / "chaton" / "translations"), "-D", "messages"], check=True)
    return folder


def without_password(url, folder):
    """(the URL without its password, the environment that gives it to libpq)."""
    parts = urlsplit(url)
    passfile = folder / "pgpass"
    password = unquote(parts.password).replace("\\", "\\\\").replace(":", "\\:")
    passfile.write_text(f"{parts.hostname}:{parts.port}:*:{unquote(parts.username)}:{password}\n")
    passfile.chmod(0o600)
    netloc = f"{parts.username}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), str(passfile)


class PreviousServer(ChatonServer):
    """`chaton serve` of the previous release."""

    def __init__(self, root, tree, passfile, **settings):
        super().__init__(root, **settings)
        self.tree, self.passfile = tree, passfile

    def env(self):
        return dict(super().env(), PYTHONPATH=str(self.tree), PGPASSFILE=self.passfile)


def test_the_previous_release_serves_while_this_one_migrates(tmp_path):
    tree = previous_release(tmp_path / "previous")
    full_url = databases.new_database_url(empty=True)
    url, passfile = without_password(full_url, tmp_path)
    old = PreviousServer(tmp_path / "site", tree, passfile, worker=0, database_url=url)
    # its own content folder: content written for this release's new fields is not yet there
    # while the previous release still runs (the folder changes once the upgrade is done)
    shutil.copytree(tree / "content", old.content)
    old.init().start()
    applied = databases.query(full_url, None, "SELECT count(*) FROM schema_migration")[0][0]
    assert applied < len(migrations.MIGRATIONS)
    before = old.count()

    upgrade = subprocess.run([str(CHATON), "--instance", str(tmp_path / "new"), "db", "upgrade"],
                             env=clean_environ(database_url=full_url, secret_key="x",
                                               content_dir=old.content),
                             capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert "applied" in upgrade.stdout

    # the previous release, on the new schema: signs, shows, indexes a new petition
    for n in range(3):
        assert sign_over_http(old, token="", email=f"rolling{n}@example.org").status_code == 303
    write_md(old.content / "quartiers-solidaires" / "petitions" / "apres-migration.md",
             petition_meta(title="Après la migration"))
    old.wait_for_page("/quartiers-solidaires/petitions/apres-migration")
    assert requests.get(old.url(PETITION_URL), timeout=10).status_code == 200

    new = ChatonServer(tmp_path / "site", worker=0, database_url=full_url)
    new.log_path = tmp_path / "site" / "new.log"
    try:
        new.start()
        assert sign_over_http(new, token="", email="rolling-new@example.org").status_code == 303
        assert requests.get(new.url("/quartiers-solidaires/petitions/apres-migration"),
                            timeout=10).status_code == 200
        assert new.count() == old.count() == before  # pending signatures do not count
        time.sleep(0.5)
        old.assert_no_tracebacks()
        new.assert_no_tracebacks()
    finally:
        new.stop()
        old.stop()
