"""The source code of the running instance, as one archive (AGPL-3.0 section 13: users who
interact with the program over a network can get its source).

Built from the installed checkout on first request into `instance/cache/`, kept until the
version changes; instance data (config, database, uploads) is never part of it.
"""

import tarfile
from pathlib import Path

from flask import current_app

from chaton.core.settings import PROJECT_ROOT

INCLUDED = ("chaton", "themes", "docs", "tests", "bench", "content", ".ci", "install.sh",
            "pyproject.toml", "README.md", "LICENSE", "babel.cfg")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}
SKIPPED_SUFFIXES = (".pyc", ".mo")


def source_url():
    """Where this instance's source code can be had: the setting, else its own copy."""
    settings = current_app.config["CHATON"]
    return settings["source_url"] or f"{settings['base_url']}/source.tar.gz"


def archive(instance_path, version):
    """The path of the source archive, built if missing."""
    target = Path(instance_path) / "cache" / f"chaton-{version}-source.tar.gz"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for path in _files():
                tar.add(path, arcname=f"chaton-{version}/{path.relative_to(PROJECT_ROOT)}",
                        recursive=False)
        partial.replace(target)
    return target


def _files():
    for name in INCLUDED:
        top = PROJECT_ROOT / name
        candidates = [top] if top.is_file() else sorted(top.rglob("*")) if top.is_dir() else []
        for path in candidates:
            if (path.is_file() and not path.is_symlink()
                    and not SKIPPED_PARTS & set(path.relative_to(PROJECT_ROOT).parts)
                    and not path.name.endswith(SKIPPED_SUFFIXES)):
                yield path
