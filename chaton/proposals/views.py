"""The public pages of proposals: the association's list, drafting one, its page, supporting
it, and the links mailed to confirm.

A proposal's page is reachable by its address only while it gathers supporters or waits (its
author shares it; search engines are asked not to index it); the list shows what was decided.
Every GET shows; only a POST changes something (mail scanners follow links).
"""

from flask import abort, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from chaton.core.markup import render_markdown
from chaton.core.security import anonymous_form, rate_limit
from chaton.core.themes import render
from chaton.orgs.loading import area_blueprint
from chaton.petitions.models import Petition
from chaton.proposals import proposing, publishing
from chaton.proposals.forms import ProposalForm, SupportForm
from chaton.proposals.models import Proposal
from chaton.proposals.tasks import send_link, tell_team

bp = area_blueprint("proposals", __name__, "/<org>/proposals")
RATE_LIMITED = _l("Too many forms were sent from your connection. Please wait and send it "
                  "again: what you typed is kept.")
LISTED = 100  # decided proposals shown on the list, the newest first


def _open_or_404():
    found = proposing.settings(g.association)
    if found is None:
        abort(404)
    return found


def _language():
    return str(get_locale())


@bp.route("/")
def index(org):
    association = g.association
    settings = proposing.settings(association)
    decided = list(Proposal.select().where((Proposal.association == association)
                                           & Proposal.status.in_(["published", "rejected"]))
                   .order_by(Proposal.decided_at.desc()).limit(LISTED))
    if settings is None and not decided:
        abort(404)
    waiting = Proposal.select().where((Proposal.association == association)
                                      & (Proposal.status == "waiting")).count()
    return render("proposals/index.html", association=association, settings=settings,
                  decided=decided, waiting=waiting, text_public=publishing.text_public,
                  reason_label=publishing.reason_label, reason_text=publishing.reason_text)


def _form_page(form, status=200):
    association = g.association
    petitions = list(Petition.select(Petition.slug, Petition.title).where(
        (Petition.association == association) & Petition.present & ~Petition.archived
        & (Petition.status == "open")).order_by(Petition.title))
    return render("proposals/new.html", association=association, form=form,
                  settings=proposing.settings(association), petitions=petitions), status


@bp.route("/new", methods=["GET", "POST"])
@anonymous_form
@rate_limit("propose_rate_limit")
def new(org):
    _open_or_404()
    if request.method == "GET":
        return _form_page(ProposalForm(formdata=None))
    form = ProposalForm(request.form)
    if not form.validate():
        return _form_page(form, 422)
    if not form.is_bot:
        if proposing.too_many(g.association, form.email.data):
            form.email.errors.append(proposing.TOO_MANY)
            return _form_page(form, 422)
        data = dict(form.data, title=" ".join(form.title.data.split()),
                    demand=" ".join(form.demand.data.split()),
                    target=" ".join(form.target.data.split()))
        proposal = proposing.create(g.association, data, _language())
        send_link("author", proposal.id)
    return redirect(url_for(".sent", org=org), code=303)


@bp.errorhandler(429)
def too_many(exc):
    """Rate limited: the form again, with what was typed and the reason."""
    if request.endpoint == "proposals.support":
        form = SupportForm(request.form)
        form.validate()
        form.email.errors = [*form.email.errors, RATE_LIMITED]
        return _page(_proposal_or_404(request.view_args.get("code", "")), form, 429)
    form = ProposalForm(request.form)
    form.validate()
    form.email.errors = [*form.email.errors, RATE_LIMITED]
    return _form_page(form, 429)


@bp.route("/sent")
def sent(org):
    _open_or_404()
    return render("proposals/sent.html", association=g.association)


def _proposal_or_404(code):
    proposal = Proposal.find(g.association, code)
    if proposal is None or proposal.status == "unconfirmed":
        abort(404)
    return proposal


def _page(proposal, form=None, status=200):
    shown = publishing.text_public(proposal)
    return render("proposals/show.html", association=g.association, proposal=proposal,
                  form=form or SupportForm(formdata=None), shown=shown,
                  story=Markup(render_markdown(proposal.story)) if shown and proposal.story else "",
                  needed=proposing.supporters_needed(g.association),
                  reason_label=publishing.reason_label,
                  reason_text=publishing.reason_text), status


@bp.route("/<code>")
def show(org, code):
    return _page(_proposal_or_404(code))


@bp.route("/<code>/support", methods=["POST"])
@anonymous_form
@rate_limit("sign_rate_limit")
def support(org, code):
    proposal = _proposal_or_404(code)
    if proposal.status not in ("gathering", "waiting"):
        return _page(proposal, status=409)
    form = SupportForm(request.form)
    if not form.validate():
        return _page(proposal, form, 422)
    if not form.is_bot:
        row, outcome = proposing.support(proposal, form.name.data, form.email.data, _language())
        if outcome == "author":
            form.email.errors.append(proposing.OWN_PROPOSAL)
            return _page(proposal, form, 422)
        send_link("supporter", row.id, outcome)
    return redirect(url_for(".supported", org=org, code=code), code=303)


@bp.route("/<code>/check-your-mail")
def supported(org, code):
    return render("proposals/sent.html", association=g.association,
                  proposal=_proposal_or_404(code))


@bp.route("/link/<token>", methods=["GET", "POST"])
@anonymous_form  # the token is the proof; a post from another site is refused
def confirm(org, token):
    row = proposing.from_token(token)
    proposal = row if isinstance(row, Proposal) else getattr(row, "proposal", None)
    if row is None or proposal.association_id != g.association.id or proposing.is_expired(row):
        return render("link_invalid.html"), 404
    author = row is proposal
    if request.method == "POST":
        if author:
            proposing.confirm_author(row)
        elif proposing.confirm_support(row) == "submitted":
            tell_team(proposal.id)
        return redirect(url_for(".confirm", org=org, token=token), code=303)
    row = type(row).get_by_id(row.id)  # as it is now (confirmed a moment ago?)
    proposal = row if author else Proposal.get_by_id(row.proposal_id)
    page = render("proposals/link.html", association=g.association, proposal=proposal,
                  person=row, author=author, token=token,
                  needed=proposing.supporters_needed(g.association),
                  address=url_for("proposals.show", org=org, code=proposal.code, _external=True))
    # one person's page, which changes when its button is pressed (the POST comes back here):
    # a shared cache must neither keep it nor show the button again after it
    return page, 200, {"Cache-Control": "private, no-store"}


def association_context(association):
    """For the association's page: whether it takes proposals."""
    return {"proposals_open": proposing.settings(association) is not None}
