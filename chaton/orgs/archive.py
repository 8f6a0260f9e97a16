"""The whole association in one .zip, for portability: its content folder as it is, its data as
documented CSV and JSON files, a README, a manifest.json describing every file and column, and
SHA256SUMS. Nothing of any other association, no password hash.

The archive is for machines and for whoever reads its README: its descriptions, column names and
README are in English and stable. Each part also has a `summary` in the interface's language,
without column names, for the exports page.

The archive is written to an anonymous temporary file in the instance folder (deleted as soon
as it is closed, even after a crash), from one read transaction, then streamed.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from chaton.core.csvexport import neutral
from chaton.core.db import database, is_sqlite

FORMAT = "chaton-association-archive"
VERSION = 1


@dataclass
class Table:
    """A CSV file of the archive: its columns described, its rows given by `rows`."""

    name: str  # path in the archive
    description: str
    columns: dict  # column: description
    rows: object  # function(association) -> iterable of dicts
    personal: bool = False  # holds personal data (the README says so)
    summary: object = None  # what it holds, for people (translated: the exports page)


@dataclass
class Documents:
    """JSON files of the archive, one per item (a consultation's open data...)."""

    name: str  # how the README names them ("data/consultations/<slug>.json")
    description: str
    items: object  # function(association) -> iterable of (path in the archive, document)
    summary: object = None  # what they hold, for people (translated: the exports page)


IN_FOLDER = "false when the file was removed from the content folder (its data stays)"


def iso(value):
    return value.isoformat() if value else None


def in_archive(path, association):
    """Where a content file is in the archive (content/...), not where it is on the server."""
    if not path:
        return None
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    try:
        return "content/" + Path(path).relative_to(folder).as_posix()
    except ValueError:
        return "content/" + Path(path).name


# -- what the association itself contributes (its events); the rest comes from each installed
# capability's `archive` (core/capability.py), in INSTALLED order

def event_rows(association):
    from chaton.core.events import Event

    for e in (Event.select().where(Event.association == association.slug)
              .order_by(Event.id).iterator()):
        yield {"campaign": e.campaign, "campaign_kind": e.campaign_kind, "kind": e.kind,
               "key": e.key,
               "data": json.dumps(e.data, ensure_ascii=False), "created_at": iso(e.created_at)}


ARCHIVE = [
    Table("data/events.csv", "Campaign events (opened, update, milestone, answer...), as in "
          "the feeds.", {"campaign": "slug of the petition or consultation",
                         "campaign_kind": "its kind: petitions or consultations", "kind": "event",
                         "key": "what makes it unique", "data": "details (JSON)",
                         "created_at": "when (UTC)"}, event_rows,
          summary=_l("What happened to each campaign (opening, news, milestones, answer), as "
                     "in its feeds.")),
]


def parts():
    """Every Table and Documents of the archive, in the order of the installed capabilities."""
    from chaton.core.capability import contributed

    return [part for found in contributed("archive") for part in found]


# -- writing the archive ------------------------------------------------------------------------

class _Hashing(io.RawIOBase):
    """A write-only stream that hashes and counts what goes through it into a zip entry."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


def _add_csv(zf, table, association, files):
    with zf.open(table.name, "w", force_zip64=True) as raw:  # may pass 2 GiB on a big site
        out = _Hashing(raw)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        writer = csv.DictWriter(text, fieldnames=list(table.columns))
        writer.writeheader()
        for row in table.rows(association):
            writer.writerow({k: neutral(v) for k, v in row.items()})
        text.flush()
        text.detach()
    files[table.name] = {"sha256": out.digest.hexdigest(), "size": out.size,
                         "description": table.description, "columns": table.columns}


def _add_bytes(zf, name, data, files, description, **extra):
    zf.writestr(name, data)
    files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                   "description": description, **extra}


def _add_content(zf, folder, files):
    """The association's folder as it is: Markdown, media, templates (regular files only)."""
    if not folder.is_dir():
        return
    root = folder.resolve()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                       and p.resolve().is_relative_to(root)):  # nothing from outside the folder
        name = "content/" + path.relative_to(folder).as_posix()
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as source, zf.open(name, "w", force_zip64=True) as target:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                target.write(chunk)
        files[name] = {"sha256": digest.hexdigest(), "size": size,
                       "description": "content file, as in the association's folder"}


def _json(document):
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def build(association, output):
    """Write the archive of one association into the binary file `output`; its manifest."""
    from chaton import __version__

    files = {}
    created = datetime.now(UTC).isoformat(timespec="seconds")
    folder = Path(current_app.config["CHATON"]["content_dir"]) / association.slug
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        with database.atomic():  # one read snapshot: the files agree with each other
            if not is_sqlite():  # SQLite reads one snapshot per transaction already
                database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _add_bytes(zf, "data/association.json", _json({
                "slug": association.slug, "name": association.name,
                "language": association.language, "theme": association.theme,
                "settings": association.meta, "created_at": iso(association.created_at)}),
                files, "The association as indexed from its association.md.")
            for part in parts():
                if isinstance(part, Table):
                    _add_csv(zf, part, association, files)
                    continue
                for name, document in part.items(association):
                    _add_bytes(zf, name, _json(document), files, part.description)
        _add_content(zf, folder, files)
        manifest = {"format": FORMAT, "version": VERSION, "chaton_version": __version__,
                    "association": {"slug": association.slug, "name": association.name},
                    "created_at": created, "files": files}
        readme = readme_text(manifest).encode("utf-8")
        _add_bytes(zf, "README.md", readme, files, "What this archive holds (this file).")
        data = _json(manifest)
        zf.writestr("manifest.json", data)
        sums = "".join(f"{info['sha256']}  {name}\n" for name, info in sorted(files.items()))
        sums += f"{hashlib.sha256(data).hexdigest()}  manifest.json\n"
        zf.writestr("SHA256SUMS", sums)
    return manifest


def readme_text(manifest):
    """The archive's README: what each data file holds, column by column."""
    name, slug = manifest["association"]["name"], manifest["association"]["slug"]
    personal = [part.name for part in parts() if getattr(part, "personal", False)]
    lines = [
        f"# {name}: archive of {manifest['created_at']}", "",
        f"Everything the association `{slug}` had on this Chaton instance (version "
        f"{manifest['chaton_version']}), to keep or to move elsewhere.", "",
        "- `content/`: the association's folder as it is (Markdown files with a YAML header, "
        "pictures and documents). Another Chaton serves it as it is: copy it to "
        f"`content/{slug}/`.",
        "- `data/`: what people did, as CSV files (UTF-8, comma-separated, one header line) and "
        "JSON. Dates and times are ISO 8601, in UTC. In the CSV files, a cell that a "
        "spreadsheet would run as a formula (starting with = + - or @) is prefixed with `'`; "
        "lists are joined with ` | ` and pairs written as `key=value; ...`.",
        "- `manifest.json`: every file with its sha256, size, description and columns.",
        "- `SHA256SUMS`: the checksums, to check with `sha256sum -c SHA256SUMS`.", "",
        f"**Personal data.** {_listed(personal)} hold personal data. Keep this archive "
        "where only the people who need it can read it, write only to signatories whose "
        "`keep_informed` is true, and delete the archive when you no longer need it.", "",
        "## Data files", "",
        "### `data/association.json`", "", "The association's name, language, theme and "
        "the settings of its association.md.", ""]
    for part in parts():
        lines += [f"### `{part.name}`", "", part.description, ""]
        if isinstance(part, Table):
            lines += ["| column | meaning |", "|---|---|"]
            lines += [f"| `{column}` | {meaning} |" for column, meaning in part.columns.items()]
            lines.append("")
    return "\n".join(lines)


def _listed(names):
    names = [f"`{name}`" for name in names]
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def temporary_file():
    """An anonymous file in instance/tmp/ (no name on disk: nothing left after a crash)."""
    folder = Path(current_app.instance_path) / "tmp"
    folder.mkdir(mode=0o700, exist_ok=True)
    return tempfile.TemporaryFile(dir=folder)
