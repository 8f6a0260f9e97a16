"""Links from the mails: confirm a signature, withdraw it, stop the news.

Each GET only shows a page with a button; the change happens on POST, so that mail scanners
which follow links cannot confirm or withdraw for the person.
"""

from flask import Blueprint, g, redirect, request, url_for

from chaton.core.i18n import pin_language
from chaton.core.security import anonymous_form, csrf
from chaton.core.themes import render
from chaton.petitions import sharing, signing

bp = Blueprint("signatures", __name__, url_prefix="/s")


def load_signature(token):
    """The signature of a mail link; a 404 page explains expired or withdrawn links."""
    signature = signing.signature_from_token(token)
    if signature is None or signature.anonymized_at is not None or signing.is_expired(signature):
        g.association = None
        return None
    g.association = signature.petition.association
    pin_language(signature.language)  # the language signed in, as the mail was
    return signature


def gone():
    return render("link_invalid.html"), 404


@bp.route("/<token>", methods=["GET", "POST"])
@anonymous_form  # the link's token is the proof; a post from another site is refused
def confirm(token):
    signature = load_signature(token)
    if signature is None:
        return gone()
    petition = signature.petition
    if petition.association.disabled:  # signing is closed while the hoster suspends it;
        from chaton.orgs.loading import suspended  # withdrawing and unsubscribing still work

        return suspended(petition.association)
    if request.method == "POST":
        signing.confirm(signature)
        return redirect(url_for("signatures.confirmed", token=token), code=303)
    if signature.status == "confirmed":
        return redirect(url_for("signatures.confirmed", token=token), code=303)
    return render("confirm.html", signature=signature, petition=petition,
                  association=petition.association, token=token)


@bp.route("/<token>/thanks")
def confirmed(token):
    signature = load_signature(token)
    if signature is None or signature.status != "confirmed":
        return gone()
    petition = signature.petition
    return render("confirmed.html", signature=signature, petition=petition,
                  association=petition.association, token=token, **personal_link(signature))


def personal_link(signature):
    """The signatory's share links (carrying their code) and how many people signed through
    them, for their thanks and withdraw pages; nothing for a pending signature."""
    from chaton.petitions.views import share_links

    if signature.status != "confirmed":
        return {"share": None, "brought": 0}
    via = sharing.code_of(signature)
    return {"share": share_links(signature.petition, via=via),
            "brought": sharing.brought(signature)}


@bp.route("/<token>/withdraw", methods=["GET", "POST"])
@anonymous_form
def withdraw(token):
    signature = load_signature(token)
    if signature is None:
        return gone()
    petition = signature.petition
    if request.method == "POST":
        signing.withdraw(signature)
        return render("withdrawn.html", petition=petition, association=petition.association)
    return render("withdraw.html", signature=signature, petition=petition,
                  association=petition.association, token=token, **personal_link(signature))


@bp.route("/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click unsubscribe posts without a form; the token is the proof
def unsubscribe(token):
    signature = load_signature(token)
    if signature is None:
        return gone()
    petition = signature.petition
    if request.method == "POST":
        signing.unsubscribe(signature)
        return render("unsubscribed.html", petition=petition, association=petition.association)
    return render("unsubscribe.html", signature=signature, petition=petition,
                  association=petition.association, token=token)
