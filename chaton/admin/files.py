"""Writing content files from the web: atomic, in the same Markdown people write by hand."""

import os
import re
import tempfile
import unicodedata
from datetime import date
from pathlib import Path

import yaml


def slugify(text, max_length=60):
    """ASCII lower-case words joined by dashes."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:max_length].rstrip("-") or "update"


def markdown_file(meta, body):
    """A front matter header and a Markdown body."""
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{header}---\n\n{body.strip()}\n"


def write_atomic(path, text):
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def update_path(petition_folder, title, day):
    """Where an update of that title and day goes: petitions/<slug>/updates/<date>-<title>.md,
    with -2, -3... when the name is taken (its stem is the update's key in events)."""
    folder = Path(petition_folder) / "updates"
    base = f"{day.isoformat()}-{slugify(title)}"
    path, n = folder / f"{base}.md", 2
    while path.exists():
        path, n = folder / f"{base}-{n}.md", n + 1
    return path


def write_update(petition_folder, title, body, day=None):
    """Write a new update (never overwriting another one)."""
    path = update_path(petition_folder, title, day or date.today())
    return write_atomic(path, markdown_file({"title": title}, body))


def write_answer(petition_folder, author, body, day=None):
    """petitions/<slug>/answer.md, replaced as a whole."""
    meta = {"date": day or date.today(), "author": author}
    return write_atomic(Path(petition_folder) / "answer.md", markdown_file(meta, body))
