"""`chaton account ...`: accounts of association teams and hoster admins, for the hoster.
Registered on the `chaton` command by chaton/cli.py."""

import click

from chaton.commandline import account_named, association_named, english, make_app


@click.group()
def account():
    """Accounts of association teams and hoster admins."""


def _sign_in_url(app, account, hours=24):
    from flask import url_for

    from chaton.accounts.service import create_login_link

    token = create_login_link(account, minutes=hours * 60)
    with english(app):
        return url_for("accounts.use_link", token=token, _external=True)


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
        association = association_named(slug) if slug else None
        found = service.find_account(email)
        if found is None:
            found = service.create_account(email, name=name, hoster=hoster)
            audit.record("account.create", association, target=found.email)
        elif hoster and not found.is_hoster:
            service.make_hoster(found)
        if association is not None:
            if not service.set_role(found, association, role):
                raise click.ClickException(f"{found.email} is the only administrator of "
                                           f"{association.slug}: its role stays admin")
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
        association = association_named(slug) if slug else None
        _invitation, token = service.invite(email, association, role, hoster=hoster)
        with english(app):
            link = url_for("accounts.invitation", token=token, _external=True)
    click.echo(f"invitation sent to {email}: {link}")


@account.command("link")
@click.argument("email")
@click.pass_context
def account_link(ctx, email):
    """Print a sign-in link for an account (for someone locked out), valid 24 hours."""

    app = make_app(ctx)
    with app.app_context():
        click.echo(_sign_in_url(app, account_named(email)))


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

    app = make_app(ctx)
    with app.app_context():
        found = account_named(email)
        service.disable_account(found)
        audit.record("account.disable", target=found.email)
    click.echo(f"{email} disabled")


