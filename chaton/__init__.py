"""Chaton: petitions and consultations for associations, in plain text, self-hosted."""

import logging
from datetime import timedelta

from flask import Flask

from chaton.core.settings import load_settings, resolve_instance_path

__version__ = "0.1.0"


def create_app(instance_path=None, overrides=None):
    """The app factory: settings in layers, database, themes, i18n, security, blueprints."""
    instance = resolve_instance_path(instance_path)
    settings = load_settings(instance, overrides)
    if not settings["secret_key"]:
        raise SystemExit(f"no secret_key in {instance}/config.toml: run `chaton init` first")
    owner_only(instance)
    app = Flask(__name__, instance_path=str(instance), static_folder=None)
    app.config.update(
        CHATON=settings,
        SECRET_KEY=settings["secret_key"],
        MAX_CONTENT_LENGTH=int(settings["max_body_kb"]) * 1024,
        MAX_FORM_MEMORY_SIZE=int(settings["max_body_kb"]) * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["session_cookie_secure"]),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(settings["admin_session_hours"])),
        # a cookie only when the session changes: sessions end a fixed time after signing in
        # (checked on the server), and a response re-sending the session it read (a preview,
        # a picture) could bring back a message another response had just shown
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    app.json.sort_keys = False  # keep the documented order of the JSON views
    _init_extensions(app, instance, settings)
    _register_blueprints(app)
    return app


def owner_only(instance):
    """The instance folder holds the database (signatories, password hashes, federation keys),
    the settings (the secret key) and mail with secret links: readable by its owner only,
    whatever the umask. Its files are made owner-only too, in case the folder is opened."""
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    instance.chmod(0o700)
    for path in instance.iterdir():
        if path.is_file() and not path.is_symlink() and path.name != "README.md":
            path.chmod(0o600)


def _init_extensions(app, instance, settings):
    from chaton.admin import nav
    from chaton.core import caching, db, errors, i18n, security, tasks, themes
    from chaton.hoster import domains
    from chaton.orgs.tree import ContentIndex

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    db.open_database(settings["database_url"], instance, settings)
    themes.init_app(app)
    i18n.init_app(app)
    domains.init_app(app)  # before security: its ProxyFix must see the request first
    security.init_app(app)
    caching.init_app(app)  # after security: its no-store for the areas has the last word
    if settings["page_cache_entries"]:  # outermost: answered before anything else runs
        from chaton.core.response_cache import ResponseCache

        app.wsgi_app = ResponseCache(app.wsgi_app, int(settings["page_cache_entries"]))
    tasks.configure(app)
    errors.init_app(app)
    nav.init_app(app)
    index = ContentIndex(settings["content_dir"], settings["content_scan_interval"], settings)
    app.extensions["chaton_content"] = index

    @app.before_request
    def refresh_content():
        index.maybe_refresh()


def _register_blueprints(app):
    """First the modules of every installed capability, which declare routes (on their own
    blueprints or on one they build on, as petitions' organiser pages on the association
    area's), tasks, event handlers and receivers; then the blueprints, in the order of
    chaton/capabilities.py."""
    from chaton.core.capability import installed

    capabilities = installed()
    for capability in capabilities:
        capability.load_modules()
    for capability in capabilities:
        for blueprint in capability.load_blueprints():
            app.register_blueprint(blueprint)
