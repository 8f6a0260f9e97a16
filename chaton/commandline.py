"""What the `chaton` commands share: the app of the chosen instance, an English request
context on base_url for messages and links, and the lookups that fail with a clear message."""

from contextlib import contextmanager

import click


def make_app(ctx, **overrides):
    """The app of the instance given by `chaton --instance` (or the default one)."""
    from chaton import create_app

    return create_app(ctx.obj["instance"], overrides or None)


@contextmanager
def english(app):
    """An app and request context on base_url, in English: messages and links of commands."""
    from flask_babel import force_locale

    with app.test_request_context(base_url=app.config["CHATON"]["base_url"]), force_locale("en"):
        yield


def association_named(slug, present=True):
    """The association with this slug (only those whose folder exists, unless present=False)."""
    from chaton.orgs.models import Association

    query = Association.slug == slug
    if present:
        query &= Association.present == True  # noqa: E712
    found = Association.get_or_none(query)
    if found is None:
        raise click.ClickException(f"no association {slug!r} (see `chaton org list`)")
    return found


def account_named(email):
    from chaton.accounts import service

    found = service.find_account(email)
    if found is None:
        raise click.ClickException(f"no account {email!r} (see `chaton account list`)")
    return found
