"""The association's settings (/<org>/admin/settings): its association.md, edited by a form.

The form rewrites the front matter of `content/<org>/association.md` atomically, keeping the
keys it does not know, and the Markdown text below the header (the association's "about" text,
edited in the same form), and refuses to save when the file changed since the form was opened
(someone else saved, or it was edited by hand): the checksum of the file travels in a hidden
field. The association's admins, and the hoster's admins (recorded as such in the audit log).

A logo sent with a form that another field refuses is kept: a valid picture is stored in the
association's `images/` folder at once (as the editor stores its uploads), and its path
travels in a hidden field until the settings are saved, so it need not be chosen again.
"""

import hashlib
import re
from pathlib import Path

import yaml
from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin import nav
from chaton.admin.auth import can, require
from chaton.admin.files import markdown_file, write_atomic
from chaton.core import frontmatter as fm
from chaton.core.formats import number
from chaton.core.i18n import LANGUAGES
from chaton.core.themes import render
from chaton.editing.uploads import IMAGE_TYPES
from chaton.orgs.colors import MIN_CONTRAST, contrast_with_white
from chaton.orgs.loading import area_blueprint

bp = area_blueprint("association_settings", __name__, "/<org>/admin")
nav.register("association_settings.edit", _l("Settings"), "manage", order=85)
audit.label("association.settings", _l("Settings changed"))
audit.label("hoster.association_settings", _l("Settings changed by the hoster"))

# form field -> (front matter key, key inside `contact` or None)
FIELDS = {
    "name": ("name", None), "description": ("description", None),
    "contact_email": ("contact", "email"), "contact_website": ("contact", "website"),
    "contact_address": ("contact", "address"), "language": ("language", None),
    "theme": ("theme", None), "color": ("color", None), "sender_name": ("sender_name", None),
    "privacy_contact": ("privacy_contact", None), "retention_days": ("retention_days", None),
}
LIMITS = {"name": 200, "description": 1000, "contact_address": 300, "sender_name": 100}
LOGO_FOLDER = "images"
LOGO_RE = re.compile(r"images/[a-z0-9][a-z0-9-]{0,80}\.(" + "|".join(IMAGE_TYPES) + ")")
MAX_ABOUT = 200_000  # characters, as the campaign editor's texts


@bp.url_value_preprocessor
def make_room(endpoint, values):
    """Admins (and hoster admins) may send a logo: their POST gets room for one picture
    (others keep max_body_kb)."""
    if request.method == "POST" and can("manage", hoster=True):
        from chaton.editing.blueprint import UPLOAD_ROOM
        from chaton.editing.uploads import limit_bytes

        # a logo too large still reaches the page, which says the limit and keeps the form
        request.max_content_length = limit_bytes() * UPLOAD_ROOM + 64 * 1024


def _folder(association):
    return Path(current_app.config["CHATON"]["content_dir"]) / association.slug


def pending_logo(association):
    """The logo stored with an earlier form that could not be saved (the hidden `logo_pending`
    field), if it names a picture of the association's images folder; None otherwise."""
    value = request.form.get("logo_pending", "")
    if LOGO_RE.fullmatch(value) and (_folder(association) / value).is_file():
        return value
    return None


def receive_logo(association, form, errors):
    """The logo of the posted form: the one saved, or one stored with an earlier attempt, or
    none when removed, or an uploaded one (a checked picture, within the quota, stored at once
    so that an error elsewhere in the form does not lose it). Its path goes in `form`.

    The logo is shown beside the association's name, so it needs no text of its own (alt="")."""
    from chaton.editing import uploads
    from chaton.hoster.quotas import check_upload

    form["logo"] = pending_logo(association) or form["logo"]
    storage = request.files.get("logo_file")
    if request.form.get("logo_remove"):
        form["logo"] = ""
    if storage is None or not storage.filename:
        return
    try:
        data, extension = uploads.read_checked(storage)
        if extension not in uploads.IMAGE_TYPES:
            raise uploads.UploadError(_("A logo is a picture: PNG, JPEG, WebP or GIF."))
        refusal = check_upload(association, len(data))
        if refusal:
            raise uploads.UploadError(str(refusal))
    except uploads.UploadError as exc:
        errors["logo_file"] = str(exc)
        return
    folder = _folder(association) / LOGO_FOLDER
    stored = uploads.store(folder, uploads.clean_name(storage.filename, extension), data)
    form["logo"] = f"{LOGO_FOLDER}/{stored.name}"


def _path(association):
    return _folder(association) / "association.md"


def read_file(path):
    """(front matter as written, Markdown body, checksum of the file); ValueError if unreadable."""
    data = path.read_bytes()
    try:
        header, body, _line = fm.split(data.decode("utf-8"))
        raw = yaml.safe_load(header) or {}
    except (UnicodeDecodeError, fm.FieldError, yaml.YAMLError) as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(raw, dict):
        raise ValueError("the front matter is not a list of 'key: value' lines")
    return raw, body, hashlib.sha256(data).hexdigest()


def form_from(raw, body):
    """The form's values from the front matter and the text below it."""
    contact = raw.get("contact") if isinstance(raw.get("contact"), dict) else {}
    form = {"logo": str(raw.get("logo") or ""), "about": body.strip()}
    for field, (key, sub) in FIELDS.items():
        value = contact.get(sub) if sub else raw.get(key)
        form[field] = "" if value is None else str(value)
    form["language"] = form["language"] or "fr"
    return form


def form_posted(body):
    """The posted values; the "about" text keeps its lines (the file's when not posted)."""
    form = {field: " ".join(request.form.get(field, "").split())[:2000] for field in FIELDS}
    about = request.form.get("about")
    form["about"] = body.strip() if about is None else about.replace("\r\n", "\n").strip()
    return form


def _check(form, themes):
    """{field: message} for what cannot be saved; normalizes the colour in `form`."""
    errors = {}
    for field, limit in LIMITS.items():
        if len(form[field]) > limit:
            errors[field] = _("Write at most %(n)d characters.", n=limit)
    if not form["name"]:
        errors["name"] = _("Write the association's name.")
    if len(form["about"]) > MAX_ABOUT:
        errors["about"] = _("Write at most %(n)s characters.", n=number(MAX_ABOUT))
    for field in ("contact_email", "privacy_contact"):
        if form[field] and not fm.EMAIL_RE.match(form[field]):
            errors[field] = _("Write a valid e-mail address, or leave the field empty.")
    if form["contact_website"]:
        try:
            fm.web_address(form["contact_website"])
        except fm.FieldError:
            errors["contact_website"] = _("Write the full address, starting with https://.")
    if form["language"] not in LANGUAGES:
        errors["language"] = _("Choose a language.")
    if form["theme"] and form["theme"] not in themes:
        errors["theme"] = _("Choose one of the themes installed on this instance.")
    color_problem = _check_color(form)
    if color_problem:
        errors["color"] = color_problem
    days = form["retention_days"]
    if days and (not re.fullmatch(r"[0-9]{1,4}", days) or not 1 <= int(days) <= 3650):
        errors["retention_days"] = _("Write a number of days between 1 and 3650, or leave the "
                                     "field empty.")
    return errors


def normal_color(value):
    """"5B2A86" or "#5B2A86" -> "#5b2a86"; "" stays empty."""
    value = (value or "").strip().lower()
    return "#" + value if value and not value.startswith("#") else value


def contrast_verdict(value):
    """(usable, message) for a colour as the form writes it: the check of association.md
    (orgs/colors.py, WCAG AA), said to a person. The form's error and its live preview both
    use it."""
    if not value:
        return True, _("Empty: the theme's colour.")
    try:
        ratio = contrast_with_white(value)
    except ValueError:
        return False, _("Write the colour as # followed by six hexadecimal digits, such as "
                        "#5b2a86.")
    shown = number(round(ratio, 1))
    if ratio < MIN_CONTRAST:
        return False, _("White text on %(color)s has a contrast of only %(ratio)s:1, and links in "
                        "this colour on white the same: at least 4.5:1 is needed for people with "
                        "low vision to read them (WCAG AA). Choose a darker colour.", color=value,
                        ratio=shown)
    return True, _("Contrast %(ratio)s:1 with white: readable (at least 4.5:1 is needed).",
                   ratio=shown)


def _check_color(form):
    form["color"] = normal_color(form["color"])
    usable, message = contrast_verdict(form["color"])
    return None if usable else message


def updated_front_matter(raw, form):
    """The front matter with the form's values; unknown keys and their order are kept."""
    meta = dict(raw)
    contact = dict(raw["contact"]) if isinstance(raw.get("contact"), dict) else {}
    for field, (key, sub) in FIELDS.items():
        value = form[field]
        if field == "retention_days" and value:
            value = int(value)
        target = contact if sub else meta
        name = sub or key
        if value in ("", None):
            target.pop(name, None)
        else:
            target[name] = value
    if contact:
        meta["contact"] = contact
    else:
        meta.pop("contact", None)
    return meta


def _page(association, form, checksum, errors=None, status=200, stale=False, saved_logo=""):
    themes = current_app.extensions["chaton_themes"].names()
    return render("admin/settings.html", association=association, form=form, checksum=checksum,
                  errors=errors or {}, themes=themes, stale=stale, saved_logo=saved_logo,
                  verdict=contrast_verdict(form["color"]), as_hoster=g.get("as_hoster", False),
                  instance_retention=current_app.config["CHATON"]["retention_days"]), status


@bp.route("/settings/contrast")
@require("manage", hoster=True)
def contrast(org):
    """The verdict on a colour for the live preview of the settings page (settings.js)."""
    usable, message = contrast_verdict(normal_color(request.args.get("color", "")[:20]))
    return {"usable": usable, "message": message}


@bp.route("/settings", methods=["GET", "POST"])
@require("manage", hoster=True)
def edit(org):
    association = g.association
    path = _path(association)
    try:
        raw, body, checksum = read_file(path)
    except (OSError, ValueError) as exc:
        flash(_("association.md cannot be read (%(problem)s): fix it by hand first.",
                problem=str(exc)), "error")
        return redirect(url_for("admin.dashboard", org=org), code=303)
    saved_logo = str(raw.get("logo") or "")
    if request.method == "GET":
        return _page(association, form_from(raw, body), checksum, saved_logo=saved_logo)
    form = form_posted(body)
    form["logo"] = saved_logo
    if request.form.get("checksum") != checksum:
        form["logo"] = pending_logo(association) or saved_logo
        return _page(association, form, request.form.get("checksum", ""), status=409, stale=True,
                     saved_logo=saved_logo,
                     errors={"form": _("association.md changed since you opened this page "
                                       "(someone saved these settings, or the file was edited "
                                       "by hand). Nothing was saved.")})
    errors = _check(form, current_app.extensions["chaton_themes"].names())
    receive_logo(association, form, errors)
    if errors:
        return _page(association, form, checksum, errors, status=400, saved_logo=saved_logo)
    save(association, path, raw, body, form)
    return redirect(url_for("association_settings.edit", org=org), code=303)


def save(association, path, raw, body, form):
    """Write association.md when something changed, and record who changed what."""
    meta = updated_front_matter(raw, form)
    if form["logo"]:
        meta["logo"] = form["logo"]
    else:
        meta.pop("logo", None)
    changed = sorted(k for k in set(meta) | set(raw) if meta.get(k) != raw.get(k))
    if form["about"] != body.strip():
        changed.append("about")
    if changed:
        write_atomic(path, markdown_file(meta, form["about"]))
        current_app.extensions["chaton_content"].refresh()
        action = "hoster.association_settings" if g.get("as_hoster") else "association.settings"
        audit.record(action, association, target="association.md", fields=", ".join(changed))
        flash(_("The settings are saved."))
    else:
        flash(_("Nothing changed."))
