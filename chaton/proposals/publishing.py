"""The association's decision on a proposal: publish it as a petition file, or reject it with
a coded public reason.

Publishing writes `petitions/<slug>.md` as a person would (the proposal's title, target,
demand and story; `status: open`; `proposed_by` and `proposal` naming its author and its page),
checked by the indexer's own checks before anything is written, within the hoster's quota; the
petition is then a campaign like any other, edited in the editor. The supporters are told and
asked to sign it: supporting a proposal is not signing its petition (the published text may be
edited, and signing has its own choices: postal code, name shown, news).

Of two moderators deciding at once, the conditional UPDATE that takes the proposal out of
`waiting` (or `gathering`, for a rejection) decides; the other is told it was decided.
"""

from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin.files import markdown_file, write_atomic
from chaton.core.db import utcnow, writing
from chaton.editing.views import target
from chaton.petitions.content import SLUG_RE
from chaton.proposals.models import Proposal

# code: (label, public explanation, whether its text stays public)
REASONS = {
    "duplicate": (_l("Duplicate"), _l("A petition of the association already asks this."), True),
    "unclear": (_l("Not a clear request"),
                _l("It does not say clearly what it asks, or of whom."), True),
    "remit": (_l("Outside our remit"),
              _l("It asks something the association does not take up."), True),
    "offensive": (_l("Offensive"), _l("It is offensive, abusive or discriminatory: its text "
                                      "is not published."), False),
    "personal": (_l("Personal data or accusations"),
                 _l("It names private people, gives personal information or makes accusations "
                    "that cannot be published: its text is not published."), False),
    "other": (_l("Other reason"), _l("See the association's note."), True),
}
NOTE_MAX = 500


def reason_label(code):
    return REASONS[code][0] if code in REASONS else code


def reason_text(code):
    return REASONS[code][1] if code in REASONS else ""


def text_public(proposal):
    """Whether the proposal's words may be shown (not for what is rejected as offensive)."""
    return proposal.status != "rejected" or REASONS.get(proposal.reason, (0, 0, True))[2]


def petition_text(proposal):
    """The petition file a proposal becomes."""
    meta = {"title": proposal.title, "target": {"name": proposal.target},
            "demand": proposal.demand, "status": "open",
            "proposed_by": proposal.author_name, "proposal": proposal.code}
    return markdown_file(meta, proposal.story or proposal.demand)


def publish(proposal, slug):
    """Write the petition file of a waiting proposal; returns an error message, or None."""
    from chaton.hoster.quotas import check_new_campaign

    if not SLUG_RE.fullmatch(slug or ""):
        return _("Choose a web address: lower-case letters, digits and dashes.")
    found = target("petition", slug, new=True)
    folder = found.org_folder / "petitions"
    if (folder / f"{slug}.md").exists() or (folder / slug).exists():
        return _("This address is already used: choose another one.")
    refusal = check_new_campaign(g.association)
    if refusal:
        return str(refusal)
    text = petition_text(proposal)
    problems = [p for p in found.check(text).problems if not p.warning]
    if problems:
        return _("This proposal cannot become a petition as it is: %(problems)s",
                 problems="; ".join(f"{p.field}: {p.message}" for p in problems))
    with writing():
        if not Proposal.update(status="published", petition_slug=slug, decided_at=utcnow()).where(
                (Proposal.id == proposal.id) & (Proposal.status == "waiting")).execute():
            return _("This proposal was decided meanwhile.")
    try:
        write_atomic(found.path, text)
    except OSError:
        with writing():  # nothing was published: it waits again
            Proposal.update(status="waiting", petition_slug="", decided_at=None).where(
                Proposal.id == proposal.id).execute()
        raise
    current_app.extensions["chaton_content"].refresh()
    audit.record("proposal.publish", g.association, target=found.shown_path,
                 proposal=proposal.code)
    _tell(proposal.id)
    return None


def reject(proposal, reason, note):
    """Reject a proposal that gathers or waits, with a public reason; returns an error or None."""
    if reason not in REASONS:
        return _("Choose the reason, it is shown publicly.")
    note = " ".join((note or "").split())[:NOTE_MAX]
    if reason == "other" and not note:
        return _("Say why in the note: “other reason” alone tells nothing.")
    with writing():
        if not Proposal.update(status="rejected", reason=reason, note=note,
                               decided_at=utcnow()).where(
                (Proposal.id == proposal.id)
                & Proposal.status.in_(["gathering", "waiting"])).execute():
            return _("This proposal was decided meanwhile.")
    audit.record("proposal.reject", g.association, target=proposal.code, reason=reason)
    _tell(proposal.id)
    return None


def _tell(proposal_id):
    from chaton.proposals.tasks import send_decision

    send_decision(proposal_id)


def _labels():
    for action, text in {"proposal.publish": _l("Proposal published as a petition"),
                         "proposal.reject": _l("Proposal rejected")}.items():
        audit.label(action, text)
    audit.label_detail("proposal", _l("proposal"))


_labels()
