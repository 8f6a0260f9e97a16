"""Outgoing mail: built from text templates, sent by the worker over SMTP or to the outbox.

With no `smtp_host`, each message is written as an .eml file under instance/outbox/ and its
links are logged, so a demo works without a mail server.
"""

import logging
import re
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def send_templated(to, template, subject, association, language, unsubscribe=None,
                   subject_vars=None, list_unsubscribe=True, **context):
    """Render a mail through the association's theme, in the recipient's language, and send it.

    Runs in the worker: a request context on the public base URL makes `url_for` and the
    theme chain work. `subject` is a lazy string (`lazy_gettext`), so that it is extracted
    for translation and translated here. `unsubscribe` is a function returning the unsubscribe address (called
    inside that context), shown in the mail and, with `list_unsubscribe`, in its headers.
    """
    from flask import g
    from flask_babel import force_locale

    from chaton.core.themes import render

    ctx = current_app.test_request_context("/", base_url=current_app.config["CHATON"]["base_url"])
    ctx.push()
    g.association = association
    try:
        with force_locale(language or current_app.config["CHATON"]["language"]):
            url = unsubscribe() if unsubscribe else None
            body = render(template, association=association, unsubscribe=url, **context)
            headers = ({"List-Unsubscribe": f"<{url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
                       if url and list_unsubscribe else {})
            headers.update(association_headers(association))
            text = str(subject)  # a lazy string: translated here, in the recipient's language
            msg = build(to, text % subject_vars if subject_vars else text, body,
                        sender_name=sender_name(association), headers=headers)
    finally:
        ctx.pop()
    deliver(msg)


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


def build(to, subject, body, sender_name=None, headers=None):
    """A plain-text message from the instance's sender address."""
    settings = current_app.config["CHATON"]
    name, address = parseaddr(settings["mail_from"])
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name or name, address))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=address.partition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
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
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"{stamp}-{msg['Message-ID'].strip('<>').split('@')[0]}.eml"
    tmp = outbox / (name + ".tmp")
    tmp.write_bytes(bytes(msg))
    tmp.rename(outbox / name)
    # the first link (a confirmation link, say) helps a demo without a mailbox; no address is
    # logged: logs outlive the retention of personal data
    link = re.search(r"https?://\S+", msg.get_body(("plain",)).get_content())
    log.info("mail written to %s%s", outbox / name, f"; link: {link.group(0)}" if link else "")
