"""Removing signatures after the fact, from a petition's admin page: criteria, a preview of
what they match, then a confirmation with a public reason. Admins only (`manage`)."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from chaton.accounts import audit
from chaton.admin.auth import require
from chaton.core.cache import invalidate_all
from chaton.core.db import utcnow
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint
from chaton.petitions import invalidation as service
from chaton.petitions.admin import organiser_petition

bp = area_blueprint("invalidation", __name__, "/<org>/admin/petitions")
audit.label("signatures.invalidate", _l("Signatures removed"))

FIELDS = ("domains", "addresses", "window_field", "start", "end")
REASON_MAX = 300



def _message(code, arg):
    """The sentence for a criteria problem (service.CriteriaError codes)."""
    return {
        "bad_domain": lambda: _("These are not domain names: %(names)s.", names=arg),
        "too_many_domains": lambda: ngettext("Give at most %(num)s domain at once.",
                                             "Give at most %(num)s domains at once.", arg),
        "too_many_addresses": lambda: ngettext("Give at most %(num)s address at once.",
                                               "Give at most %(num)s addresses at once.", arg),
        "no_address": lambda: _("No e-mail address was found in this list."),
        "bad_moment": lambda: _("Write a date and time, for example 2026-03-14 21:30."),
        "end_before_start": lambda: _("The end must come after the start."),
        "nothing_chosen": lambda: _("Choose at least one criterion: domains, addresses or "
                                    "a time window."),
        "no_reason": lambda: _("Write the reason: it is shown on the petition page."),
    }[code]()


def _form():
    form = {name: request.form.get(name, "")[:100000] for name in FIELDS}
    form["reason"] = request.form.get("reason", "").strip()[:REASON_MAX]
    return form


def _page(petition, form, errors=None, found=None, criteria=None, status=200):
    errors = {k: _message(*v) for k, v in (errors or {}).items()}
    return render("admin/invalidate.html", association=g.association, petition=petition,
                  form=form, errors=errors, preview=found, criteria=criteria,
                  now=utcnow()), status


@bp.route("/<slug>/invalidate", methods=["GET", "POST"])
@require("manage")
def invalidate(org, slug):
    petition = organiser_petition(org, slug)
    form = _form() if request.method == "POST" else {"window_field": "created_at"}
    if request.method == "GET":
        return _page(petition, form)
    try:
        criteria = service.criteria_from_form(form)
    except service.CriteriaError as exc:
        return _page(petition, form, exc.errors, status=422)
    found = service.preview(petition, criteria)
    if request.form.get("action") != "apply":
        return _page(petition, form, found=found, criteria=criteria)
    if not form["reason"]:
        return _page(petition, form, {"reason": ("no_reason", None)}, found, criteria, 422)
    return _apply(petition, criteria, form["reason"], request.form.get("expected", type=int))


def _apply(petition, criteria, reason, expected):
    record = service.apply(petition, criteria, reason)
    invalidate_all()  # the public page shows the explanation at once
    removed = record.confirmed_removed + record.pending_removed
    audit.record("signatures.invalidate", g.association, target=petition.slug,
                 reason=reason, confirmed=record.confirmed_removed,
                 pending=record.pending_removed, **record.criteria)
    flash(_("%(confirmed)s confirmed and %(pending)s pending signatures were removed.",
            confirmed=record.confirmed_removed, pending=record.pending_removed))
    if expected is not None and expected != removed:
        flash(_("The preview showed %(expected)s: signatures arrived or were confirmed in the "
                "meantime, and the figures above are what was removed.", expected=expected))
    return redirect(url_for("admin.petition", org=g.association.slug, slug=petition.slug),
                    code=303)
