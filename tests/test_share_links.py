"""Personal share links through HTTP: the thanks page's code, a visitor who arrives with
`?via=`, the credit counted at confirmation (once, never for oneself, never for a forged code),
the count on the thanks and withdraw pages, withdrawal and retention, the petition page's
caching with and without the code."""

import re
from html import unescape

import pytest
from helpers import PETITION_URL, csrf_token, links_in, make_app, sign
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from chaton.petitions.models import Petition, Signature

CODE = r"\?via=([A-Za-z0-9]{8})"
ENCOURAGING = "each person who signs through your links will be counted on this page"


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


def mailed_link(outbox, address):
    return path_of(next(link for link in links_in(outbox.last_to(address)) if "/s/" in link
                        and not link.endswith(("/withdraw", "/unsubscribe"))))


def confirm(client, outbox, address):
    """Confirm the signature of `address` by its mailed link; returns that link."""
    link = mailed_link(outbox, address)
    done = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert done.status_code == 303
    return link


def signatory(app, outbox, address, via=None):
    """A new visitor (their own browser) who signs, through a share link when `via` is given,
    and confirms; returns (browser, mailed link)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    url = PETITION_URL + (f"?via={via}" if via else "")
    html = client.get(url).get_data(as_text=True)
    fields = {"email": address, "name": address.split("@")[0]}
    hidden = re.search(r'<input type="hidden" name="via" value="([^"]*)">', html)
    if hidden:  # as a browser sends the form: the hidden field comes along
        fields["via"] = unescape(hidden.group(1))
    assert sign(client, **fields).status_code == 303
    return client, confirm(client, outbox, address)


def page(client, link, which="thanks"):
    return client.get(f"{link}/{which}").get_data(as_text=True)


def code_on(html):
    return re.search(r'id="share-url" class="copy" type="text" readonly value="[^"]+'
                     + CODE + '"', html).group(1)


def test_the_thanks_page_gives_a_personal_link_and_the_withdraw_page_again(app, outbox):
    client, link = signatory(app, outbox, "ada@example.org")
    thanks = page(client, link)
    code = code_on(thanks)
    # every share link carries it: e-mail, SMS, WhatsApp, Mastodon (quoted in their text)
    for name in ("mailto:", "sms:", "https://wa.me/", "https://share.joinmastodon.org/"):
        href = unescape(re.search(r'<a href="(' + re.escape(name) + '[^"]+)"', thanks).group(1))
        assert f"%3Fvia%3D{code}" in href, href
    assert ENCOURAGING in thanks and "Thanks to you" not in thanks  # nobody yet: no "0 people"
    withdraw = page(client, link, "withdraw")
    assert code_on(withdraw) == code and ENCOURAGING in withdraw
    assert code_on(page(client, link)) == code  # the same code every time
    assert Signature.get(Signature.email == "ada@example.org").share_code == code


def test_a_signature_through_a_personal_link_credits_its_sharer_once_confirmed(app, outbox):
    ada, ada_link = signatory(app, outbox, "ada@example.org")
    code = code_on(page(ada, ada_link))

    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    html = visitor.get(f"{PETITION_URL}?via={code}").get_data(as_text=True)
    assert f'<input type="hidden" name="via" value="{code}">' in html
    assert sign(visitor, email="grace@example.org", name="Grace", via=code).status_code == 303
    assert "Set-Cookie" not in app.test_client().get(f"{PETITION_URL}?via={code}").headers
    assert ENCOURAGING in page(ada, ada_link)  # pending: not counted yet

    grace_link = confirm(visitor, outbox, "grace@example.org")
    assert "Thanks to you, 1 person has signed." in page(ada, ada_link)
    assert "Thanks to you, 1 person has signed." in page(ada, ada_link, "withdraw")
    visitor.post(grace_link, data={"csrf_token": ""})  # the button pressed again: counted once
    signatory(app, outbox, "alan@example.org", via=code)
    assert "Thanks to you, 2 people have signed." in page(ada, ada_link)

    grace = page(visitor, grace_link)  # Grace has her own code, and brought nobody yet
    assert code_on(grace) != code and ENCOURAGING in grace

    # in French (a language named in the address beats the one Ada signed in)
    assert "Grâce à vous, 2 personnes ont signé." in page(ada, ada_link, "thanks?lang=fr")


def test_no_credit_for_oneself_nor_for_a_forged_code(app, outbox):
    ada, ada_link = signatory(app, outbox, "ada@example.org")
    code = code_on(page(ada, ada_link))
    # signing again through one's own link: already counted, nobody credited
    assert sign(ada, email="ada@example.org", via=code).status_code == 303
    assert ENCOURAGING in page(ada, ada_link)

    forged = "Zz" + code[2:] if not code.startswith("Zz") else "Yy" + code[2:]
    for n, value in enumerate((forged, "short", "x" * 300, "<script>", "abc/../d", "")):
        visitor = app.test_client()
        response = visitor.get(PETITION_URL, query_string={"via": value})
        assert response.status_code == 200  # ignored, never an error
        # the page checks the form of a code; signing checks that it is someone's
        assert ('name="via"' in response.get_data(as_text=True)) == (value == forged)
        address = f"visitor{n}@example.org"
        assert sign(visitor, email=address, via=value).status_code == 303
        confirm(visitor, outbox, address)
        assert Signature.get(Signature.email == address).via is None
    assert ENCOURAGING in page(ada, ada_link)


def test_withdrawals_uncount_and_take_the_code_along(app, outbox):
    ada, ada_link = signatory(app, outbox, "ada@example.org")
    code = code_on(page(ada, ada_link))
    grace, grace_link = signatory(app, outbox, "grace@example.org", via=code)
    signatory(app, outbox, "alan@example.org", via=code)
    assert "Thanks to you, 2 people have signed." in page(ada, ada_link)

    withdraw = grace_link + "/withdraw"
    grace.post(withdraw, data={"csrf_token": csrf_token(grace, withdraw)})
    assert "Thanks to you, 1 person has signed." in page(ada, ada_link)

    withdraw = ada_link + "/withdraw"
    ada.post(withdraw, data={"csrf_token": csrf_token(ada, withdraw)})
    # nothing names Ada's code any more: who she brought is forgotten with her
    assert not Signature.select().where((Signature.share_code == code)
                                        | (Signature.via == code)).exists()


def test_a_pending_signature_has_no_personal_link(app, outbox):
    client = app.test_client()
    client.set_cookie("lang", "en")
    sign(client, email="ada@example.org")
    link = mailed_link(outbox, "ada@example.org")
    html = page(client, link, "withdraw")
    assert "Withdraw and erase my data" in html and "share-url" not in html
    assert Signature.get(Signature.email == "ada@example.org").share_code is None


def test_a_signature_confirmed_before_codes_existed_gets_one_on_its_page(app, outbox):
    ada, ada_link = signatory(app, outbox, "ada@example.org")
    Signature.update(share_code=None).execute()  # as migration 16 leaves older signatures
    code = code_on(page(ada, ada_link))
    assert Signature.get(Signature.email == "ada@example.org").share_code == code
    assert code_on(page(ada, ada_link, "withdraw")) == code


def test_retention_erases_the_codes(app, outbox):
    from chaton.petitions import retention

    ada, ada_link = signatory(app, outbox, "ada@example.org")
    signatory(app, outbox, "grace@example.org", via=code_on(page(ada, ada_link)))
    with app.app_context():
        retention.anonymize(Petition.get(Petition.slug == "ecole-sans-amiante"))
    assert not Signature.select().where(Signature.share_code.is_null(False)
                                        | Signature.via.is_null(False)).exists()


@pytest.fixture
def cached(tmp_path, content_dir):
    return make_app(tmp_path, content_dir, page_cache_entries=64)


def test_the_petition_page_is_cached_per_address_with_a_code(cached, outbox):
    ada, ada_link = signatory(cached, outbox, "ada@example.org")
    code = code_on(page(ada, ada_link))
    visitor = cached.test_client()  # no cookie: what a shared cache sees
    plain = visitor.get(PETITION_URL)
    shared = visitor.get(f"{PETITION_URL}?via={code}")
    for response in (plain, shared):
        control = parse_cache_control_header(response.headers["Cache-Control"],
                                             cls=ResponseCacheControl)
        assert control.public and 0 < control.max_age <= 10, response.headers["Cache-Control"]
        assert "Set-Cookie" not in response.headers
    assert f'name="via" value="{code}"' in shared.get_data(as_text=True)
    # each address its own entry: the plain page never gets someone's code, and back
    again = visitor.get(PETITION_URL)
    assert again.headers.get("X-Chaton-Cache") == "hit"
    assert 'name="via"' not in again.get_data(as_text=True)
    assert f'name="via" value="{code}"' in visitor.get(
        f"{PETITION_URL}?via={code}").get_data(as_text=True)


def test_migration_16_adds_the_columns_and_indexes_to_an_older_database(app):
    from playhouse.migrate import SchemaMigrator, migrate

    from chaton.core import db, migrations

    with app.app_context():
        indexes = {i.name: i for i in db.database.get_indexes("signature")
                   if {"share_code", "via"} & set(i.columns)}
        assert len(indexes) == 2  # (petition, share_code) unique, (petition, via)
        migrator = SchemaMigrator.from_database(db.database)
        migrate(*[migrator.drop_index("signature", name) for name in indexes],
                migrator.drop_column("signature", "share_code"),
                migrator.drop_column("signature", "via"))
        migrations.SchemaMigration.delete().where(migrations.SchemaMigration.number == 16).execute()
        assert migrations.upgrade() == ["m0016_share_codes"]
        columns = {c.name for c in db.database.get_columns("signature")}
        assert {"share_code", "via"} <= columns
        again = {i.name: i.unique for i in db.database.get_indexes("signature")
                 if {"share_code", "via"} & set(i.columns)}
        assert again == {name: index.unique for name, index in indexes.items()}
        assert sorted(again.values()) == [False, True]
