"""What a hoster does to associations: create, suspend, enable, domains, quotas.

The hoster area and the `chaton org` commands both call these functions. Every action is
recorded in the association's own audit log (its admins see what the hoster did) under an
action named `hoster.*`, which the instance-wide log lists too.
"""

import os
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton.accounts import audit
from chaton.admin.files import markdown_file, write_atomic
from chaton.core.cache import invalidate_all
from chaton.core.db import database, utcnow, writing
from chaton.core.i18n import LANGUAGES
from chaton.hoster import domains
from chaton.hoster.models import AssociationDomain
from chaton.orgs.content import RESERVED_SLUGS
from chaton.orgs.models import Association

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

for _action, _text in {
    "hoster.create": _l("Association created by the hoster"),
    "hoster.disable": _l("Association suspended by the hoster"),
    "hoster.enable": _l("Association enabled again by the hoster"),
    "hoster.domain_add": _l("Domain added by the hoster"),
    "hoster.domain_remove": _l("Domain removed by the hoster"),
    "hoster.quota": _l("Quotas changed by the hoster"),
    "hoster.invite": _l("Administrator invited by the hoster"),
    "hoster.team_invite": _l("Hoster admin invited"),
    "federation.follow": _l("Instance followed"),
    "account.create": _l("Account created"),
    "account.disable": _l("Account disabled"),
}.items():
    audit.label(_action, _text)


class HostingError(ValueError):
    """Refused input: `errors` maps each form field to what is wrong with it (translated)."""

    def __init__(self, errors):
        super().__init__("; ".join(str(m) for m in errors.values()))
        self.errors = errors


def content_folder(slug):
    return Path(current_app.config["CHATON"]["content_dir"]) / slug


def slug_problem(slug):
    """Why a new association cannot use this address, or None."""
    if not SLUG_RE.fullmatch(slug or ""):
        return _("Use 1 to 64 lower-case letters, digits and dashes, starting with a letter or "
                 "a digit (for example amap-du-coin).")
    if slug in RESERVED_SLUGS:
        return _("“%(slug)s” is reserved for the site itself: choose another address.", slug=slug)
    if Association.get_or_none(Association.slug == slug) is not None:
        return _("An association already uses the address “%(slug)s” (or used it: its folder "
                 "was removed). Choose another address.", slug=slug)
    if content_folder(slug).exists():
        return _("The folder content/%(slug)s already exists.", slug=slug)
    return None


def parse_quota(text):
    """A quota typed in a form or a command: '' means no limit; else a whole number >= 1."""
    text = str(text if text is not None else "").strip()
    if text == "" or text.lower() == "none":
        return None
    if not text.isdigit() or int(text) < 1 or int(text) > 10**7:
        raise ValueError(_("Leave empty for no limit, or write a whole number of at least 1."))
    return int(text)


def default_quotas():
    """The quotas a new association starts with (the quota_* settings; 0 is no limit)."""
    settings = current_app.config["CHATON"]
    return (int(settings["quota_campaigns"]) or None, int(settings["quota_storage_mb"]) or None)


def _validate_new(slug, name, language, hosts, admin_email, quotas):
    errors = {}
    problem = slug_problem(slug)
    if problem:
        errors["slug"] = problem
    if not name or len(name) > 200:
        errors["name"] = _("Write the association's name (at most 200 characters).")
    if language not in LANGUAGES:
        errors["language"] = _("Choose the language of its pages.")
    clean_hosts = []
    for host in hosts:
        try:
            clean_hosts.append(_free_host(host))
        except domains.DomainError as exc:
            errors["domain"] = str(exc)
    if admin_email and (not EMAIL_RE.fullmatch(admin_email) or len(admin_email) > 254):
        errors["admin_email"] = _("Write a valid e-mail address.")
    clean_quotas = {}
    for field, value in quotas.items():
        try:
            clean_quotas[field] = parse_quota(value)
        except ValueError as exc:
            errors[field] = str(exc)
    return errors, clean_hosts, clean_quotas


def create_association(slug, name, language="fr", hosts=(), admin_email="", account=None,
                       max_campaigns="", max_storage_mb=""):
    """Write content/<slug>/association.md, index it, set domains and quotas, invite its admin.

    Returns (association, invitation token or None); raises HostingError on refused input.
    """
    slug, admin_email = slug.strip().lower(), (admin_email or "").strip()
    name = " ".join((name or "").split())  # one line
    hosts = [h for h in hosts if h and h.strip()]
    errors, hosts, quotas = _validate_new(slug, name, language, hosts, admin_email, {
        "max_campaigns": max_campaigns, "max_storage_mb": max_storage_mb})
    if errors:
        raise HostingError(errors)
    folder = content_folder(slug)
    try:
        os.mkdir(folder)  # fails if someone made it meanwhile
    except FileExistsError:
        raise HostingError({"slug": _("The folder content/%(slug)s already exists.", slug=slug)}
                           ) from None
    write_atomic(folder / "association.md",
                 markdown_file({"name": name, "language": language}, ""))
    current_app.extensions["chaton_content"].refresh()
    association = Association.get(Association.slug == slug)
    with writing():
        Association.update(**quotas).where(Association.id == association.id).execute()
        # a host another association got since the check is not this one's (the log says so)
        hosts = [host for host in hosts if _claim(association, host)]
    _changed()
    audit.record("hoster.create", association, target=slug, account=account, name=name,
                 domains=", ".join(hosts) or "-")
    token = invite_admin(association, admin_email, account) if admin_email else None
    return Association.get_by_id(association.id), token


def invite_admin(association, email, account=None):
    """Invite the first (or another) administrator of an association; returns the token."""
    from chaton.accounts import service

    _invitation, token = service.invite(email, association, "admin", invited_by=account)
    audit.record("hoster.invite", None, target=service.normalize_email(email), account=account,
                 org=association.slug)
    return token


def _changed():
    """Every process forgets its cached associations and domains within seconds."""
    invalidate_all()
    domains.forget()


def disable(association, account=None):
    """Suspend: public pages answer 410, the association area is closed; nothing is deleted."""
    with writing():
        changed = Association.update(disabled_at=utcnow()).where(
            (Association.id == association.id) & Association.disabled_at.is_null()).execute()
    if changed:
        _changed()
        audit.record("hoster.disable", association, target=association.slug, account=account)
    return bool(changed)


def enable(association, account=None):
    with writing():
        changed = Association.update(disabled_at=None).where(
            (Association.id == association.id) & Association.disabled_at.is_null(False)).execute()
    if changed:
        _changed()
        audit.record("hoster.enable", association, target=association.slug, account=account)
    return bool(changed)


def set_quotas(association, max_campaigns, max_storage_mb, account=None):
    """Change the quotas ('' or None: no limit); raises HostingError on refused input."""
    errors, quotas = {}, {}
    for field, value in (("max_campaigns", max_campaigns), ("max_storage_mb", max_storage_mb)):
        try:
            quotas[field] = parse_quota(value)
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise HostingError(errors)
    with writing():
        Association.update(**quotas).where(Association.id == association.id).execute()
    _changed()
    audit.record("hoster.quota", association, target=association.slug, account=account,
                 **{k: "-" if v is None else v for k, v in quotas.items()})


def _free_host(text):
    """The normalized host, refused when another association already has it."""
    host = domains.normalize_host(text)
    taken = (AssociationDomain.select(AssociationDomain, Association).join(Association)
             .where(AssociationDomain.host == host).first())
    if taken is not None:
        raise domains.DomainError(_("%(host)s already serves the association %(name)s.",
                                    host=host, name=taken.association.name))
    return host


def _claim(association, host):
    """Give the host to the association unless it serves one already; whether it did.

    The unique host decides, not the check made before (`_free_host`): of two hosters adding
    one host at once, to two associations, one gets it and the other is told who has it."""
    query = AssociationDomain.insert(association=association, host=host).on_conflict_ignore()
    return database.execute(query).rowcount == 1


def add_domain(association, text, account=None):
    """Serve the association at the root of this host name; returns the normalized host."""
    try:
        host = _free_host(text)
    except domains.DomainError as exc:
        raise HostingError({"domain": str(exc)}) from None
    with writing():
        claimed = _claim(association, host)
    if not claimed:  # taken since the check: checking again says by whom
        return add_domain(association, text, account)
    _changed()
    audit.record("hoster.domain_add", association, target=host, account=account)
    return host


def remove_domain(association, text, account=None):
    """Stop serving the association on this host name; False when it did not have it."""
    host = (text or "").strip().lower()
    with writing():
        removed = AssociationDomain.delete().where(
            (AssociationDomain.association == association)
            & (AssociationDomain.host == host)).execute()
    if removed:
        _changed()
        audit.record("hoster.domain_remove", association, target=host, account=account)
    return bool(removed)


def hosts_of(association):
    return [d.host for d in AssociationDomain.select().where(
        AssociationDomain.association == association).order_by(AssociationDomain.host)]
