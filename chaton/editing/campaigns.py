"""The campaigns page, and the publication buttons: publish, schedule, close, archive.

Each button changes the campaign's file (status, dates, `archived`) exactly as a person would
by hand, checks it with the indexer's checks, writes it, refreshes the index and records the
action in the audit log.
"""

from datetime import date, timedelta
from pathlib import Path

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from chaton.accounts import audit
from chaton.admin.auth import can, require
from chaton.admin.files import write_atomic
from chaton.consultations.models import Consultation
from chaton.core.security import safe_next
from chaton.core.themes import render
from chaton.editing.blueprint import bp
from chaton.editing.document import BrokenFile, Source, compose, read_text
from chaton.editing.kinds import PHASE_LABELS
from chaton.editing.views import editor_url, target
from chaton.orgs.models import ContentError
from chaton.petitions.models import Petition, PetitionUpdate

PARTICIPATION = ("contribution", "vote")


def _day(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


# -- what a campaign can do next ----------------------------------------------------------------

def petition_actions(meta, today):
    """The publication buttons that make sense for a petition in this state."""
    if meta.get("archived") is True:
        return ["unarchive"]
    status, opens = meta.get("status"), _day(meta.get("opens"))
    if status == "draft" or (status == "open" and opens and opens > today):
        return ["publish", "schedule"]
    if status == "open":
        return ["close", "archive"]
    return ["publish", "archive"]


def running_participation(meta, today):
    """Contribution and vote phases not over yet."""
    phases = meta.get("phases") if isinstance(meta.get("phases"), dict) else {}
    found = []
    for name in PARTICIPATION:
        spec = phases.get(name)
        if isinstance(spec, dict) and _day(spec.get("start")):
            end = _day(spec.get("end"))
            if end is None or end >= today:
                found.append(name)
    return found


def consultation_actions(meta, today):
    if meta.get("archived") is True:
        return ["unarchive"]
    if meta.get("status") == "draft":
        return ["publish"]
    return (["close"] if running_participation(meta, today) else []) + ["archive"]


# -- what the buttons write ---------------------------------------------------------------------

def apply_petition(front, action, today, day, order):
    """Change the front matter; return an error message, or None."""
    meta = front.meta
    opens, closes = _day(meta.get("opens")), _day(meta.get("closes"))
    if action == "publish":
        front.set("status", "open")
        if opens and opens > today:
            front.set("opens", today)
        if closes and closes < today:
            front.set("closes", None)
    elif action == "schedule":
        if day is None or day <= today:
            return _("Choose a day after today.")
        if closes and closes < day:
            return _("The last day of signing (%(day)s) comes before that day: change it in the "
                     "form first.", day=closes.isoformat())
        front.set("status", "open")
        front.set("opens", day, order=order)
    elif action == "close":
        front.set("status", "closed")
    elif action == "answered":  # offered with the answer, in its editor
        if meta.get("status") not in ANSWERABLE:
            return _("Only an open or closed petition can be marked answered.")
        front.set("status", "answered")
    elif action == "archive":
        if meta.get("status") == "open":
            front.set("status", "closed")
        front.set("archived", True, order=order)
    elif action == "unarchive":
        front.set("archived", None)
    return None


def end_participation(front, today):
    """Contribution and vote phases end yesterday; those not started yet are removed."""
    phases = front.get("phases")
    running = running_participation(front.meta, today)
    if not running:
        return False
    yesterday = today - timedelta(days=1)
    for name in running:
        spec = phases[name]
        if _day(spec.get("start")) <= yesterday:
            spec["end"] = yesterday
        else:
            del phases[name]
    return True


def apply_consultation(front, action, today, day, order):
    if action == "publish":
        front.set("status", "published", order=order)
    elif action == "close":
        if not end_participation(front, today):
            return _("Participation is not open: there is nothing to close.")
        if not front.get("phases"):
            return _("Participation has not started yet: change the phases in the form instead.")
    elif action == "archive":
        end_participation(front, today)
        if not front.get("phases"):
            return _("Participation has not started yet: change the phases in the form instead.")
        front.set("archived", True, order=order)
    elif action == "unarchive":
        front.set("archived", None)
    return None


ACTIONS = ("publish", "schedule", "close", "answered", "archive", "unarchive")
ANSWERABLE = ("open", "closed")  # a won petition stays won


def done_message(action):
    return {
        "publish": _("Published: people can now see it and take part."),
        "schedule": _("Scheduled: the page says when it opens; signing starts that day."),
        "close": _("Closed: nobody can take part any more; everything collected is kept."),
        "answered": _("Marked answered: it no longer collects signatures and its page opens "
                      "with the answer."),
        "archive": _("Archived: it no longer appears in lists and feeds; its page stays online."),
        "unarchive": _("Taken out of the archive: it appears in lists again."),
    }[action]


def publication(kind, slug):
    found = target(kind, slug)
    back = safe_next(request.form.get("next"), editor_url(found))
    action = request.form.get("action", "")
    if action not in ACTIONS:
        flash(_("Choose what to do."), "error")
        return redirect(back, code=303)
    day = _day(request.form.get("day", "").strip()) if action == "schedule" else None
    refusal = apply_action(found, action, day)
    flash(refusal or done_message(action), "error" if refusal else "message")
    return redirect(back, code=303)


def apply_action(found, action, day=None):
    """Change the campaign's file as the button `action` says, check it, write it, refresh
    the index and record it; return the reason it was refused, or None."""
    text = read_text(found.path)
    if text is None:
        return _("This file no longer exists.")
    try:
        front, body = Source(found.path, text).split()
    except BrokenFile:
        return _("This file has errors: correct them in the editor first.")
    apply = apply_petition if found.kind.name == "petition" else apply_consultation
    refusal = apply(front, action, date.today(), day, found.kind.order)
    new_text = compose(front, body)
    problems = [p for p in found.check(new_text).problems if not p.warning]
    if refusal or problems:
        from chaton.editing.messages import explain

        details = " ".join(f"{p.field}: {explain(p)}" for p in problems)
        return refusal or f'{_("This file has errors: correct them in the editor first.")} {details}'
    write_atomic(found.path, new_text)
    current_app.extensions["chaton_content"].refresh()
    audit.record(f"campaign.{action}", g.association, target=found.shown_path,
                 **({"opens": day.isoformat()} if day else {}))
    return None


@bp.route("/petitions/<slug>/publication", methods=["POST"])
@require("edit")
def petition_publication(org, slug):
    return publication("petition", slug)


@bp.route("/consultations/<slug>/publication", methods=["POST"])
@require("edit")
def consultation_publication(org, slug):
    return publication("consultation", slug)


# -- the editor's side panel ---------------------------------------------------------------------

def campaign_context(found):
    """What the editor shows around the form: the campaign, its other files, its buttons."""
    org_folder, slug, today = found.org_folder, found.campaign, date.today()
    context = {"petition": None, "consultation": None, "files": [], "actions": [],
               "meta": {}, "today_date": today}
    if found.new and found.kind.name in ("petition", "consultation"):
        return context
    owner = target(found.kind.campaign, slug)
    text = read_text(owner.path)
    try:
        context["meta"] = Source(owner.path, text).split()[0].meta if text else {}
    except BrokenFile:
        context["meta"] = {}
    if found.kind.campaign == "petition":
        context["petition"] = Petition.find(g.association, slug)
        context["actions"] = petition_actions(context["meta"], today) if context["meta"] else []
        context["files"] = petition_files(found.org, org_folder, slug)
    else:
        context["consultation"] = Consultation.find(g.association, slug)
        context["actions"] = consultation_actions(context["meta"], today) if context["meta"] else []
        context["files"] = consultation_files(found.org, org_folder, slug)
    return context


def petition_files(org, org_folder, slug):
    """(label, editor URL) of a petition's file, its updates and its answer."""
    folder = Path(org_folder) / "petitions" / slug
    titles = {u.slug: u.title for u in PetitionUpdate.select(PetitionUpdate.slug, PetitionUpdate.title)
              .join(Petition).where((Petition.association == g.association) & (Petition.slug == slug))}
    files = [(_("The petition"), url_for("editing.edit_petition", org=org, slug=slug))]
    for path in sorted((folder / "updates").glob("*.md"), reverse=True):
        files.append((_("Update: %(title)s", title=titles.get(path.stem, path.stem)),
                      url_for("editing.edit_update", org=org, slug=slug, name=path.stem)))
    files.append((_("The answer of the target") if (folder / "answer.md").is_file()
                  else _("Record the answer of the target"),
                  url_for("editing.edit_answer", org=org, slug=slug)))
    files.append((_("Post an update"), url_for("editing.new_update", org=org, slug=slug)))
    return files


def consultation_files(org, org_folder, slug):
    folder = Path(org_folder) / "consultations" / slug
    files = [(_("The consultation"), url_for("editing.edit_consultation", org=org, slug=slug))]
    for path in sorted((folder / "topics").glob("*.md")):
        files.append((_("Topic: %(name)s", name=path.stem),
                      url_for("editing.edit_topic", org=org, slug=slug, topic=path.stem)))
    files.append((_("Add a topic"), url_for("editing.new_topic", org=org, slug=slug)))
    files.append((_("The synthesis"), url_for("editing.edit_published", org=org, slug=slug,
                                              which="synthesis")))
    files.append((_("The answer of the decision makers"),
                  url_for("editing.edit_published", org=org, slug=slug, which="answer")))
    return files


# -- the campaigns page ---------------------------------------------------------------------------

def editor_link(org, shown_path):
    """The editor of a file named in a content error (plain-text mode), or None."""
    parts = Path(shown_path).parts
    if org not in parts:
        return None
    rest = parts[parts.index(org) + 1:]
    try:
        if rest[0] == "petitions" and len(rest) == 2:
            url = url_for("editing.edit_petition", org=org, slug=Path(rest[1]).stem)
        elif rest[0] == "petitions" and rest[2:3] == ("updates",):
            url = url_for("editing.edit_update", org=org, slug=rest[1], name=Path(rest[3]).stem)
        elif rest[0] == "petitions" and rest[2:] == ("answer.md",):
            url = url_for("editing.edit_answer", org=org, slug=rest[1])
        elif rest[0] == "consultations" and rest[2:] == ("index.md",):
            url = url_for("editing.edit_consultation", org=org, slug=rest[1])
        elif rest[0] == "consultations" and rest[2:3] == ("topics",):
            url = url_for("editing.edit_topic", org=org, slug=rest[1], topic=Path(rest[3]).stem)
        elif rest[0] == "consultations" and rest[2] in ("synthesis.md", "answer.md"):
            url = url_for("editing.edit_published", org=org, slug=rest[1],
                          which=Path(rest[2]).stem)
        else:
            return None
    except IndexError:
        return None
    return url + "?mode=raw"


@bp.route("/campaigns")
@require("view")
def campaigns(org):
    """Every petition and consultation of the association, drafts and archives included."""
    association = g.association
    petitions = list(Petition.select().where((Petition.association == association)
                                             & Petition.present).order_by(Petition.id.desc()))
    consultations = list(Consultation.select().where(
        (Consultation.association == association) & Consultation.present)
        .order_by(Consultation.id.desc()))
    for consultation in consultations:
        consultation.association = association
    errors = [(e, editor_link(org, e.path)) for e in ContentError.select().where(
        ContentError.association == org).order_by(ContentError.path, ContentError.line)]
    return render("admin/campaigns.html", association=association, petitions=petitions,
                  consultations=consultations, errors=errors, today_date=date.today(),
                  may_edit=can("edit"), phase_names=PHASE_LABELS)
