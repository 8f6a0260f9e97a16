"""Sending a signatory's message to a decision maker through the instance, when the
association allows it (petitions/interpellation_mail.py), with a real SMTP server."""

import re
from datetime import timedelta

import pytest
import yaml
from concurrency import side_by_side, slowly
from helpers import Outbox, csrf_token, make_app, petition_meta, sign, write_md
from servers import confirm_link, free_port

ORG = "quartiers-solidaires"
URL = f"/{ORG}/petitions/ecrire"
LIST = """name,role,departement,email,postal_address,page
Claire Martin,Députée,93,{claire},,
Jean Dupont,Sénateur,,,"Palais du Luxembourg, 75006 Paris",
"""


def claire_of(tmp_path):
    """Claire's address in this test (the SMTP server is the module's: each test its own)."""
    return f"claire.{tmp_path.name}@assemblee.example"


def allow(content_dir, **settings):
    """The association's file with these keys added (send_messages...)."""
    path = content_dir / ORG / "association.md"
    _, header, body = path.read_text(encoding="utf-8").split("---", 2)
    meta = dict(yaml.safe_load(header), **settings)
    path.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---" + body,
                    encoding="utf-8")


def setup(tmp_path, content_dir, smtp, association=None, **petition):
    allow(content_dir, **({"send_messages": True} if association is None else association))
    write_md(content_dir / ORG / "petitions/ecrire.md", petition_meta(
        title="Écrire", ask_postal_code=True, write_to_representatives=True,
        target={"name": "Mairie", "contact": "mairie@example.org"},
        letter="Madame, Monsieur, nous demandons une école sans amiante.", **petition))
    (content_dir / ORG / "representatives.csv").write_text(LIST.format(claire=claire_of(tmp_path)),
                                                               encoding="utf-8")
    app = make_app(tmp_path, content_dir, smtp_host="127.0.0.1" if smtp else "",
                   smtp_port=smtp.port if smtp else 25, mail_from="Chaton <noreply@chaton.example>",
                   message_rate_limit="")
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def signed(client, smtp, email, name="Ada Lovelace"):
    """A confirmed signatory's token (the link of the mail the SMTP server, or the outbox, got)."""
    assert sign(client, URL, email=email, name=name, postal_code="93200").status_code == 303
    mail = smtp.wait_for(email) if hasattr(smtp, "wait_for") else smtp.last_to(email)
    token = confirm_link(mail).rsplit("/s/", 1)[1]
    client.post(f"/s/{token}", data={"csrf_token": csrf_token(client, f"/s/{token}")})
    return token


def recipients(client, token):
    """The keys of the recipients on the writing page, in order (target first)."""
    return re.findall(r'id="to-([^"]+)"', client.get(f"/s/{token}/write").get_data(as_text=True))


def send(client, token, key, subject="Mon sujet", body="Mon message à moi"):
    return client.post(f"/s/{token}/write/{key}/send", data={"subject": subject, "body": body})


def texts_in_database(app, text):
    """The tables where `text` is found, in any column of any row."""
    from chaton.core.db import database

    with app.app_context():
        return [table for table in database.get_tables()
                if text in repr(database.execute_sql(f'SELECT * FROM "{table}"').fetchall())]


def test_a_message_goes_to_the_decision_maker_with_a_copy_and_is_not_kept(
        tmp_path, content_dir, smtp, caplog):
    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "ada.send@example.org")
    page = client.get(f"/s/{token}/write").get_data(as_text=True)
    assert page.count("Send through Chaton") == 2  # the target and Claire (Jean: by post)
    assert "Open in my mail program" in page  # mailto stays
    claire = recipients(client, token)[1]

    marker = "Texte unique 8c1f: fermez l'école"
    sent = send(client, token, claire, subject="Amiante à l'école", body=marker)
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"#to-{claire}")
    mail = smtp.wait_for(claire_of(tmp_path))
    recipients_of = next(r for r, m in smtp.messages if m is mail)
    assert sorted(recipients_of) == ["ada.send@example.org", claire_of(tmp_path)]  # the copy: in Cc
    assert mail["From"] == "Ada Lovelace via Chaton <noreply@chaton.example>"
    assert mail["Reply-To"] == "Ada Lovelace <ada.send@example.org>"
    assert mail["Cc"] == "Ada Lovelace <ada.send@example.org>"
    assert mail["To"] == f"Claire Martin <{claire_of(tmp_path)}>"
    assert mail["Subject"] == "Amiante à l'école"
    assert mail["Auto-Submitted"] is None  # a person wrote it
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith(marker)
    # in the petition's language (French), whatever the signatory's
    assert "Envoyé par Ada Lovelace depuis Chaton, le site de pétitions de Quartiers Solidaires" in text
    assert f"http://localhost{URL}" in text

    assert texts_in_database(client.application, "8c1f") == []  # delivered: forgotten
    assert "8c1f" not in caplog.text
    assert client.get(URL + ".json").get_json()["messages_sent"] == 1
    after = client.get(f"/s/{token}/write").get_data(as_text=True)
    assert "Your message to Claire Martin is on its way" in after
    assert "1 message written to them from this petition." in after
    assert after.count("Send through Chaton") == 1  # Claire: done, counted
    assert "1 message written to the decision makers by signatories." in client.get(URL).get_data(
        as_text=True)

    again = send(client, token, claire, body="Encore 5d2e")  # one message per signatory
    assert again.status_code == 409
    assert "You have already written to Claire Martin" in again.get_data(as_text=True)
    assert "Encore 5d2e" in again.get_data(as_text=True)  # what was typed stays
    assert client.post(f"/s/{token}/write/{claire}/sent").status_code == 303
    assert client.get(URL + ".json").get_json()["messages_sent"] == 1
    assert len(smtp.to(claire_of(tmp_path))) == 1


def test_said_sent_forbids_sending_and_bad_input_keeps_what_was_typed(tmp_path, content_dir, smtp):
    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "bea.send@example.org", name="Béa")
    target, claire, jean = recipients(client, token)
    client.post(f"/s/{token}/write/{target}/sent")
    assert send(client, token, target).status_code == 409
    empty = send(client, token, claire, subject="Gardé 3e4f", body="  ")
    assert empty.status_code == 422 and 'value="Gardé 3e4f"' in empty.get_data(as_text=True)
    assert "Write a subject and a message." in empty.get_data(as_text=True)
    long = send(client, token, claire, body="x" * 5001)
    assert long.status_code == 422 and "too long" in long.get_data(as_text=True)
    assert send(client, token, jean).status_code == 404  # by post only
    assert send(client, token, "unknown").status_code == 404
    foreign = client.post(f"/s/{token}/write/{claire}/send", data={"subject": "a", "body": "b"},
                          headers={"Sec-Fetch-Site": "cross-site"})
    assert foreign.status_code == 403
    assert smtp.to("bea.send@example.org") == [smtp.wait_for("bea.send@example.org")]  # signing


@pytest.mark.parametrize("association, petition, smtp_on", [
    ({}, {}, True),  # the association did not allow it (the default)
    ({"send_messages": True}, {"send_messages": False}, True),  # this petition refuses
    ({"send_messages": True}, {}, False),  # no SMTP server: the outbox would keep the text
])
def test_sending_is_offered_only_when_allowed(tmp_path, content_dir, smtp, association, petition,
                                              smtp_on):
    client = setup(tmp_path, content_dir, smtp if smtp_on else None, association, **petition)
    mails = smtp if smtp_on else Outbox(tmp_path / "instance" / "outbox")
    token = signed(client, mails, f"off{len(association)}{len(petition)}@example.org")
    page = client.get(f"/s/{token}/write").get_data(as_text=True)
    assert "Send through" not in page and "Open in my mail program" in page
    assert send(client, token, recipients(client, token)[0]).status_code == 404


def test_a_suspended_association_sends_nothing(tmp_path, content_dir, smtp):
    from chaton.core.db import utcnow
    from chaton.orgs.models import Association

    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "jo.send@example.org", name="Jo")
    assert "Send through" in client.get(f"/s/{token}/write").get_data(as_text=True)
    with client.application.app_context():
        Association.update(disabled_at=utcnow()).where(Association.slug == ORG).execute()
    assert "Send through" not in client.get(f"/s/{token}/write").get_data(as_text=True)
    assert send(client, token, recipients(client, token)[1]).status_code == 404


def test_the_daily_cap_keeps_the_message_and_offers_the_mail_program(tmp_path, content_dir, smtp):
    client = setup(tmp_path, content_dir, smtp, {"send_messages": True,
                                                 "send_messages_daily_cap": 1})
    first, second = (signed(client, smtp, f"cap{i}@example.org") for i in (1, 2))
    claire = recipients(client, first)[1]
    assert send(client, first, claire).status_code == 303
    full = send(client, second, claire, body="Refusé 7a7a")
    html = full.get_data(as_text=True)
    assert full.status_code == 429
    assert "Claire Martin has received today as many messages" in html
    assert "Refusé 7a7a" in html and "Open in my mail program" in html
    assert len(smtp.to(claire_of(tmp_path))) == 1
    assert client.get(URL + ".json").get_json()["messages_sent"] == 1  # the refused: uncounted
    assert client.post(f"/s/{second}/write/{claire}/sent").status_code == 303  # may still say
    assert send(client, second, recipients(client, second)[0]).status_code == 303  # the target


def test_a_name_or_a_subject_cannot_add_headers(tmp_path, content_dir, smtp):
    from chaton.petitions.models import Signature

    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "eve.send@example.org", name="Eve")
    with client.application.app_context():
        Signature.update(name="Eve\r\nBcc: spy@example.org").where(
            Signature.email == "eve.send@example.org").execute()
    claire = recipients(client, token)[1]
    subject = "Bonjour\r\nBcc: spy2@example.org\nX-Injected: yes"
    assert send(client, token, claire, subject=subject).status_code == 303
    mail = smtp.wait_for(claire_of(tmp_path))
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert mail["Subject"] == "Bonjour Bcc: spy2@example.org X-Injected: yes"
    assert "\n" not in mail["From"] and "\n" not in mail["Reply-To"]
    assert smtp.to("spy@example.org") == [] and smtp.to("spy2@example.org") == []


def test_a_failing_smtp_server_is_tried_again_then_the_text_goes(tmp_path, content_dir, smtp):
    from chaton.core.db import utcnow
    from chaton.core.tasks import huey
    from chaton.petitions.interpellation_mail import FORGET_AFTER, forget_old

    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "fay.send@example.org", name="Fay")
    target, claire, _ = recipients(client, token)
    settings = client.application.config["CHATON"]
    settings["smtp_port"] = free_port()  # nobody listens there
    assert send(client, token, claire, body="En attente 9b9b").status_code == 303
    assert texts_in_database(client.application, "En attente 9b9b") == ["interpellation_outgoing"]
    retries = [t for t in huey.scheduled() if t.name == "deliver_message"]
    assert retries  # huey tries again later

    settings["smtp_port"] = smtp.port
    for task in retries:
        huey.storage.flush_schedule()
        huey.execute(task, timestamp=task.eta)  # the time has come
    assert "En attente 9b9b" in smtp.wait_for(claire_of(tmp_path)).get_body(("plain",)).get_content()
    assert texts_in_database(client.application, "En attente 9b9b") == []

    settings["smtp_port"] = free_port()  # failing for good: the sweep forgets it a day later
    assert send(client, token, target, body="Jamais 4c4c").status_code == 303
    huey.storage.flush_schedule()
    with client.application.app_context():
        assert forget_old() == 0  # not a day yet
        assert forget_old(utcnow() + FORGET_AFTER + timedelta(minutes=1)) == 1
    assert texts_in_database(client.application, "Jamais 4c4c") == []


def test_a_withdrawn_signature_takes_its_waiting_message_along(tmp_path, content_dir, smtp):
    from chaton.core.tasks import huey

    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "gus.send@example.org", name="Gus")
    client.application.config["CHATON"]["smtp_port"] = free_port()
    assert send(client, token, recipients(client, token)[1], body="Retiré 1d1d").status_code == 303
    huey.storage.flush_schedule()
    client.post(f"/s/{token}/withdraw",
                data={"csrf_token": csrf_token(client, f"/s/{token}/withdraw")})
    assert texts_in_database(client.application, "Retiré 1d1d") == []


def test_the_rate_limit_keeps_what_was_typed(tmp_path, content_dir, smtp):
    client = setup(tmp_path, content_dir, smtp)
    client.application.config["CHATON"]["message_rate_limit"] = "1 per minute"
    token = signed(client, smtp, "hal.send@example.org", name="Hal")
    target, claire, _ = recipients(client, token)
    assert send(client, token, target).status_code == 303
    limited = send(client, token, claire, body="Trop vite 2f2f")
    assert limited.status_code == 429
    assert "Too many messages from your connection" in limited.get_data(as_text=True)
    assert "Trop vite 2f2f" in limited.get_data(as_text=True)


def test_two_clicks_at_once_send_one_message(tmp_path, content_dir, smtp, monkeypatch):
    from chaton.petitions import interpellation_mail

    client = setup(tmp_path, content_dir, smtp)
    token = signed(client, smtp, "ivy.send@example.org", name="Ivy")
    claire = recipients(client, token)[1]
    slowly(monkeypatch, interpellation_mail, "_take_today")  # both inside their transactions
    app = client.application
    codes = side_by_side(app, *[lambda: send(app.test_client(), token, claire).status_code] * 2)
    assert sorted(codes) == [303, 409]
    assert len(smtp.to(claire_of(tmp_path))) == 1
    with app.app_context():
        from chaton.petitions.interpellation import total_sent
        from chaton.petitions.models import Petition

        assert total_sent(Petition.get(Petition.slug == "ecrire")) == 1


def test_the_daily_cap_holds_when_two_signatories_send_at_once(tmp_path, content_dir, smtp,
                                                                monkeypatch):
    from chaton.petitions import interpellation

    client = setup(tmp_path, content_dir, smtp, {"send_messages": True,
                                                 "send_messages_daily_cap": 1})
    tokens = [signed(client, smtp, f"race{i}@example.org") for i in (1, 2)]
    claire = recipients(client, tokens[0])[1]
    slowly(monkeypatch, interpellation, "count_sent")
    app = client.application
    codes = side_by_side(app, *[lambda t=t: send(app.test_client(), t, claire).status_code
                                for t in tokens])
    assert sorted(codes) == [303, 429]
    assert len(smtp.to(claire_of(tmp_path))) == 1
