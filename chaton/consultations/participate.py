"""What participants do: sign in by magic link, vote, contribute, support, comment, report.

Every action is a POST with a CSRF token; what the phase does not allow is refused (409).
Links in mails open a page with a button, so that mail scanners cannot act for the person.
"""

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from chaton.consultations import contributions as service
from chaton.consultations import moderation, participants, voting
from chaton.consultations.forms import (
    CommentForm,
    ContributionForm,
    JoinForm,
    ProfileForm,
    ReportForm,
)
from chaton.consultations.loading import load_consultation, load_contribution, load_topic
from chaton.consultations.models import Comment
from chaton.consultations.tasks import notify_reply, send_login_link
from chaton.consultations.views import bp, contribution_page, show_page, topic_page
from chaton.core.errors import error_page
from chaton.core.security import anonymous_form, csrf, rate_limit, safe_next


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in(consultation):
    """The participant, or a redirect to the sign-in page that comes back here."""
    participant = participants.current(consultation)
    if participant is None:
        back = request.referrer if (request.referrer or "").startswith(request.host_url) else ""
        target = url_for(".join", org=consultation.association.slug, slug=consultation.slug,
                         next=back.removeprefix(request.host_url.rstrip("/")) or None)
        return None, redirect(target, code=303)
    return participant, None


def _refused(action):
    messages = {
        "vote": _("Votes are not open in the current phase of this consultation."),
        "contribute": _("Contributions are not open in the current phase of this consultation."),
        "comment": _("Comments are not open in the current phase of this consultation."),
        "support": _("Supports are not open in the current phase of this consultation."),
    }
    return error_page(409, messages[action])


def _allowed(consultation, action):
    from datetime import date

    return not consultation.archived and consultation.schedule().allows(action, date.today())


# -- signing in ----------------------------------------------------------------------------

@bp.route("/<slug>/join", methods=["GET", "POST"])
@anonymous_form
@rate_limit("join_rate_limit")
def join(org, slug):
    consultation = load_consultation(org, slug)
    form = JoinForm()
    if request.method == "POST" and form.validate():
        if not form.is_bot:
            participant = participants.join(
                consultation, form.email.data, form.display_name.data.strip(),
                str(get_locale()), form.notify_news.data, form.notify_replies.data)
            send_login_link(participant.id, safe_next(request.args.get("next")))
        return redirect(url_for(".check_mail", org=org, slug=slug), code=303)
    status = 422 if form.errors else 200
    return show_page("consultations/join.html", consultation, status=status, form=form)


@bp.route("/<slug>/check-your-mail")
def check_mail(org, slug):
    return show_page("consultations/check_mail.html", load_consultation(org, slug))


@bp.route("/<slug>/login/<token>", methods=["GET", "POST"])
@anonymous_form
def login(org, slug, token):
    consultation = load_consultation(org, slug)
    participant = participants.from_login_token(token)
    if participant is None or participant.consultation_id != consultation.id:
        body, _status = show_page("consultations/link_invalid.html", consultation)
        return _no_store(_response(body, 404))
    if request.method == "POST":
        fresh = participants.confirm_login(participant)
        flash(_("You are signed in as %(name)s.", name=fresh.display_name))
        target = safe_next(request.args.get("next")) or url_for(".show", org=org, slug=slug)
        response = redirect(target, code=303)
        participants.remember(response, fresh)
        return _no_store(response)
    body, status = show_page("consultations/login.html", consultation, token=token,
                             person=participant, next=safe_next(request.args.get("next")))
    return _no_store(_response(body, status))


def _response(body, status):
    from flask import make_response

    return make_response(body, status)


@bp.route("/<slug>/logout", methods=["POST"])
def logout(org, slug):
    consultation = load_consultation(org, slug)
    response = redirect(url_for(".show", org=org, slug=slug), code=303)
    participants.forget(response, consultation)
    return response


@bp.route("/<slug>/me", methods=["GET", "POST"])
def me(org, slug):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    form = ProfileForm(obj=participant)
    if request.method == "POST" and form.validate():
        participants.update_profile(participant, form.display_name.data.strip(),
                                    form.notify_news.data, form.notify_replies.data)
        flash(_("Your settings are saved."))
        return redirect(url_for(".me", org=org, slug=slug), code=303)
    body, status = show_page("consultations/me.html", consultation, participant=participant,
                             form=form, status=422 if form.errors else 200)
    return _no_store(_response(body, status))


@bp.route("/<slug>/me/erase", methods=["POST"])
def erase(org, slug):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    participants.erase(participant)
    flash(_("Your participation is erased: your votes and supports no longer count, and what "
            "you wrote is no longer signed with your name."))
    response = redirect(url_for(".show", org=org, slug=slug), code=303)
    participants.forget(response, consultation)
    return response


@bp.route("/<slug>/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click unsubscribe posts without a form; the token is the proof
def unsubscribe(org, slug, token):
    consultation = load_consultation(org, slug)
    participant = participants.from_unsubscribe_token(token)
    if participant is None or participant.consultation_id != consultation.id:
        return show_page("consultations/link_invalid.html", consultation, status=404)
    if request.method == "POST":
        participants.update_profile(participant, participant.display_name, False, False)
        return show_page("consultations/unsubscribed.html", consultation, done=True)
    return show_page("consultations/unsubscribed.html", consultation, token=token, done=False)


# -- taking part -----------------------------------------------------------------------------

@bp.route("/<slug>/topics/<topic>/vote", methods=["POST"])
def vote(org, slug, topic):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    found = load_topic(consultation, topic)
    if not _allowed(consultation, "vote"):
        return _refused("vote")
    try:
        outcome = voting.cast(participant, found, request.form.get("choice", ""))
    except voting.VoteRefused:  # the topic again, the message by its answers
        return topic_page(consultation, topic, status=422,
                          vote_error=_("Choose one of the answers before voting."))
    flash(_("Your vote is recorded.") if outcome == "new" else _("Your vote is changed.")
          if outcome == "changed" else _("This was already your vote."))
    return redirect(url_for(".topic", org=org, slug=slug, topic=topic) + "#vote", code=303)


@bp.route("/<slug>/topics/<topic>/contribute", methods=["POST"])
@rate_limit("contribution_rate_limit")
def contribute(org, slug, topic):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    found = load_topic(consultation, topic)
    if not _allowed(consultation, "contribute"):
        return _refused("contribute")
    form = ContributionForm()
    if not form.validate():
        return topic_page(consultation, topic, status=422, contribution_form=form)
    made = service.contribute(participant, found, form.title.data.strip(), form.body.data.strip(),
                              form.stance.data, consultation)
    flash(_("Your contribution is published.") if made.status == "published" else
          _("Thank you: your contribution will be published once a moderator has read it."))
    return redirect(url_for(".contribution", org=org, slug=slug, number=made.number), code=303)


@bp.route("/<slug>/contributions/<int(max=10000000):number>/support", methods=["POST"])
def support(org, slug, number):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    item = load_contribution(consultation, number)
    if not _allowed(consultation, "support"):
        return _refused("support")
    if item.status != "published":
        return error_page(409, _("This contribution cannot be supported."))
    service.toggle_support(participant, item, request.form.get("support") != "0")
    back = safe_next(request.form.get("back")) or url_for(".contribution", org=org, slug=slug,
                                                           number=number)
    return redirect(f"{back}#c{number}", code=303)


def _post_comment(consultation, topic, contribution, participant, form):
    parent = None
    parent_id = request.form.get("parent", type=int)
    if parent_id:
        parent = Comment.get_or_none((Comment.id == parent_id) & (Comment.topic == topic)
                                     & (Comment.contribution == contribution))
    made = service.comment(participant, topic, form.body.data.strip(), consultation,
                           contribution=contribution, parent=parent)
    if made.status == "published":
        notify_reply(made.id)
        flash(_("Your comment is published."))
    else:
        flash(_("Thank you: your comment will be published once a moderator has read it."))
    return redirect(url_for(".comment", org=consultation.association.slug, slug=consultation.slug,
                            comment_id=made.id), code=303)


@bp.route("/<slug>/topics/<topic>/comment", methods=["POST"])
@rate_limit("comment_rate_limit")
def comment_topic(org, slug, topic):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    found = load_topic(consultation, topic)
    if not _allowed(consultation, "comment"):
        return _refused("comment")
    form = CommentForm()
    if not form.validate():
        return topic_page(consultation, topic, status=422, comment_form=form)
    return _post_comment(consultation, found, None, participant, form)


@bp.route("/<slug>/contributions/<int(max=10000000):number>/comment", methods=["POST"])
@rate_limit("comment_rate_limit")
def comment_contribution(org, slug, number):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    item = load_contribution(consultation, number)
    if not _allowed(consultation, "comment"):
        return _refused("comment")
    form = CommentForm()
    if not form.validate():
        return contribution_page(consultation, number, status=422, comment_form=form)
    topic = load_topic(consultation, item.topic.slug)
    return _post_comment(consultation, topic, item, participant, form)


@bp.route("/<slug>/report/<any(contribution, comment):kind>/<int(max=2000000000):item_id>",
          methods=["GET", "POST"])
@rate_limit("comment_rate_limit")
def report(org, slug, kind, item_id):
    consultation = load_consultation(org, slug)
    participant, refusal = _signed_in(consultation)
    if refusal:
        return refusal
    item = moderation.target(consultation, kind, item_id)
    if item is None or item.status == "pending":
        return error_page(404)
    form = ReportForm()
    if request.method == "POST" and form.validate():
        moderation.report(participant, consultation, kind, item, form.reason.data,
                          (form.details.data or "").strip())
        flash(_("Thank you: the moderators will look at it."))
        return redirect(_item_url(consultation, kind, item), code=303)
    return show_page("consultations/report.html", consultation, participant=participant,
                     form=form, kind=kind, item=item, back=_item_url(consultation, kind, item),
                     status=422 if form.errors else 200)


def _item_url(consultation, kind, item):
    org, slug = consultation.association.slug, consultation.slug
    if kind == "contribution":
        return url_for(".contribution", org=org, slug=slug, number=item.number)
    return url_for(".comment", org=org, slug=slug, comment_id=item.id)
