"""The editor: one page per file, a form for its front matter and its Markdown text.

GET fills the form from the file. POST does one of three things, chosen by the button pressed:
`preview` shows the rendered text (keeping everything typed), `upload` stores a picture or a
PDF, `save` checks the text with the indexer's own checks and writes it (atomically) only when
it has no error and nobody changed the file since the form was loaded. A save that would mail
people (a petition's new update or answer, a consultation's synthesis or answer, that someone
follows) first shows the mail and how many people it goes to; `send` confirms it (news.py).
A file whose header is not readable YAML opens as plain text, with its errors, instead of
failing.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from chaton.accounts import audit
from chaton.admin.auth import require
from chaton.admin.files import slugify, write_atomic
from chaton.consultations.indexing import link_references
from chaton.core import frontmatter as fm
from chaton.core.markup import render_markdown
from chaton.core.themes import render
from chaton.editing import uploads
from chaton.editing.blueprint import bp
from chaton.editing.document import BrokenFile, Source, checksum, compose, read_text
from chaton.editing.fields import initial_values, submitted_values
from chaton.editing.kinds import KINDS, Target
from chaton.editing.messages import explain
from chaton.editing.news import pending_news
from chaton.petitions.content import SLUG_RE, UPDATE_NAME_RE

MAX_TEXT = 200_000  # characters of a Markdown text or of a raw file


@dataclass
class Form:
    """What the editor shows: the values typed, the text, and what is wrong with them."""

    values: dict = field(default_factory=dict)
    body: str = ""
    raw: str | None = None  # the whole file, in plain-text mode
    checksum: str = ""
    slug: str = ""
    problems: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)  # the editor's own: slug, upload, conflict
    preview: Markup | None = None
    uploaded: dict | None = None
    unknown: list = field(default_factory=list)
    news: object = None  # news.PendingNews: the mail a save would send, to confirm

    @property
    def blocking(self):
        return [p for p in self.problems if not p.warning] + list(self.errors.values())


def org_folder():
    return Path(current_app.config["CHATON"]["content_dir"]) / g.association.slug


def target(kind, campaign, item="", new=False):
    """The file of this association that the URL names; 404 for names that cannot be files."""
    if campaign and not SLUG_RE.fullmatch(campaign):
        abort(404)
    if item and not (SLUG_RE.fullmatch(item) or UPDATE_NAME_RE.fullmatch(item)):
        abort(404)
    return Target(KINDS[kind], g.association.slug, org_folder(), campaign, item, new)


def render_body(found, body):
    """The Markdown text as its public page shows it (same renderer, same sanitizer)."""
    text = (body or "")[:MAX_TEXT]
    if found.kind.name in ("synthesis", "consultation-answer"):
        text = link_references(text, f"/{found.org}/consultations/{found.campaign}")
    return Markup(render_markdown(text, found.media_base))  # noqa: S704  (sanitized by nh3)


# -- GET ---------------------------------------------------------------------------------------

def initial(found):
    """Values of a new file."""
    today = date.today().isoformat()
    values = initial_values(found.kind.fields, {})
    name = found.kind.name
    if name in ("petition", "consultation"):
        values["m.status"] = "draft"
    if name == "consultation":
        values["m.phases.information.start"] = today
    if name in ("answer", "synthesis", "consultation-answer"):
        values["m.date"] = today
        values["m.author"] = default_author(found)
    return values


def default_author(found):
    """Who usually signs an answer or a synthesis."""
    from chaton.consultations.models import Consultation
    from chaton.petitions.models import Petition

    if found.kind.name == "answer":
        row = Petition.get_or_none((Petition.association == g.association)
                                   & (Petition.slug == found.campaign))
        return row.target.get("name", "") if row else ""
    if found.kind.name == "consultation-answer":
        row = Consultation.get_or_none((Consultation.association == g.association)
                                       & (Consultation.slug == found.campaign))
        return ", ".join(p.get("name", "") for p in (row.meta.get("decision_makers") or [])
                         if isinstance(p, dict)) if row else ""
    return g.association.name


def load_form(found):
    """The form filled from the file (or plain text when its header cannot be read)."""
    text = read_text(found.path)
    if text is None:
        if found.new or found.kind.name in ("answer", "synthesis", "consultation-answer"):
            return Form(values=initial(found))
        abort(404)
    source = Source(found.path, text)
    form = Form(checksum=source.checksum, problems=found.check(text).problems)
    try:
        front, form.body = source.split()
    except BrokenFile:
        form.raw = text
        return form
    if request.args.get("mode") == "raw":
        form.raw = text
        return form
    form.values = initial_values(found.kind.fields, front.meta)
    known = set(found.kind.order)
    form.unknown = [str(k) for k in front.data if k not in known or
                    k not in {f.key for f in found.kind.fields}]
    return form


# -- POST --------------------------------------------------------------------------------------

def submitted(found):
    form = request.form
    return Form(values=submitted_values(found.kind.fields, form),
                body=form.get("body", "")[:MAX_TEXT],
                raw=form.get("raw", "")[:MAX_TEXT] if "raw" in form else None,
                checksum=form.get("checksum", "")[:64],
                slug=form.get("slug", "").strip().lower()[:100])


def build(found, form, current):
    """The file's new text: the form's values merged into the current front matter."""
    if form.raw is not None:
        return form.raw.replace("\r\n", "\n")
    try:
        front, _body = Source(found.path, current).split()
    except BrokenFile:
        front, _body = Source(found.path, None).split()
    meta, parsers = front.meta, {f.name: f.parse for f in found.kind.schema}
    for spec in found.kind.fields:  # the values as shown (an upload may have filled the picture)
        value = spec.from_form(form.values)
        if not means_the_same(parsers.get(spec.key), meta.get(spec.key), value):
            front.set(spec.key, value, order=found.kind.order, default=spec.default,
                      flow=spec.flow, child_flow=spec.child_flow)
    return compose(front, form.body)


def means_the_same(parse, old, new):
    """Whether the form's value reads as the file's: then the file keeps its own way of writing
    it (`{departement: 93}`, `goal: 1 000`, `France`)."""
    if parse is None or old is None or new is None:
        return False
    try:
        return parse(old) == parse(new)
    except (fm.FieldError, TypeError):
        return False


def check(found, form, text):
    """The file's checks, and the form's own problems (a commune name that names several)
    in place of the checks' on the same field."""
    problems = found.check(text).problems
    if form.raw is not None:
        return problems
    own = [fm.Problem(found.shown_path, 1, f.key, message)
           for f in found.kind.fields for message in f.problems(form.values)]
    fields = {p.field for p in own}
    return own + [p for p in problems if p.field not in fields]


def place_new(found, form):
    """Choose the name of a new file (from the title unless given); errors go on the form."""
    title = (request.form.get("m.title") or "").strip()
    if found.kind.name == "update":
        day = (request.form.get("m.date") or "").strip() or date.today().isoformat()
        try:
            day = date.fromisoformat(day).isoformat()
        except ValueError:
            day = date.today().isoformat()
        base = f"{day}-{slugify(title)}"
        name, n = base, 2
        while (found.org_folder / "petitions" / found.campaign / "updates" / f"{name}.md").exists():
            name, n = f"{base}-{n}", n + 1
        found.item = name
        return found
    form.slug = form.slug or (slugify(title) if title else "")
    if not SLUG_RE.fullmatch(form.slug or ""):
        form.errors["slug"] = _("Choose a web address: lower-case letters, digits and dashes.")
        return found
    if found.kind.name == "topic":
        found.item = form.slug
        taken = found.path.exists()
    else:
        found.campaign = form.slug
        folder = found.org_folder
        taken = ((folder / "petitions" / f"{form.slug}.md").exists()
                 or (folder / "petitions" / form.slug).exists()  # an old petition's updates
                 or (folder / "consultations" / form.slug / "index.md").exists())
    if taken:
        form.errors["slug"] = _("This address is already used: choose another one.")
    return found


def edit(found):
    """The editor page of a file: GET shows it, POST previews, uploads or saves."""
    if request.method == "GET":
        return page(found, load_form(found))
    action = request.form.get("action", "save")
    if action not in ("save", "preview", "upload", "send"):
        abort(400)
    form = submitted(found)
    if found.new:
        found = place_new(found, form)
        if "slug" in form.errors:
            form.preview = render_body(found, form.body) if action == "preview" else None
            return page(found, form, 200 if action == "preview" else 422)
    current = read_text(found.path)
    if not may_write(found, current):
        abort(404)
    status = 200
    if action == "upload":
        status = receive_upload(found, form)
    text = build(found, form, current)
    form.problems = check(found, form, text)
    if action not in ("save", "send"):
        form.preview = render_body(found, form.body if form.raw is None else text)
        return page(found, form, status)
    return save(found, form, current, text, confirmed=action == "send")


def may_write(found, current):
    """A POST may create only what the editor offers to create: a new campaign (through the
    "new" pages, where the quota is checked), or a file of a campaign that exists."""
    if found.kind.name in ("petition", "consultation"):
        return current is not None or found.new
    if found.kind.campaign == "consultation":
        parent = found.org_folder / "consultations" / found.campaign / "index.md"
    else:
        parent = found.org_folder / "petitions" / f"{found.campaign}.md"
    if not parent.is_file():
        return False
    return current is not None or found.new or found.kind.name in (
        "answer", "synthesis", "consultation-answer")


def save(found, form, current, text, confirmed=False):
    if (checksum(current) if current is not None else "") != form.checksum:
        form.errors["conflict"] = _(
            "Someone else saved this text since you opened this page. Your text is kept below but "
            "was not saved: copy what you need, then reload the page to see the new version.")
        return page(found, form, 409)
    if form.blocking:
        return page(found, form, 422)
    if current is None and found.new:
        from chaton.hoster.quotas import check_new_campaign

        refusal = check_new_campaign(g.association) if found.kind.name in (
            "petition", "consultation") else None
        if refusal:
            form.errors["quota"] = str(refusal)
            return page(found, form, 403)
    growth = len(text.encode("utf-8")) - len((current or "").encode("utf-8"))
    if growth > 0:
        from chaton.hoster.quotas import check_upload

        refusal = check_upload(g.association, growth)
        if refusal:
            form.errors["quota"] = str(refusal)
            return page(found, form, 403)
    if not confirmed:
        form.news = pending_news(found, text, render_body)
        if form.news is not None:
            return page(found, form)  # nothing written yet: the mail first, then "send"
    write_atomic(found.path, text)
    current_app.extensions["chaton_content"].refresh()
    audit.record("campaign.create" if current is None else "campaign.edit", g.association,
                 target=found.shown_path, kind=found.kind.name)
    flash(_("Saved. The site shows the new version now."))
    if found.kind.name == "answer" and request.form.get("mark_answered"):
        close_with_answer(found)
    return redirect(editor_url(found), code=303)


def close_with_answer(found):
    """The answer's editor offers to mark the petition answered in the same step (the
    publication button's own change of the petition's file)."""
    from chaton.editing.campaigns import apply_action, done_message

    refusal = apply_action(target("petition", found.campaign), "answered")
    flash(refusal or done_message("answered"), "error" if refusal else "message")


def receive_upload(found, form):
    """Store the uploaded file; use it as the picture or put it in the text when asked."""
    from chaton.hoster.quotas import check_upload

    storage = request.files.get("upload")
    use = request.form.get("upload_use", "text")
    alt = " ".join(request.form.get("upload_alt", "").split())[:300]
    try:
        if storage is None or not storage.filename:
            raise uploads.UploadError(_("Choose a file to upload."))
        data, extension = uploads.read_checked(storage)
        picture = extension in uploads.IMAGE_TYPES
        if picture and use in ("image", "text") and not alt:
            raise uploads.UploadError(_("Describe the picture for people who cannot see it."))
        refusal = check_upload(g.association, len(data))
        if refusal:
            raise uploads.UploadError(str(refusal), 403)
    except uploads.UploadError as exc:
        form.errors["upload"] = str(exc)
        return exc.status
    folder, prefix = found.media_folder
    path = uploads.store(folder, uploads.clean_name(storage.filename, extension), data)
    relative = prefix + path.name
    snippet = f"![{alt}]({relative})" if picture else f"[{alt or path.name}]({relative})"
    if use == "image" and picture and "m.image" in form.values:
        form.values["m.image"], form.values["m.image_alt"] = relative, alt
    elif use == "text":
        form.body = (form.body.rstrip() + "\n\n" + snippet).strip()
    form.uploaded = {"path": relative, "snippet": snippet, "picture": picture,
                     "url": f"{found.media_base}/{relative}"}
    audit.record("media.upload", g.association, target=str(path.relative_to(found.org_folder)),
                 size=len(data))
    return 200


# -- the page ----------------------------------------------------------------------------------

def editor_url(found):
    org, slug, name = found.org, found.campaign, found.kind.name
    if name == "petition":
        return url_for("editing.edit_petition", org=org, slug=slug)
    if name == "update":
        return url_for("editing.edit_update", org=org, slug=slug, name=found.item)
    if name == "answer":
        return url_for("editing.edit_answer", org=org, slug=slug)
    if name == "consultation":
        return url_for("editing.edit_consultation", org=org, slug=slug)
    if name == "topic":
        return url_for("editing.edit_topic", org=org, slug=slug, topic=found.item)
    return url_for("editing.edit_published", org=org, slug=slug,
                   which="answer" if name == "consultation-answer" else "synthesis")


def field_errors(found, form):
    """({field key: [messages]}, [(anchor, message)] for the summary, [warnings])."""
    keys = {f.key: f for f in found.kind.fields}
    by_field, summary, notes = {}, [], []
    for problem in form.problems:
        message = explain(problem)
        if problem.warning and problem.field != "image_alt":
            notes.append((problem.field, message))
            continue
        spec = keys.get(problem.field) if form.raw is None else None
        if spec is not None:
            message = spec.relabel(message)
            by_field.setdefault(spec.key, []).append(message)
            summary.append((spec.id, f"{spec.label}: {message}"))
        elif form.raw is not None:  # as `chaton content check` says it: file:line: field: problem
            where = f"{found.shown_path}:{problem.line}: " + (f"{problem.field}: " if problem.field else "")
            summary.append(("raw", where + message))
        else:
            summary.append(("body", (f"{problem.field}: " if problem.field else "") + message))
    anchors = {"slug": "slug", "upload": "upload", "conflict": "checksum", "quota": "editor"}
    for key, message in form.errors.items():
        summary.insert(0, (anchors.get(key, "editor"), message))
    return by_field, summary, notes


def pictures(found):
    """Pictures in the folder the `image` field is relative to (for the input's suggestions)."""
    root = found.image_root
    if not root.is_dir():
        return []
    found_paths = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and uploads.is_picture(path) and not path.name.startswith("."):
            found_paths.append(str(path.relative_to(root)))
        if len(found_paths) >= 200:
            break
    return found_paths


def current_picture(found, form):
    """The address of the picture the `image` field names, when it is a picture of this
    association that exists (shown beside the field), else None."""
    value = str(form.values.get("m.image") or "").strip()
    if not value or Path(value).suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif", ".webp",
                                                       ".svg"):
        return None
    root = found.image_root.resolve()
    try:  # what was typed: "../x.png", a name too long for the disk...
        path = (root / value).resolve()
        if root not in path.parents or not path.is_file():
            return None
    except (OSError, ValueError):
        return None
    return f"{found.media_base}/{path.relative_to(root).as_posix()}"


def page(found, form, status=200):
    from chaton.editing.campaigns import campaign_context

    by_field, summary, notes = field_errors(found, form)
    if form.preview is None and form.raw is None and form.body:
        form.preview = render_body(found, form.body)
    return render("admin/editor.html", association=g.association, kind=found.kind,
                  target=found, form=form, field_errors=by_field, summary=summary, notes=notes,
                  action_url=request.path if request.method == "POST" else request.full_path,
                  pictures=pictures(found), picture_url=current_picture(found, form),
                  upload_max_kb=current_app.config["CHATON"][
                      "upload_max_kb"], **campaign_context(found)), status


# -- routes ------------------------------------------------------------------------------------

@bp.route("/campaigns/new/<any(petition, consultation):kind>", methods=["GET", "POST"])
@require("edit")
def new_campaign(org, kind):
    return edit(target(kind, "", new=True))


@bp.route("/petitions/<slug>/edit", methods=["GET", "POST"])
@require("edit")
def edit_petition(org, slug):
    return edit(target("petition", slug))


@bp.route("/petitions/<slug>/updates/new", methods=["GET", "POST"])
@require("edit")
def new_update(org, slug):
    existing(target("petition", slug))
    return edit(target("update", slug, new=True))


@bp.route("/petitions/<slug>/updates/<name>/edit", methods=["GET", "POST"])
@require("edit")
def edit_update(org, slug, name):
    return edit(target("update", slug, name))


@bp.route("/petitions/<slug>/answer/edit", methods=["GET", "POST"])
@require("edit")
def edit_answer(org, slug):
    existing(target("petition", slug))
    return edit(target("answer", slug))


@bp.route("/consultations/<slug>/edit", methods=["GET", "POST"])
@require("edit")
def edit_consultation(org, slug):
    return edit(target("consultation", slug))


@bp.route("/consultations/<slug>/topics/new", methods=["GET", "POST"])
@require("edit")
def new_topic(org, slug):
    existing(target("consultation", slug))
    return edit(target("topic", slug, new=True))


@bp.route("/consultations/<slug>/topics/<topic>/edit", methods=["GET", "POST"])
@require("edit")
def edit_topic(org, slug, topic):
    return edit(target("topic", slug, topic))


@bp.route("/consultations/<slug>/<any(synthesis, answer):which>/edit", methods=["GET", "POST"])
@require("edit")
def edit_published(org, slug, which):
    existing(target("consultation", slug))
    return edit(target("synthesis" if which == "synthesis" else "consultation-answer", slug))


def existing(found):
    """404 unless the campaign's file exists (updates and answers belong to one)."""
    if not found.path.is_file():
        abort(404)
    return found


@bp.route("/preview", methods=["POST"])
@require("edit")
def preview(org):
    """The rendered Markdown for the editor's live preview (JavaScript)."""
    kind = request.form.get("kind", "")
    campaign = request.form.get("campaign", "")
    if kind not in KINDS or (campaign and not SLUG_RE.fullmatch(campaign)):
        abort(400)
    found = target(kind, campaign or "new")
    return {"html": str(render_body(found, request.form.get("body", "")))}


@bp.errorhandler(413)
def too_large(exc):
    from chaton.core.errors import error_page

    return error_page(413, _("What you sent is too large: files up to %(kb)s KB can be uploaded.",
                             kb=current_app.config["CHATON"]["upload_max_kb"]))
