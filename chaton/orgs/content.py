"""association.md: the schema of an association's file and its indexing."""

from chaton.core import frontmatter as fm
from chaton.core.markup import render_markdown

RESERVED_SLUGS = {
    "admin", "api", "lang", "privacy", "s", "static", "theme", "healthz", "feeds", "media",
    "well-known", ".well-known", "nodeinfo", "users", "inbox", "hoster", "account",
}

SCHEMA = [
    fm.Field("name", fm.text(200), required=True),
    fm.Field("description", fm.text(1000)),
    fm.Field("logo", fm.relative_path),
    fm.Field("logo_alt", fm.text(200)),
    fm.Field("contact", fm.mapping({
        "email": (fm.email, False),
        "website": (fm.web_address, False),
        "address": (fm.text(300), False),
    }), default={}),
    fm.Field("language", fm.language, default="fr"),
    fm.Field("theme", fm.slug, default=""),
    fm.Field("country", fm.choice("FR", "BE", "CH", "CA", "LU", "other"), default="FR"),
]


def parse_association(slug, path, text):
    """Parse association.md; the folder name is the slug."""
    doc = fm.parse(path, text, SCHEMA)
    if slug in RESERVED_SLUGS or not fm.re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
        doc.problems.append(fm.Problem(
            str(path), 1, "", f"folder name {slug!r} cannot be used as an address: use lower-case "
            "letters, digits and dashes, and avoid reserved words"))
    return doc


def association_fields(slug, doc, media_base):
    """Columns of the Association row for a parsed association.md."""
    meta = {k: v for k, v in doc.meta.items() if k != "_extra"}
    return {
        "name": meta["name"],
        "meta": meta,
        "description_html": render_markdown(doc.body, media_base),
        "language": meta["language"],
        "theme": meta["theme"],
        "present": True,
    }
