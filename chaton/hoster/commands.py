"""`chaton org ...`: the associations of the instance, for the hoster (create, suspend,
domains, quotas, delete). Registered on the `chaton` command by chaton/cli.py."""

import click

from chaton.commandline import association_named, english, make_app


@click.group()
def org():
    """Associations hosted on this instance."""


@org.command("list")
@click.pass_context
def org_list(ctx):
    """List associations: address, name, state, domains, campaigns and storage against quotas."""
    from chaton.hoster import quotas
    from chaton.hoster.service import hosts_of
    from chaton.orgs.models import Association

    app = make_app(ctx)
    with english(app):
        app.extensions["chaton_content"].refresh()
        for association in Association.select().order_by(Association.slug):
            state = ("folder gone" if not association.present
                     else "suspended" if association.disabled else "active")
            use = quotas.usage(association)
            limit = f"/{use.max_campaigns}" if use.max_campaigns else ""
            storage = quotas.human_size(use.storage_bytes) + (
                f"/{use.max_storage_mb} MB" if use.max_storage_mb else "")
            domains = ",".join(hosts_of(association)) or "-"
            click.echo(f"{association.slug}\t{association.name}\t{state}\t{domains}\t"
                       f"campaigns {use.campaigns}{limit}\tstorage {storage}")


def _refused(exc):
    """A HostingError as a command-line error (one line per problem)."""
    return click.ClickException("\n".join(f"{field}: {message}"
                                           for field, message in exc.errors.items()))


@org.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The association's name.")
@click.option("--domain", "domains", multiple=True, help="A host name serving it (repeatable).")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--admin", "admin_email", help="E-mail of its first administrator (invited).")
@click.option("--max-campaigns", default=None, help="Campaigns at most ('none': no limit).")
@click.option("--max-storage-mb", default=None, help="Megabytes of files at most ('none': no limit).")
@click.pass_context
def org_create(ctx, slug, name, domains, language, admin_email, max_campaigns, max_storage_mb):
    """Create an association: content/SLUG/association.md, domains, quotas, invitation."""
    from flask import url_for

    from chaton.hoster import service

    app = make_app(ctx)
    with english(app):
        app.extensions["chaton_content"].refresh()
        campaigns, storage = service.default_quotas()
        try:
            association, token = service.create_association(
                slug, name, language, domains, admin_email or "",
                max_campaigns=campaigns if max_campaigns is None else max_campaigns,
                max_storage_mb=storage if max_storage_mb is None else max_storage_mb)
        except service.HostingError as exc:
            raise _refused(exc) from None
        click.echo(f"created {association.slug}: {association.path}")
        if token:
            link = url_for("accounts.invitation", token=token, _external=True)
            click.echo(f"invitation sent to {admin_email}: {link}")


@org.command("disable")
@click.argument("slug")
@click.pass_context
def org_disable(ctx, slug):
    """Suspend an association: its pages answer 410, its area is closed; nothing is deleted."""
    from chaton.hoster import service

    app = make_app(ctx)
    with english(app):
        changed = service.disable(association_named(slug, present=False))
    click.echo(f"{slug} suspended" if changed else f"{slug} was already suspended")


@org.command("enable")
@click.argument("slug")
@click.pass_context
def org_enable(ctx, slug):
    """Enable a suspended association again."""
    from chaton.hoster import service

    app = make_app(ctx)
    with english(app):
        changed = service.enable(association_named(slug, present=False))
    click.echo(f"{slug} enabled" if changed else f"{slug} was not suspended")


@org.command("domain")
@click.argument("slug")
@click.argument("action", type=click.Choice(["add", "remove"]))
@click.argument("host")
@click.pass_context
def org_domain(ctx, slug, action, host):
    """Add or remove a host name that serves the association at its root."""
    from chaton.hoster import service

    app = make_app(ctx)
    with english(app):
        association = association_named(slug, present=False)
        if action == "add":
            try:
                host = service.add_domain(association, host)
            except service.HostingError as exc:
                raise _refused(exc) from None
            click.echo(f"{host} now serves {slug} (point its DNS to this server)")
        elif service.remove_domain(association, host):
            click.echo(f"{host} no longer serves {slug}")
        else:
            raise click.ClickException(f"{host} is not a domain of {slug}")


@org.command("quota")
@click.argument("slug")
@click.option("--max-campaigns", default=None, help="Campaigns at most ('none': no limit).")
@click.option("--max-storage-mb", default=None, help="Megabytes of files at most ('none': no limit).")
@click.pass_context
def org_quota(ctx, slug, max_campaigns, max_storage_mb):
    """Show or change an association's quotas."""
    from chaton.hoster import quotas, service

    app = make_app(ctx)
    with english(app):
        association = association_named(slug, present=False)
        if max_campaigns is not None or max_storage_mb is not None:
            try:
                service.set_quotas(
                    association,
                    association.max_campaigns if max_campaigns is None else max_campaigns,
                    association.max_storage_mb if max_storage_mb is None else max_storage_mb)
            except service.HostingError as exc:
                raise _refused(exc) from None
            association = association_named(slug, present=False)
        use = quotas.usage(association)
        click.echo(f"campaigns: {use.campaigns} of {use.max_campaigns or 'no limit'}")
        click.echo(f"storage: {quotas.human_size(use.storage_bytes)} of "
                   f"{str(use.max_storage_mb) + ' MB' if use.max_storage_mb else 'no limit'}")



@org.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask to type the slug again.")
@click.pass_context
def org_delete(ctx, slug, yes):
    """Delete an association: its data, its content folder (set aside), its followers told."""
    from chaton.orgs import deletion

    app = make_app(ctx)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        association = deletion.find(slug)
        if association is None:
            raise click.ClickException(f"no association {slug!r} in the database")
        counts = deletion.summary(association).counts()
        click.echo(f"{slug} ({association.name}): "
                   + ", ".join(f"{v} {k}" for k, v in counts.items()))
        if not yes and click.prompt("type the slug to delete it", default="") != slug:
            raise click.ClickException("nothing deleted")
        done = deletion.delete_association(association)
    click.echo(f"{slug} deleted: " + ", ".join(f"{t} {n}" for t, n in done.rows.items()))


