"""Uploads: pictures (PNG, JPEG, WebP, GIF) and PDF documents, checked by what they contain.

The name a browser sends says nothing about a file: its type is read from its first bytes, and
pictures must also open with Pillow. SVG (it can carry scripts) and everything else are
refused. Files go into the association's folder, where `/<org>/media/...` serves them, under a
cleaned name that never replaces an existing file.
"""

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

IMAGE_TYPES = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
MAX_PIXELS = 60_000_000  # a 60-megapixel picture is already more than a web page needs


class UploadError(ValueError):
    """A refused upload: the message is for the person, the status for the response."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.status = status


def detect(head):
    """The extension a file's first bytes call for, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def is_picture(path):
    return Path(path).suffix.lower().lstrip(".") in ("png", "jpg", "jpeg", "gif", "webp")


def _verify_picture(data, extension):
    """Pillow opens the picture, as the format its first bytes announce, and finds it whole."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != IMAGE_TYPES[extension]:
                    return False
                image.verify()
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        return False


def limit_bytes():
    return int(current_app.config["CHATON"]["upload_max_kb"]) * 1024


def refusals():
    """What to tell the person when an upload is refused, by reason."""
    limit = current_app.config["CHATON"]["upload_max_kb"]
    return {
        "empty": _("The file is empty."),
        "too_big": _("The file is too large: at most %(kb)s KB.", kb=limit),
        "type": _("Only PNG, JPEG, WebP and GIF pictures and PDF documents can be uploaded "
                  "(SVG is not accepted)."),
        "broken": _("This picture cannot be read: it is damaged or not what its name says."),
    }


def read_checked(storage):
    """The uploaded bytes and their extension; UploadError when refused."""
    messages = refusals()
    limit = limit_bytes()
    data = storage.stream.read(limit + 1)
    if not data:
        raise UploadError(messages["empty"])
    if len(data) > limit:
        raise UploadError(messages["too_big"], 413)
    extension = detect(data[:16])
    if extension is None:
        raise UploadError(messages["type"], 415)
    if extension in IMAGE_TYPES and not _verify_picture(data, extension):
        raise UploadError(messages["broken"], 415)
    return data, extension


def clean_name(filename, extension):
    """A safe file name from the one sent: ASCII words, dashes, the extension of the content."""
    stem = unicodedata.normalize("NFKD", Path(filename or "").stem)
    stem = re.sub(r"[^a-z0-9]+", "-", stem.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"{stem[:60].rstrip('-') or 'file'}.{extension}"


def store(folder, name, data):
    """Write the file under `name`, or `name-2`, `name-3`... : never over an existing file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem, extension = name.rsplit(".", 1)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            path = folder / (name if n == 1 else f"{stem}-{n}.{extension}")
            try:
                os.link(tmp, path)  # fails when the name is taken: no overwrite, no race
                return path
            except FileExistsError:
                continue
        raise UploadError("too many files with this name")
    finally:
        Path(tmp).unlink(missing_ok=True)
