"""Helpers for the tests: apps on temporary instances, forms, mails, content files."""

import email
import email.policy
import re
from pathlib import Path

import yaml
from databases import new_database_url, sqlite_database_for

from chaton import create_app
from chaton.core import migrations

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONTENT = ROOT / "content"
PETITION_URL = "/quartiers-solidaires/petitions/ecole-sans-amiante"


def make_app(tmp_path, content_dir, **overrides):
    """An app on a fresh instance folder, migrated and indexed (on a fresh database of its own
    with PostgreSQL, named in the instance's config.toml for the CLI too)."""
    settings = {
        "secret_key": "test-secret",
        "content_dir": str(content_dir),
        "immediate_tasks": True,
        "sign_rate_limit": "",
        "base_url": "http://localhost",
        "content_scan_interval": 0.0,
        "language": "en",
        "page_cache_entries": 0,  # tests read pages right after changing them (cache: own tests)
    }
    settings.update(overrides)
    instance = tmp_path / "instance"
    if not settings.get("database_url"):
        sqlite_database_for(instance)  # SQLite: a copy of a template migrated once
    if not settings.get("database_url") and (url := new_database_url()):
        settings["database_url"] = url
        instance.mkdir(parents=True, exist_ok=True)
        config = instance / "config.toml"
        if not config.exists():
            config.write_text(f'database_url = "{url}"\n')
    app = create_app(instance, settings)
    app.config["TESTING"] = True
    with app.app_context():
        migrations.upgrade()
        app.extensions["chaton_content"].refresh()
    return app


class Outbox:
    """The .eml files written when no SMTP server is configured."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def messages(self):
        if not self.folder.exists():
            return []
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]

    def to(self, address):
        return [m for m in self.messages() if m["To"] == address]

    def last_to(self, address):
        found = self.to(address)
        assert found, f"no mail to {address}"
        return found[-1]


def body_of(message):
    return message.get_body(("plain",)).get_content()


def links_in(message):
    return re.findall(r"https?://\S+", body_of(message))


def csrf_token(client, url):
    """The CSRF token of the form on a page (the session cookie comes along); '' for the
    anonymous forms (signing, joining, mailed links), which need none."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else ""


def sign(client, url=PETITION_URL, **fields):
    """Submit the signing form like a browser does."""
    data = {"csrf_token": csrf_token(client, url), "name": "Ada Lovelace",
            "email": "ada@example.org", "postal_code": "75011", "comment": "", "website": ""}
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url + "/sign", data=data)


def write_md(path, meta, body="Text."):
    """Write a content file (front matter + body)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{header}---\n\n{body}\n", encoding="utf-8")
    return path


def petition_meta(**overrides):
    meta = {"title": "Test petition", "target": {"name": "The mayor"},
            "demand": "Do something.", "goal": 10, "milestones": [2, 5], "status": "open"}
    meta.update(overrides)
    return meta


PASSWORD = "correct horse battery staple"


def make_member(app, org, role="admin", email=None, hoster=False):
    """An account with a password and a role in the association (created if missing)."""
    from chaton.accounts import service
    from chaton.orgs.models import Association

    email = email or f"{role}@{org}.example"
    with app.app_context():
        account = service.find_account(email) or service.create_account(
            email, name=role.title(), password=PASSWORD, hoster=hoster)
        if org:
            service.set_role(account, Association.get(Association.slug == org), role)
    return email


def log_in(client, email, password=PASSWORD):
    """Sign in through the sign-in form; returns the response."""
    url = "/account/login"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "email": email,
                                  "password": password, "action": "password"})


def member_client(app, org, role="admin", email=None):
    """A fresh browser signed in as a member of the association with this role."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = log_in(client, make_member(app, org, role, email))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client
