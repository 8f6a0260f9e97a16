"""Themes: one template lookup chain, per association.

Lookup order: the association's own `content/<org>/templates/`, then its theme
`themes/<name>/templates/`, then `themes/default/templates/`. A template that overrides
another can extend the one it replaces with the `default:` prefix
(`{% extends "default:base.html" %}`), as Datasette does. Static files follow the same
chain under `/theme/<name>/...`.
"""

from pathlib import Path

from flask import abort, current_app, g, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from chaton.core import mailtext
from chaton.core.capability import template_folders
from chaton.core.source import source_url

DEFAULT = "default"


class Themes:
    def __init__(self, app):
        settings = app.config["CHATON"]
        self.root = Path(settings["themes_dir"])
        self.content_dir = Path(settings["content_dir"])
        self.instance_theme = settings["theme"]
        self.base_env = app.jinja_env
        self._envs = {}
        self._static_versions = {}

    def names(self):
        """Themes available on disk."""
        return sorted(p.name for p in self.root.iterdir() if (p / "templates").is_dir())

    def theme_for(self, association):
        """The theme an association asked for, if it exists, else the instance's."""
        wanted = association.theme if association is not None else ""
        for name in (wanted, self.instance_theme):
            if name and (self.root / name).is_dir():
                return name
        return DEFAULT

    def chain(self, association):
        """Template folders, most specific first."""
        folders = []
        if association is not None:
            own = self.content_dir / association.slug / "templates"
            if own.is_dir():
                folders.append(own)
        theme = self.theme_for(association)
        if theme != DEFAULT:
            folders.append(self.root / theme / "templates")
        folders.append(self.root / DEFAULT / "templates")
        return tuple(str(f) for f in folders)

    def env(self, association):
        """A Jinja environment for the chain (cached; overlays share filters and globals)."""
        chain = self.chain(association)
        env = self._envs.get(chain)
        if env is None:
            default = FileSystemLoader(str(self.root / DEFAULT / "templates"))
            loader = ChoiceLoader([FileSystemLoader(list(chain)),
                                   FileSystemLoader(template_folders()),
                                   PrefixLoader({"default": default}, delimiter=":")])
            env = self.base_env.overlay(loader=loader, auto_reload=True)  # edits show at once
            self._envs[chain] = env
        return env

    def static_path(self, theme, filename):
        """The file serving /theme/<theme>/<filename>, falling back to the default theme."""
        for name in (theme, DEFAULT):
            folder = self.root / name / "static"
            if (folder / filename).is_file():
                return folder
        return None

    def static_url(self, filename, association=None):
        """URL of a theme static file, with a version for long caching."""
        theme = self.theme_for(association)
        key = (theme, filename)
        version = self._static_versions.get(key)
        if version is None:
            folder = self.static_path(theme, filename)
            version = int((folder / filename).stat().st_mtime) if folder else 0
            self._static_versions[key] = version
        return f"/theme/{theme}/{filename}?v={version}"


def render(template_name, **context):
    """Render a template through an association's theme chain: the `association` given in the
    context (a mail rendered in the worker names its own), else the page's (`g.association`),
    else the instance's theme."""
    themes = current_app.extensions["chaton_themes"]
    association = context["association"] if "association" in context else g.get("association")
    env = themes.env(association)
    current_app.update_template_context(context)
    return env.get_or_select_template(template_name).render(context)


def serve_static(theme, filename):
    """Serve a theme's static file (or the default theme's) with long caching."""
    themes = current_app.extensions["chaton_themes"]
    folder = themes.static_path(theme, filename) if theme in themes.names() else None
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=31536000)


def init_app(app):
    themes = Themes(app)
    app.extensions["chaton_themes"] = themes
    app.add_url_rule("/theme/<theme>/<path:filename>", "theme_static", serve_static)
    app.jinja_env.globals["theme_url"] = lambda f: themes.static_url(f, g.get("association"))
    app.jinja_env.globals["source_url"] = source_url
    mailtext.install(app)
