"""Online backup and restore of an instance: databases, settings, uploads, content.

A backup is one .tar.gz archive:

    manifest.json          format, Chaton version, migrations, created_at, sha256 of each file,
                           signatures per petition
    instance/chaton.db     copied with SQLite's online backup API while the site keeps serving
    instance/queue.db      the background queue, the same way
    instance/config.toml   the settings (secret key included), then uploads/
    content/...            the content folder (Markdown files and their media)

With PostgreSQL, instance/chaton.dump (pg_dump's custom format) takes the place of the two
SQLite files, and restore loads it into the database the restored settings name
(chaton/core/pgbackup.py).

The database copy reads one snapshot: the source connection holds a read transaction for the
whole copy. In WAL mode a reader never blocks writers, so the site goes on signing; and the copy
is not restarted each time they commit (without the held snapshot, SQLite restarts a paged backup
after every write of another connection, and a busy site keeps it restarting for ever). Pages are
copied in steps with a short sleep between them, to leave the disk and the CPU to the site.

Restore checks everything before it touches a target: the sha256 of every file listed in the
manifest, then `PRAGMA integrity_check` of each database. It extracts next to each target and
renames into place; a folder it replaces is kept aside, never deleted.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from chaton.core import pgbackup

FORMAT = 1
MANIFEST = "manifest.json"
DATABASES = ("chaton.db", "queue.db")
INSTANCE_ITEMS = ("config.toml", "uploads")
STEP_PAGES = 1024  # 4 MiB a step with 4 KiB pages
STEP_SLEEP = 0.002  # seconds between steps
COMPRESSLEVEL = 6  # gzip: most of level 9's gain at a fraction of its time


class BackupError(Exception):
    """A backup or a restore refused, with a message meant for the hoster."""


@dataclass
class Backup:
    path: Path
    size: int
    seconds: float
    manifest: dict
    steps: list = field(default_factory=list)  # (what, seconds)


@dataclass
class Restored:
    instance: Path
    content: Path | None
    manifest: dict
    kept_aside: list = field(default_factory=list)
    steps: list = field(default_factory=list)  # (what, seconds)
    notes: list = field(default_factory=list)


# -- backup --------------------------------------------------------------------------------------

def create_backup(instance, settings, output=None):
    """Write one archive of the instance and its content; the site may keep serving."""
    started = time.monotonic()
    instance = Path(instance)
    output = Path(output) if output else default_output(instance)
    output.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".chaton-backup-", dir=output.parent))
    steps = []
    try:
        if pgbackup.is_postgresql(settings):
            (stage / "instance").mkdir(mode=0o700)
            read = _step(steps, "dumped the database (pg_dump)", _dump, settings,
                         stage / "instance" / pgbackup.DUMP)
        else:
            _step(steps, "copied the databases", stage_databases,
                  database_path(settings, instance), instance, stage / "instance")
            read = None
        _step(steps, "copied the files", stage_files, instance, Path(settings["content_dir"]), stage)
        manifest = _step(steps, "checksums and counts", build_manifest, stage, read)
        _step(steps, "compressed", write_archive, stage, manifest, output)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return Backup(output, output.stat().st_size, time.monotonic() - started, manifest, steps)


def _dump(settings, target):
    try:
        return pgbackup.dump(settings, target)
    except pgbackup.Error as exc:
        raise BackupError(str(exc)) from None


def default_output(instance):
    """instance/backups/chaton-<UTC timestamp>.tar.gz, in a folder only its owner can read."""
    folder = instance / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path, n = folder / f"chaton-{stamp}.tar.gz", 1
    while path.exists():
        n += 1
        path = folder / f"chaton-{stamp}-{n}.tar.gz"
    return path


def database_path(settings, instance):
    """The SQLite file of the instance; other engines have their own tools."""
    url = settings.get("database_url") or ""
    if not url:
        return instance / "chaton.db"
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    raise BackupError("chaton backup copies SQLite or PostgreSQL databases; back another "
                      "engine up with its own tools")


def stage_databases(main_db, instance, target):
    """Copy chaton.db and queue.db (when present) into `target` with the online backup API."""
    if not main_db.exists():
        raise BackupError(f"no database at {main_db}: run `chaton init` first")
    target.mkdir(parents=True)
    copy_database(main_db, target / "chaton.db")
    if (instance / "queue.db").exists():
        copy_database(instance / "queue.db", target / "queue.db")


def copy_database(source, target):
    """Copy one SQLite database from a single read snapshot, in steps with short pauses."""
    src = sqlite3.connect(source, timeout=30, isolation_level=None)
    dst = sqlite3.connect(target)
    try:
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        src.backup(dst, pages=STEP_PAGES, progress=_pause)
        src.execute("ROLLBACK")
        dst.execute("PRAGMA journal_mode=DELETE")  # one standalone file, no -wal beside it
    finally:
        dst.close()
        src.close()
    os.chmod(target, 0o600)  # signatories' personal data


def _pause(_status, _remaining, _total):
    time.sleep(STEP_SLEEP)


def stage_files(instance, content_dir, stage):
    """Copy the settings, uploads and the content folder into the staging folder."""
    for name in INSTANCE_ITEMS:
        source = instance / name
        if source.is_dir():
            shutil.copytree(source, stage / "instance" / name)
        elif source.is_file():
            shutil.copy2(source, stage / "instance" / name)
    if content_dir.is_dir():
        shutil.copytree(content_dir, stage / "content")


def build_manifest(stage, read=None):
    """What the archive holds, with a checksum of each file; migrations and counts read back
    from the staged SQLite copy, or as pg_dump's snapshot had them (`read`)."""
    if read is None:
        with _readonly(stage / "instance" / "chaton.db") as con:
            read = manifest_figures(con.cursor())
    return {
        "format": FORMAT,
        "chaton_version": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": "postgresql" if (stage / "instance" / pgbackup.DUMP).exists() else "sqlite",
        "migrations": read[0],
        "signatures": read[1],
        "files": {rel: file_info(stage / rel) for rel in list_files(stage)},
    }


def _version():
    from chaton import __version__

    return __version__


def list_files(root):
    """Relative paths (POSIX) of the regular files under root, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def file_info(path):
    return {"sha256": sha256(path), "size": path.stat().st_size}


def sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# what the manifest says of the database, read by the same SQL on either engine
MIGRATIONS_SQL = "SELECT number FROM schema_migration ORDER BY number"
COUNTS_SQL = ("SELECT a.slug || '/' || p.slug, s.status, count(*) FROM signature s "
              "JOIN petition p ON p.id = s.petition_id "
              "JOIN association a ON a.id = p.association_id "
              "GROUP BY a.slug, p.slug, s.status ORDER BY 1, 2")


def manifest_figures(cursor):
    """(migration numbers, {'association/petition': {'confirmed': n, 'pending': m}})."""
    cursor.execute(MIGRATIONS_SQL)
    migrations = [n for (n,) in cursor.fetchall()]
    counts = {}
    cursor.execute(COUNTS_SQL)
    for petition, status, count in cursor.fetchall():
        counts.setdefault(petition, {})[status] = count
    return migrations, counts


def applied_migrations(db_path):
    """Numbers recorded in schema_migration of a database file."""
    with _readonly(db_path) as con:
        return manifest_figures(con.cursor())[0]


def signature_counts(db_path):
    """{'association/petition': {'confirmed': n, 'pending': m}} from a database file."""
    with _readonly(db_path) as con:
        return manifest_figures(con.cursor())[1]


class _readonly:
    """A read-only sqlite3 connection, closed on exit (sqlite3's own `with` only commits)."""

    def __init__(self, path):
        self.con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def __enter__(self):
        return self.con

    def __exit__(self, *exc):
        self.con.close()


def write_archive(stage, manifest, output):
    """manifest.json first, then the staged files; written aside, then renamed (mode 0600)."""
    partial = output.with_name(output.name + ".part")
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", compresslevel=COMPRESSLEVEL) as tar:
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(data))
                for top in ("instance", "content"):
                    if (stage / top).exists():
                        tar.add(stage / top, arcname=top)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def describe_backup(done):
    """Lines for the hoster: path, size, duration, what is inside."""
    files = done.manifest["files"]
    signatures = sum(sum(c.values()) for c in done.manifest["signatures"].values())
    return "\n".join([
        f"backup written to {done.path}",
        f"size: {done.size / 2**20:.1f} MiB ({len(files)} files, {signatures} signatures, "
        f"migrations {_numbers(done.manifest['migrations'])})",
        f"duration: {done.seconds:.1f} s ("
        + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in done.steps) + ")",
    ])


def _numbers(numbers):
    return ", ".join(str(n) for n in numbers) or "none"


# -- restore -------------------------------------------------------------------------------------

def restore_backup(archive, instance, content=None, force=False):
    """Check an archive completely, then put its instance and content folders in place."""
    archive, instance = Path(archive).resolve(), Path(instance).resolve()
    refuse_non_empty(instance, "instance", force)
    instance.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{instance.name}.restore-", dir=instance.parent))
    done, stages = Restored(instance, None, {}), [stage]
    try:
        done.manifest = _step(done.steps, "extracted", extract, archive, stage)
        _step(done.steps, "checked the sha256 of every file", verify_files, stage, done.manifest)
        dump = stage / "instance" / pgbackup.DUMP
        if dump.is_file():
            _step(done.steps, "pg_restore --list: ok", _pg, pgbackup.check, dump)
        else:
            _step(done.steps, "PRAGMA integrity_check: ok", check_databases, stage / "instance")
        check_migrations(done.manifest)
        if dump.is_file():  # into the database the restored settings name, all or nothing
            settings = restored_settings(stage / "instance")
            if not pgbackup.is_postgresql(settings):
                raise BackupError("the archive holds a PostgreSQL dump but the restored settings "
                                  "name no PostgreSQL database_url (set CHATON_DATABASE_URL); "
                                  "nothing was restored")
            _step(done.steps, "restored the database (pg_restore)", _pg, pgbackup.restore,
                  settings, dump, force)
            dump.unlink()
        content_stage = None
        if (stage / "content").exists():
            done.content = Path(content or restored_content_dir(stage / "instance")).resolve()
            refuse_non_empty(done.content, "content", force)
            content_stage = move_next_to(stage / "content", done.content)
            stages.append(content_stage.parent)
        put_in_place(done, stage / "instance", content_stage)
    finally:
        for folder in stages:
            shutil.rmtree(folder, ignore_errors=True)
    note_settings(done, content)
    return done


def _pg(fn, *args):
    try:
        return fn(*args)
    except pgbackup.Error as exc:
        raise BackupError(str(exc)) from None


def _step(steps, what, fn, *args):
    """Run fn(*args), noting how long it took in `steps`."""
    started = time.monotonic()
    result = fn(*args)
    steps.append((what, time.monotonic() - started))
    return result


def refuse_non_empty(target, what, force):
    """A restore never mixes two instances: it replaces a non-empty folder only with --force."""
    if target.is_file():
        raise BackupError(f"{target} is a file, not a folder: nothing was restored")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise BackupError(f"the {what} folder {target} is not empty: nothing was restored "
                          "(use --force to replace it; the current one is then kept aside)")


def extract(archive, stage):
    """Unpack the whole archive into `stage` (regular files and folders only); its manifest."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(stage, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{archive} cannot be unpacked ({exc}): a damaged archive, or not a "
                          "Chaton backup; nothing was restored") from None
    path = stage / MANIFEST
    if not path.is_file():
        raise BackupError(f"{archive} has no {MANIFEST}: not a Chaton backup; nothing was restored")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.unlink()
    if manifest.get("format", 0) > FORMAT:
        raise BackupError(f"{archive} was made by a newer Chaton (format {manifest['format']}): "
                          "upgrade Chaton first; nothing was restored")
    return manifest


def verify_files(stage, manifest):
    """Every file of the manifest is there with its checksum, and no other file is."""
    listed, present = manifest["files"], set(list_files(stage))
    problems = [f"{rel}: missing" for rel in sorted(set(listed) - present)]
    problems += [f"{rel}: not in the manifest" for rel in sorted(present - set(listed))]
    problems += [f"{rel}: checksum mismatch" for rel in sorted(present & set(listed))
                 if sha256(stage / rel) != listed[rel]["sha256"]]
    if problems:
        raise BackupError("the archive is damaged, nothing was restored:\n  "
                          + "\n  ".join(problems[:20]))


def check_databases(folder):
    """PRAGMA integrity_check of each restored database must answer ok."""
    if not (folder / "chaton.db").is_file():
        raise BackupError("the archive holds no instance/chaton.db: nothing was restored")
    for name in DATABASES:
        if (folder / name).is_file():
            with _readonly(folder / name) as con:
                result = [row[0] for row in con.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                raise BackupError(f"{name} fails its integrity check, nothing was restored:\n  "
                                  + "\n  ".join(result[:20]))


def check_migrations(manifest):
    """Refuse a database whose schema is newer than this Chaton knows."""
    from chaton.core.migrations import MIGRATIONS

    unknown = sorted(set(manifest["migrations"]) - {n for n, _ in MIGRATIONS})
    if unknown:
        raise BackupError(f"the database has migrations {_numbers(unknown)} that this Chaton "
                          "does not know: upgrade Chaton first; nothing was restored")


def restored_settings(instance_stage):
    """The settings the restored instance will run with (its config.toml, CHATON_*)."""
    from chaton.core.settings import load_settings

    return load_settings(instance_stage)


def restored_content_dir(instance_stage):
    """Where the restored instance will look for its content."""
    return restored_settings(instance_stage)["content_dir"]


def move_next_to(folder, target):
    """Move a staged folder into a temporary folder beside `target` (same file system)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    beside = Path(tempfile.mkdtemp(prefix=f".{target.name}.restore-", dir=target.parent))
    shutil.move(folder, beside / "content")  # a rename, or a copy across file systems
    return beside / "content"


def put_in_place(done, instance_stage, content_stage):
    """Rename the staged folders onto their targets; replaced folders are kept aside."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if content_stage is not None:
        _swap(done, content_stage, done.content, stamp)
    os.chmod(instance_stage, 0o700)
    old = _swap(done, instance_stage, done.instance, stamp)
    if old is not None and (old / "backups").is_dir():  # earlier archives stay with the instance
        os.rename(old / "backups", done.instance / "backups")


def _swap(done, staged, target, stamp):
    """Put `staged` at `target`; a non-empty `target` is renamed to <name>.replaced-<stamp>."""
    old = None
    if target.is_dir() and any(target.iterdir()):
        old = target.with_name(f"{target.name}.replaced-{stamp}")
        os.rename(target, old)
        done.kept_aside.append(old)
    elif target.is_dir():
        target.rmdir()
    os.rename(staged, target)
    return old


def note_settings(done, content):
    """Tell the hoster when the restored settings do not point at what was restored."""
    if content and done.content:
        configured = Path(restored_content_dir(done.instance)).resolve()
        if configured != done.content:
            done.notes.append(f"the restored settings read content from {configured}: set "
                              f"content_dir = \"{done.content}\" (or CHATON_CONTENT_DIR)")
    from chaton.core.migrations import MIGRATIONS

    pending = sorted({n for n, _ in MIGRATIONS} - set(done.manifest["migrations"]))
    if pending:
        done.notes.append(f"migrations {_numbers(pending)} are pending: `chaton serve` or "
                          "`chaton db upgrade` applies them")


def describe_restore(done):
    """Lines for the hoster: what was checked, what was put where, what was kept aside."""
    m = done.manifest
    lines = [f"archive of {m['created_at']} (Chaton {m['chaton_version']}, "
             f"migrations {_numbers(m['migrations'])}, {len(m['files'])} files)"]
    lines += [f"{what} ({seconds:.1f} s)" for what, seconds in done.steps]
    lines.append(f"instance restored to {done.instance}")
    if done.content:
        lines.append(f"content restored to {done.content}")
    for petition, counts in m["signatures"].items():
        lines.append(f"  {petition}: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    lines += [f"previous folder kept in {old} (delete it once the site works)"
              for old in done.kept_aside]
    return "\n".join(lines + [f"note: {n}" for n in done.notes])
