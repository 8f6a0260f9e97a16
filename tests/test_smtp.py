"""Signing through a real `chaton serve` process and a real SMTP server.

The confirmation mail is sent by the background worker of `chaton serve` (huey threads in
the server process), not during the request: the test waits for it on the SMTP server.
"""

import re

import pytest
import requests
from helpers import PETITION_URL
from servers import (  # noqa: F401  (the *_fixture names register fixtures)
    body_of,
    chaton_server_fixture,
    confirm_link,
    form_token,
    path_of,
    running_server,
    sign_over_http,
    smtp_server_fixture,
)

pytestmark = pytest.mark.slow


def test_sign_confirm_by_real_mail_counts_once(chaton_server, smtp_server):
    server = chaton_server
    before = server.count()

    response = sign_over_http(server, email="ada.smtp@example.org")
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["Location"].split("?")[0].endswith(PETITION_URL + "/check-your-mail")
    assert server.count() == before  # pending does not count

    mail = smtp_server.wait_for("ada.smtp@example.org")
    assert mail["To"] == "ada.smtp@example.org"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe"].startswith(f"<{server.base_url}/s/")
    body = body_of(mail)
    assert "Ada Lovelace" in body
    assert any(link.endswith("/withdraw") for link in re.findall(r"https?://\S+", body))
    link = confirm_link(mail)
    assert link.startswith(server.base_url + "/s/"), "links must use CHATON_BASE_URL"

    browser = requests.Session()  # the person opens the link later, in another session
    page = browser.get(link, timeout=10)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<form method="post" action="' + re.escape(path_of(link)) + '"', page.text)
    assert server.count() == before  # a GET (a mail scanner) confirms nothing

    token = form_token(browser, link)
    done = browser.post(link, data={"csrf_token": token}, allow_redirects=False, timeout=10)
    assert done.status_code == 303
    assert done.headers["Location"].endswith(path_of(link) + "/thanks")
    assert server.count() == before + 1

    again = browser.post(link, data={"csrf_token": token}, allow_redirects=False, timeout=10)
    assert again.status_code == 303
    assert server.count() == before + 1  # confirming twice counts once
    thanks = browser.get(link + "/thanks", timeout=10)
    assert thanks.status_code == 200
    server.assert_no_tracebacks()


def test_signing_again_while_pending_mails_a_new_link(chaton_server, smtp_server):
    server = chaton_server
    assert sign_over_http(server, email="twice@example.org").status_code == 303
    first = confirm_link(smtp_server.wait_for("twice@example.org"))
    assert sign_over_http(server, email="Twice@Example.org").status_code == 303
    second = confirm_link(smtp_server.wait_for("twice@example.org", count=2))
    assert first != second
    assert requests.get(first, timeout=10).status_code == 404  # replaced by the newer mail
    assert requests.get(second, timeout=10).status_code == 200
    server.assert_no_tracebacks()


def test_rate_limit_on_a_real_server_keeps_typed_values_and_sends_nothing(tmp_path, smtp_server):
    with running_server(tmp_path / "limited", smtp=smtp_server,
                        sign_rate_limit="3 per minute") as server:
        session = requests.Session()
        token = form_token(session, server.url(PETITION_URL))
        for i in range(3):
            response = sign_over_http(server, session, token=token, email=f"ok{i}@example.org")
            assert response.status_code == 303, response.text[:2000]
        limited = sign_over_http(server, session, token=token, email="fourth@example.org",
                                 comment="Mon commentaire gardé")
        assert limited.status_code == 429
        assert 'value="fourth@example.org"' in limited.text
        assert "Mon commentaire gardé" in limited.text
        assert 'id="form-errors"' in limited.text
        for i in range(3):
            smtp_server.wait_for(f"ok{i}@example.org")
        # the three accepted mails are out; the refused one was never queued before them
        assert smtp_server.to("fourth@example.org") == []
        server.assert_no_tracebacks()
