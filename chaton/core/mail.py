"""Outgoing mail: built from text templates, sent by the worker over SMTP or to the outbox.

With no `smtp_host`, each message is written as an .eml file under instance/outbox/ (readable
by the instance's owner only), so a demo works without a mail server. No link is ever logged:
confirmation and sign-in links are secrets, and logs outlive them.
"""

import logging
import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


class MailPolicy(EmailPolicy):
    """The standard policy, except for headers that hold web addresses: written as they are,
    never folded into RFC 2047 encoded words (which the standard policy does to any long
    token), because an encoded List-Unsubscribe breaks one-click unsubscribe (RFC 8058) in
    Gmail and Yahoo."""

    UNFOLDED = frozenset({"list-unsubscribe", "list-unsubscribe-post"})

    def _as_is(self, name, value):
        return name.lower() in self.UNFOLDED and str(value).isascii() and len(str(value)) < 900

    def fold(self, name, value):
        if self._as_is(name, value):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if self._as_is(name, value):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = MailPolicy()


def send_templated(to, template, subject, association, language, unsubscribe=None,
                   subject_vars=None, list_unsubscribe=True, html_template=None, **context):
    """Render a mail through the association's theme, in the recipient's language, and send it.

    Runs in the worker: a request context on the public base URL makes `url_for` write
    public addresses; the theme is the association's, named to `render`. `subject` is a lazy
    string (`lazy_gettext`), so that it is extracted for translation and translated here.
    `unsubscribe` is a function returning the unsubscribe address (called inside that
    context), shown in the mail and, with `list_unsubscribe`, in its headers. With
    `html_template`, the mail also has an HTML part (the same words, formatted), which mail
    clients show instead of the text.
    """
    mail = render_mail(template, subject, association, language, unsubscribe, subject_vars,
                       html_template, **context)
    headers = ({"List-Unsubscribe": f"<{mail.unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
               if mail.unsubscribe and list_unsubscribe else {})
    headers.update(association_headers(association))
    deliver(build(to, mail.subject, mail.text, sender_name=sender_name(association),
                  headers=headers, html=mail.html))


@dataclass
class RenderedMail:
    subject: str
    text: str
    html: str | None
    unsubscribe: str | None


@dataclass
class PendingNews:
    """A mail a publication will send, shown to its organiser first: as rendered for a sample
    recipient, and how many people it goes to."""

    count: int
    mail: RenderedMail


def render_mail(template, subject, association, language, unsubscribe=None, subject_vars=None,
                html_template=None, **context):
    """A mail's subject, text and HTML, as `send_templated` sends them (and as the organisers'
    preview shows them): links on base_url, in the recipient's language."""
    from flask import g
    from flask_babel import force_locale

    from chaton.core.themes import render

    ctx = current_app.test_request_context("/", base_url=current_app.config["CHATON"]["base_url"])
    ctx.push()  # inside a request (a preview), the app context and its `g` are the page's
    page = {key: g.pop(key) for key in ("association", "language_in_url") if key in g}
    g.association = association  # for theme_url() in the HTML part
    try:
        with force_locale(language or current_app.config["CHATON"]["language"]):
            url = unsubscribe() if unsubscribe else None
            body = render(template, association=association, unsubscribe=url, **context)
            html = (render(html_template, association=association, unsubscribe=url, **context)
                    if html_template else None)
            text = str(subject)  # a lazy string: translated here, in the recipient's language
            return RenderedMail(text % subject_vars if subject_vars else text, body, html, url)
    finally:
        g.pop("association", None)
        for key, value in page.items():  # the page's language stays in its links, not the mail's
            setattr(g, key, value)
        ctx.pop()


def sender_name(association):
    """The From name: the association's `sender_name`, else its name (None: the instance's)."""
    if association is None:
        return None
    return association.meta.get("sender_name") or association.name


def association_headers(association):
    """Replies go to the association's contact address. The From address stays the instance's
    `mail_from`, the only one its SPF and DKIM records vouch for."""
    reply_to = association.contact.get("email") if association is not None else None
    return {"Reply-To": formataddr((sender_name(association), reply_to))} if reply_to else {}


def one_line(value):
    """A header value on one line: a title or a name written on several lines (a YAML block
    in a file) would otherwise make the mail impossible to build, and a line break in a header
    is how headers are injected."""
    return " ".join(str(value).split())


def build(to, subject, body, sender_name=None, headers=None, html=None):
    """A plain-text message from the instance's sender address (with an HTML alternative)."""
    settings = current_app.config["CHATON"]
    name, address = parseaddr(settings["mail_from"])
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr((one_line(sender_name or name), address))
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Message-ID"] = make_msgid(domain=address.partition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    for key, value in (headers or {}).items():
        msg[key] = one_line(value)
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def deliver(msg):
    """Send over SMTP when configured, else write to the outbox. Raises to let huey retry."""
    settings = current_app.config["CHATON"]
    if settings["smtp_host"]:
        _send_smtp(msg, settings)
    else:
        _write_outbox(msg)


def _send_smtp(msg, settings):
    mode = settings["smtp_tls"]
    host, port, timeout = settings["smtp_host"], int(settings["smtp_port"]), settings["smtp_timeout"]
    if mode == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if mode == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings["smtp_user"]:
            client.login(settings["smtp_user"], settings["smtp_password"])
        client.send_message(msg)


def _write_outbox(msg):
    outbox = Path(current_app.instance_path) / "outbox"
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{msg['Message-ID'].strip('<>').split('@')[0]}.eml"
    tmp = outbox / (name + ".tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # links are secrets
    with os.fdopen(descriptor, "wb") as fh:
        fh.write(bytes(msg))
    tmp.rename(outbox / name)
    log.info("mail written to %s", outbox / name)  # never its links, nor its address


def normalize_domain(domain):
    """One spelling of a mail domain: lower case, no final dot, internationalized names in
    their ASCII form (bücher.example and xn--bcher-kva.example are one domain)."""
    domain = domain.strip().rstrip(".").lower()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain  # not a name IDNA accepts: kept as typed (it will not receive mail)
