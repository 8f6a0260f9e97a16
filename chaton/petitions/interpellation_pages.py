"""The signatory's page to write to the decision makers (/s/<token>/write), after signing;
see interpellation.py for what is (not) stored, and arguments.py for the arguments they may add."""

from pathlib import Path

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _

from chaton.core.security import anonymous_form
from chaton.core.themes import render
from chaton.petitions import arguments, interpellation
from chaton.petitions.signatures import bp, gone, load_signature


def _context(token):
    signature = load_signature(token)
    if signature is None or signature.status != "confirmed":
        return None
    petition = signature.petition
    folder = Path(current_app.config["CHATON"]["content_dir"]) / petition.association.slug
    return signature, petition, interpellation.recipients(petition, signature, folder)


def _recipient(found, key):
    recipient = next((r for r in found if r.key == key), None)
    if recipient is None:
        abort(404)
    return recipient


@bp.route("/<token>/write")
def write(token):
    context = _context(token)
    if context is None:
        return gone()
    return _page(token, *context)


def _page(token, signature, petition, found, edited=None):
    """The writing page; `edited`: {recipient key: (subject, body, arguments ticked)} as posted."""
    url = url_for("petitions.show", org=petition.association.slug, slug=petition.slug,
                  _external=True)
    subject, body = interpellation.message(petition, signature, url)
    return render("write.html", signature=signature, petition=petition,
                  association=petition.association, token=token, recipients=found,
                  subject=subject, body=body, sent=interpellation.already_sent(signature),
                  subject_max=interpellation.SUBJECT_MAX, body_max=interpellation.BODY_MAX,
                  arguments=petition.meta.get("arguments") or [], edited=edited or {})


@bp.route("/<token>/write/<key>/open")
def open_message(token, key):
    """The message as edited, opened in the signatory's mail program (nothing kept here)."""
    context = _context(token)
    if context is None:
        return gone()
    recipient = _recipient(context[2], key)
    if not recipient.email:
        abort(404)
    subject = request.args.get("subject", "")[:interpellation.SUBJECT_MAX]
    body = request.args.get("body", "")[:interpellation.BODY_MAX]
    response = redirect(interpellation.mailto(recipient, subject, body), code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<token>/write/<key>/sent", methods=["POST"])
@anonymous_form
def mark_sent(token, key):
    context = _context(token)
    if context is None:
        return gone()
    signature, _petition, found = context
    recipient = _recipient(found, key)
    if interpellation.count_sent(signature, recipient):
        flash(_("Thank you: your message to %(name)s is counted.", name=recipient.name), "ok")
    return redirect(url_for("signatures.write", token=token) + f"#to-{key}", code=303)


@bp.route("/<token>/write/<key>/arguments", methods=["POST"])
@anonymous_form
def add_arguments(token, key):
    """Without JavaScript: the page again, this recipient's message rebuilt with the arguments
    ticked and what was typed kept. Nothing is stored, nor kept by a cache."""
    context = _context(token)
    if context is None:
        return gone()
    signature, petition, found = context
    recipient = _recipient(found, key)
    listed = petition.meta.get("arguments") or []
    ticked = arguments.chosen(request.form.getlist("argument"), listed)
    body = arguments.compose(request.form.get("body", "")[:interpellation.BODY_MAX], listed,
                             ticked, signature.name)
    subject = request.form.get("subject")  # none for a letter by post: the prepared one
    subject = None if subject is None else subject[:interpellation.SUBJECT_MAX]
    edited = {recipient.key: (subject, body, ticked)}
    response = make_response(_page(token, signature, petition, found, edited))
    response.headers["Cache-Control"] = "no-store"
    return response
