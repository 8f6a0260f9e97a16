"""Pictures as PNG, for those who show nothing else: Mastodon (an actor's icon and header, a
campaign's attachment) and link previews (`og:image`) ignore SVG and often WebP or AVIF.

A rendition is made on first request from the association's file, at most MAX_SIDE pixels on
its longest side, and kept in `instance/cache/renditions/` under the hash of the file's bytes
(an edited picture gets a new one). SVG is drawn by resvg, without any file or address it
refers to; other formats by Pillow. A picture that cannot be drawn safely has no rendition.
"""

import hashlib
import io
import re
from pathlib import Path

from flask import current_app, url_for

RASTER = {".png", ".jpg", ".jpeg"}
CONVERTED = {".svg", ".webp", ".gif", ".avif"}
MAX_SIDE = 1200
MAX_SOURCE_BYTES = 5 * 1024 * 1024
_EXTERNAL = re.compile(rb"""(?:href|src)\s*=\s*["'](?!#|data:image/)""", re.IGNORECASE)


class NoRendition(ValueError):
    """This file cannot be drawn as PNG (unsafe, unreadable or absurd dimensions)."""


def shareable_url(association_slug, path):
    """An absolute address of a PNG or JPEG version of a media path, or None."""
    if not path:
        return None
    suffix = Path(path).suffix.lower()
    if suffix in RASTER:
        return url_for("orgs.media", org=association_slug, filename=path, _external=True)
    if suffix in CONVERTED:
        return url_for("orgs.rendition", org=association_slug, filename=path, _external=True)
    return None


def rendition(folder, filename):
    """The path of the PNG rendition of `folder/filename`, made if needed; NoRendition."""
    source = (Path(folder) / filename).resolve()
    if not source.is_relative_to(Path(folder).resolve()) or not source.is_file():
        raise NoRendition(f"{filename}: no such picture")
    data = source.read_bytes()
    if len(data) > MAX_SOURCE_BYTES:
        raise NoRendition(f"{filename}: too large to draw")
    target = (Path(current_app.instance_path) / "cache" / "renditions"
              / f"{hashlib.sha256(data).hexdigest()}.png")
    if not target.exists():
        png = _draw_svg(data) if source.suffix.lower() == ".svg" else _draw_raster(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        partial.write_bytes(png)
        partial.replace(target)
    return target


def _svg_box(data):
    """(width, height) the SVG's root element declares (its viewBox, else width and height)."""
    root = re.search(rb"<svg\b[^>]*>", data[:65536])
    if root is None:
        raise NoRendition("not a readable SVG file")

    def attribute(name):
        found = re.search(rb"\s" + name + rb"""\s*=\s*["']([^"']*)["']""", root.group())
        return found.group(1).decode("ascii", "replace") if found else ""

    numbers = re.findall(r"-?[\d.]+", attribute(b"viewBox"))
    try:
        if len(numbers) == 4:
            return float(numbers[2]), float(numbers[3])
        return (float(re.match(r"[\d.]+", attribute(b"width")).group()),
                float(re.match(r"[\d.]+", attribute(b"height")).group()))
    except (AttributeError, ValueError):
        raise NoRendition("the SVG gives no size") from None


def _draw_svg(data):
    import resvg_py

    if _EXTERNAL.search(data) or b"<!ENTITY" in data:
        raise NoRendition("the SVG refers to other files or addresses, or declares entities")
    width, height = _svg_box(data)
    if not (width > 0 and height > 0 and 0.25 <= width / height <= 4):
        raise NoRendition("the SVG's proportions are out of the ordinary")
    scale = MAX_SIDE / max(width, height)
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=data.decode("utf-8"),
                                           width=round(width * scale),
                                           height=round(height * scale)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise NoRendition(f"the SVG cannot be drawn: {exc}") from None


def _draw_raster(data):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG", optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise NoRendition("the picture cannot be read") from None
