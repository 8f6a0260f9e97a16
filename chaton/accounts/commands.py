"""`chaton account ...`: accounts of association teams and hoster admins, for the hoster.
Registered on the `chaton` command by chaton/cli.py."""

import click


def make_app(ctx, **overrides):
    from chaton.cli import make_app as make

    return make(ctx, **overrides)


@click.group()
def account():
    """Accounts of association teams and hoster admins."""


def _sign_in_url(app, account, hours=24):
    from flask import url_for

    from chaton.accounts.service import create_login_link

    token = create_login_link(account, minutes=hours * 60)
    with app.test_request_context(base_url=app.config["CHATON"]["base_url"]):
        return url_for("accounts.use_link", token=token, _external=True)


def _association(slug):
    from chaton.orgs.models import Association

    association = Association.by_slug(slug)
    if association is None:
        raise click.ClickException(f"no association {slug!r} under content/")
    return association


ROLE_CHOICE = click.Choice(["admin", "editor", "moderator"])


@account.command("create")
@click.argument("email")
@click.option("--name", default="", help="The person's name.")
@click.option("--hoster", is_flag=True, help="A hoster admin (runs the instance).")
@click.option("--org", "slug", help="Association to give a role in.")
@click.option("--role", type=ROLE_CHOICE, default="admin", show_default=True)
@click.pass_context
def account_create(ctx, email, name, hoster, slug, role):
    """Create an account (or add a role to it) and print a sign-in link valid 24 hours."""
    from chaton.accounts import audit, service

    app = make_app(ctx)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        association = _association(slug) if slug else None
        found = service.find_account(email)
        if found is None:
            found = service.create_account(email, name=name, hoster=hoster)
            audit.record("account.create", association, target=found.email)
        elif hoster and not found.is_hoster:
            from chaton.accounts.models import Account
            from chaton.core.db import writing

            with writing():
                Account.update(is_hoster=True).where(Account.id == found.id).execute()
        if association is not None:
            service.set_role(found, association, role)
            audit.record("member.role", association, target=found.email, role=role)
        click.echo(f"sign-in link for {found.email} (24 hours, once): {_sign_in_url(app, found)}")


@account.command("invite")
@click.argument("email")
@click.option("--org", "slug", help="Association to invite to.")
@click.option("--role", type=ROLE_CHOICE, default="admin", show_default=True)
@click.option("--hoster", is_flag=True, help="Invite a hoster admin instead.")
@click.pass_context
def account_invite(ctx, email, slug, role, hoster):
    """Mail an invitation (and print its link, valid 7 days)."""
    from flask import url_for

    from chaton.accounts import service

    if bool(slug) == hoster:
        raise click.UsageError("give either --org SLUG or --hoster")
    app = make_app(ctx)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        association = _association(slug) if slug else None
        _invitation, token = service.invite(email, association, role, hoster=hoster)
        with app.test_request_context(base_url=app.config["CHATON"]["base_url"]):
            link = url_for("accounts.invitation", token=token, _external=True)
    click.echo(f"invitation sent to {email}: {link}")


@account.command("link")
@click.argument("email")
@click.pass_context
def account_link(ctx, email):
    """Print a sign-in link for an account (for someone locked out), valid 24 hours."""
    from chaton.accounts import service

    app = make_app(ctx)
    with app.app_context():
        found = service.find_account(email)
        if found is None:
            raise click.ClickException(f"no account {email!r}")
        click.echo(_sign_in_url(app, found))


@account.command("list")
@click.pass_context
def account_list(ctx):
    """Accounts with their roles."""
    from chaton.accounts.models import Account, Membership
    from chaton.orgs.models import Association

    app = make_app(ctx)
    with app.app_context():
        for found in Account.select().order_by(Account.email):
            roles = [f"{m.association.slug}:{m.role}" for m in Membership.select(
                Membership, Association).join(Association).where(Membership.account == found)]
            if found.is_hoster:
                roles.insert(0, "hoster")
            state = " (disabled)" if found.disabled_at else ""
            click.echo(f"{found.email}\t{found.name}\t{' '.join(roles)}{state}")


@account.command("disable")
@click.argument("email")
@click.pass_context
def account_disable(ctx, email):
    """Disable an account: its sessions end and it cannot sign in any more."""
    from chaton.accounts import audit, service
    from chaton.accounts.models import Account
    from chaton.accounts.sessions import new_stamp
    from chaton.core.db import utcnow, writing

    app = make_app(ctx)
    with app.app_context():
        found = service.find_account(email)
        if found is None:
            raise click.ClickException(f"no account {email!r}")
        with writing():
            Account.update(disabled_at=utcnow(), session_stamp=new_stamp()).where(
                Account.id == found.id).execute()
        audit.record("account.disable", target=found.email)
    click.echo(f"{email} disabled")


