"""Settings in layers: package defaults, instance/config.toml, CHATON_* environment, overrides.

Every setting is declared once in SETTINGS with its default and a one-line description;
docs/configuration.md documents each of them (a test checks it).
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS = [
    Setting("base_url", "http://127.0.0.1:8000",
            "Public address of the instance, used in links (`chaton serve`: the address served)."),
    Setting("instance_name", "Chaton", "Name shown in the header and in mails."),
    Setting("operator_name", "", "Who runs this instance (shown in the privacy notice)."),
    Setting("operator_contact", "", "How to reach the operator about personal data."),
    Setting("secret_key", "", "Secret for sessions and signed links; `chaton init` generates one."),
    Setting("database_url", "", "Database; empty means instance/chaton.db (SQLite)."),
    Setting("database_lock_timeout", 5,
            "PostgreSQL: seconds a write waits for a row or key another transaction holds."),
    Setting("database_idle_timeout", 5,
            "PostgreSQL: seconds before the database ends a transaction whose process stopped."),
    Setting("content_dir", "", "Folder of Markdown content; empty means ./content of the checkout."),
    Setting("themes_dir", "", "Folder of themes; empty means ./themes of the checkout."),
    Setting("theme", "default", "Theme used when an association does not choose one."),
    Setting("language", "fr", "Interface language when nothing else decides (fr or en)."),
    Setting("content_scan_interval", 2.0, "Seconds between checks of content files for edits."),
    Setting("mail_from", "Chaton <noreply@localhost>", "Sender of outgoing mail."),
    Setting("smtp_host", "", "SMTP server; empty writes mail as .eml files in instance/outbox/."),
    Setting("smtp_port", 25, "SMTP port."),
    Setting("smtp_user", "", "SMTP user name (empty: no authentication)."),
    Setting("smtp_password", "", "SMTP password."),
    Setting("smtp_tls", "none", "none, starttls or ssl."),
    Setting("smtp_timeout", 20, "Seconds before an SMTP attempt is given up (then retried)."),
    Setting("pending_expiry_hours", 72, "Hours a signature waits for its e-mail confirmation."),
    Setting("retention_days", 365, "Days after closing before signatories' data is anonymized."),
    Setting("sign_rate_limit", "10 per minute;60 per hour", "Signatures accepted per IP address."),
    Setting("propose_rate_limit", "3 per hour;10 per day",
            "Proposals of petitions accepted per IP address."),
    Setting("message_rate_limit", "5 per minute;20 per hour",
            "Messages to decision makers sent through the instance, per IP address."),
    Setting("trusted_proxies", 0, "Reverse proxies in front (0: trust no X-Forwarded-For)."),
    Setting("max_body_kb", 64, "Largest request body accepted, in KiB (else 413)."),
    Setting("upload_max_kb", 5120, "Largest picture or PDF an editor may upload, in KiB."),
    Setting("worker", True, "Run the background worker inside `chaton serve`."),
    Setting("worker_threads", 2, "Threads of the background worker (mail, campaign events)."),
    Setting("remote_worker_threads", 2,
            "Threads of the worker for federation (work that waits on other servers)."),
    Setting("page_cache_entries", 1024,
            "Public pages kept whole in memory for their few seconds (0: none)."),
    Setting("server_threads", 8, "Threads of the waitress web server."),
    Setting("immediate_tasks", False, "Run background tasks inline (tests only)."),
    Setting("session_cookie_secure", False, "Send cookies over HTTPS only (set with TLS)."),
    Setting("admin_session_hours", 12, "Hours an association admin stays signed in."),
    Setting("magic_link_hours", 24, "Hours a consultation sign-in link stays valid."),
    Setting("participant_session_days", 30, "Days a consultation participant stays signed in."),
    Setting("join_rate_limit", "5 per minute;30 per hour", "Sign-in links asked per IP address."),
    Setting("contribution_rate_limit", "5 per minute;30 per hour",
            "Consultation contributions accepted per IP address."),
    Setting("comment_rate_limit", "10 per minute;100 per hour",
            "Consultation comments and reports accepted per IP address."),
    Setting("deleted_grace_days", 30,
            "Days the folder of a deleted association is kept in instance/deleted/ (0: none)."),
    Setting("federation", True, "Speak ActivityPub (WebFinger, actors, inboxes, deliveries)."),
    Setting("source_url", "",
            "Where visitors get this instance's source code (AGPL); empty: /source.tar.gz."),
    Setting("federation_allow_private_addresses", False,
            "Let federation contact private and loopback addresses (tests, private networks)."),
    Setting("federation_require_signed_fetch", False,
            "Answer ActivityPub documents only to signed requests (Mastodon's secure mode)."),
    Setting("federation_inbox_rate_limit", "600 per minute",
            "Activities one IP address may post to the inboxes."),
    Setting("federation_timeout", 10, "Seconds before an outgoing federation request gives up."),
    Setting("federation_max_body_kb", 256, "Largest activity accepted by an inbox, in KiB."),
    Setting("federation_date_window", 3600, "Seconds a signed request's Date may be off by."),
    Setting("federation_report_interval", 30,
            "Seconds between the count reports a co-hosting partner sends the origin."),
    Setting("federation_max_tries", 12, "Delivery attempts before an activity is dropped."),
    Setting("quota_campaigns", 0,
            "Campaigns (petitions + consultations) a new association may hold (0: no limit)."),
    Setting("quota_storage_mb", 0,
            "Megabytes of files (texts, pictures, documents) a new association may store "
            "(0: no limit)."),
]

DEFAULTS = {s.name: s.default for s in SETTINGS}


def _coerce(name, raw):
    """Turn an environment string into the type of the setting's default."""
    default = DEFAULTS[name]
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def explicit_settings(instance_path):
    """The settings the instance gives itself: config.toml, then CHATON_* variables."""
    values = {}
    config_file = Path(instance_path) / "config.toml"
    if config_file.exists():
        with config_file.open("rb") as fh:
            data = tomllib.load(fh)
        unknown = sorted(set(data) - set(DEFAULTS))
        if unknown:
            raise SystemExit(f"{config_file}: unknown settings: {', '.join(unknown)}")
        values.update(data)
    for name in DEFAULTS:
        raw = os.environ.get("CHATON_" + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw)
    return values


def load_settings(instance_path, overrides=None):
    """Merge defaults, config.toml, CHATON_* variables and overrides into one dict."""
    values = dict(DEFAULTS)
    values.update(explicit_settings(instance_path))
    values.update(overrides or {})
    values["content_dir"] = str(Path(values["content_dir"] or PROJECT_ROOT / "content"))
    values["themes_dir"] = str(Path(values["themes_dir"] or PROJECT_ROOT / "themes"))
    values["base_url"] = values["base_url"].rstrip("/")
    return values


LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# a server listening on every address is reached from this machine on its loopback address
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def served_base_url(host, port):
    """The address `chaton serve --host --port` answers on, as a base_url (the loopback
    address for a server listening on every address)."""
    host = ANY_ADDRESS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def base_url_mismatch(base_url, host, port):
    """Why links built on base_url would miss a server on host:port, or "" when they reach it.
    Only a base_url naming this machine (or the host served) is judged: a public address
    reaches the server through a reverse proxy, on a port of its own."""
    url = urlsplit(base_url)
    served = {host} | (LOOPBACK if host in ANY_ADDRESS or host in LOOPBACK else set())
    if url.hostname not in served:
        return ""
    named = url.port or {"http": 80, "https": 443}.get(url.scheme)
    if named == port:
        return ""
    return (f"base_url {base_url} names port {named}, but this server listens on port {port}: "
            "links in mails and feeds will not reach it (set base_url, or remove it from "
            "config.toml to use the address served)")


def resolve_instance_path(path=None):
    """The instance folder: explicit path, CHATON_INSTANCE, or ./instance of the checkout."""
    chosen = path or os.environ.get("CHATON_INSTANCE") or PROJECT_ROOT / "instance"
    return Path(chosen).resolve()
