"""association.md: the schema of an association's file and its indexing."""

from chaton.core import frontmatter as fm
from chaton.core.markup import render_markdown

RESERVED_SLUGS = {
    "admin", "api", "lang", "privacy", "s", "static", "theme", "healthz", "feeds", "media",
    "well-known", ".well-known", "nodeinfo", "users", "inbox", "hoster", "account", "actor",
    "mirrors", "oembed",
}


def color(value):
    """A colour written #rrggbb."""
    value = fm.text(7)(value)
    if not fm.re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise fm.FieldError(f"expected a colour written #rrggbb, such as #5b2a86, got {value!r}")
    return value.lower()

SCHEMA = [
    fm.Field("name", fm.text(200), required=True),
    fm.Field("description", fm.text(1000)),
    fm.Field("logo", fm.relative_path),
    fm.Field("logo_alt", fm.text(200)),
    fm.Field("banner", fm.relative_path),
    fm.Field("contact", fm.mapping({
        "email": (fm.email, False),
        "website": (fm.web_address, False),
        "address": (fm.text(300), False),
    }), default={}),
    fm.Field("language", fm.language, default="fr"),
    fm.Field("theme", fm.slug, default=""),
    fm.Field("country", fm.choice("FR", "BE", "CH", "CA", "LU", "other"), default="FR"),
    fm.Field("color", color, default=""),
    fm.Field("sender_name", fm.text(100), default=""),
    fm.Field("privacy_contact", fm.email, default=""),
    fm.Field("retention_days", fm.integer(1, 3650)),
    # sites that may show the petitions' signing card in a frame (petitions/embed.py)
    fm.Field("embed_origins", fm.list_of(fm.web_origin, max_items=20), default=[]),
    # residents may propose petitions (chaton/proposals)
    fm.Field("proposals", fm.mapping({
        "open": (fm.boolean, True),
        "supporters": (fm.integer(1, 100), False),
        "remit": (fm.text(1000), False),
    }), default={}),
    # signatories may send their message to a decision maker through the instance
    # (petitions/interpellation_mail.py), at most so many a day to each one of a petition
    fm.Field("send_messages", fm.boolean, default=False),
    fm.Field("send_messages_daily_cap", fm.integer(1, 10000), default=200),
]


def parse_association(slug, path, text):
    """Parse association.md; the folder name is the slug."""
    doc = fm.parse(path, text, SCHEMA)
    if slug in RESERVED_SLUGS or not fm.re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", slug):
        doc.problems.append(fm.Problem(
            str(path), 1, "", f"folder name {slug!r} cannot be used as an address: use lower-case "
            "letters, digits and dashes, and avoid reserved words"))
    _check_contrast(doc)
    return doc


def _check_contrast(doc):
    """A colour too pale for white text (WCAG AA, 4.5:1) is reported and not used."""
    from chaton.orgs.colors import MIN_CONTRAST, contrast_with_white

    value = doc.meta.get("color")
    if value and contrast_with_white(value) < MIN_CONTRAST:
        doc.problems.append(fm.Problem(
            str(doc.path), 1, "color", f"white text on {value} has a contrast of "
            f"{contrast_with_white(value):.1f}:1, below the 4.5:1 needed to be readable: the "
            "theme's colour is used instead; choose a darker colour", warning=True))


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
