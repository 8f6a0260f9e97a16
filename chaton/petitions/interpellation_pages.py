"""The signatory's page to write to the decision makers (/s/<token>/write), after signing;
see interpellation.py for what is (not) stored, and arguments.py for the arguments they may add."""

from pathlib import Path

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _

from chaton.core.errors import error_page
from chaton.core.security import anonymous_form, rate_limit
from chaton.core.themes import render
from chaton.petitions import arguments, interpellation, interpellation_mail
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


def _addressed(token, key):
    """(signature, petition, whom it may write to, the one `key` names: 404 when none), or
    None for a link no longer valid: what every action on one message starts from."""
    context = _context(token)
    return None if context is None else (*context, _recipient(context[2], key))


@bp.route("/<token>/write")
def write(token):
    context = _context(token)
    if context is None:
        return gone()
    return _page(token, *context)


def _page(token, signature, petition, found, edited=None, typed=None, status=200):
    """The writing page; `edited`: {recipient key: (subject, body, arguments ticked)} as posted;
    `typed`: what was typed for one recipient, shown again with why it did not go
    (interpellation_mail.py)."""
    url = url_for("petitions.show", org=petition.association.slug, slug=petition.slug,
                  _external=True)
    subject, body = interpellation.message(petition, signature, url)
    return render("write.html", signature=signature, petition=petition,
                  association=petition.association, token=token, recipients=found,
                  subject=subject, body=body, sent=interpellation.already_sent(signature),
                  subject_max=interpellation.SUBJECT_MAX, body_max=interpellation.BODY_MAX,
                  arguments=petition.meta.get("arguments") or [], edited=edited or {},
                  **interpellation_mail.page_context(petition, typed)), status


@bp.route("/<token>/write/<key>/open")
def open_message(token, key):
    """The message as edited, opened in the signatory's mail program (nothing kept here)."""
    addressed = _addressed(token, key)
    if addressed is None:
        return gone()
    recipient = addressed[3]
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
    addressed = _addressed(token, key)
    if addressed is None:
        return gone()
    signature, _petition, _found, recipient = addressed
    if interpellation.count_sent(signature, recipient):
        flash(_("Thank you: your message to %(name)s is counted.", name=recipient.name), "ok")
    return redirect(url_for("signatures.write", token=token) + f"#to-{key}", code=303)


@bp.route("/<token>/write/<key>/arguments", methods=["POST"])
@anonymous_form
def add_arguments(token, key):
    """Without JavaScript: the page again, this recipient's message rebuilt with the arguments
    ticked and what was typed kept. Nothing is stored, nor kept by a cache."""
    addressed = _addressed(token, key)
    if addressed is None:
        return gone()
    signature, petition, found, recipient = addressed
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


@bp.route("/<token>/write/<key>/send", methods=["POST"])
@anonymous_form
@rate_limit("message_rate_limit")
def send_message(token, key):
    """The message as edited, sent through the instance when allowed (interpellation_mail)."""
    addressed = _addressed(token, key)
    if addressed is None:
        return gone()
    signature, petition, found, recipient = addressed
    if not recipient.email or not interpellation_mail.allowed(petition):
        abort(404)
    subject, body = request.form.get("subject", ""), request.form.get("body", "")
    outcome = (interpellation_mail.problem(subject, body)
               or interpellation_mail.send(signature, recipient, subject.strip(), body.strip()))
    if outcome != "queued":  # what was typed stays, with why it did not go
        typed = {"key": key, "subject": subject, "body": body, "problem": outcome}
        return _page(token, signature, petition, found, typed=typed, status=STATUS[outcome])
    flash(_("Your message to %(name)s is on its way; a copy goes to your address.",
            name=recipient.name), "ok")
    return redirect(url_for("signatures.write", token=token) + f"#to-{key}", code=303)


STATUS = {"empty": 422, "too_long": 422, "already": 409, "full": 429}


@bp.errorhandler(429)
def too_many_messages(exc):
    """Rate limited: say so on the writing page, keeping what the person typed."""
    if request.endpoint != "signatures.send_message" or (context := _context(
            request.view_args["token"])) is None:
        return error_page(429)
    typed = {"key": request.view_args["key"], "subject": request.form.get("subject", ""),
             "body": request.form.get("body", ""), "problem": "rate_limited"}
    return _page(request.view_args["token"], *context, typed=typed, status=429)
