"""The `chaton` command: a thin wrapper over importable functions."""

import logging
import secrets
import sys

import click

from chaton import owner_only
from chaton.commandline import make_app
from chaton.core.settings import resolve_instance_path

log = logging.getLogger("chaton")

CONFIG_TEMPLATE = """\
# Chaton instance settings. Every setting is documented in docs/configuration.md and can also
# be given as an environment variable CHATON_<NAME> (for example CHATON_BASE_URL).
secret_key = "{secret}"
# the public address, used in links (mails, feeds); unset, `chaton serve` uses the address
# it serves (http://127.0.0.1:8000 by default, or the --host and --port given)
# base_url = "https://petitions.example.org"
language = "fr"
"""


@click.group()
@click.option("--instance", "instance", envvar="CHATON_INSTANCE", type=click.Path(),
              help="Instance folder (default: ./instance).")
@click.pass_context
def main(ctx, instance):
    """Chaton: petitions and consultations for associations."""
    ctx.obj = {"instance": resolve_instance_path(instance)}


def _add_capability_commands():
    from chaton.core.capability import installed

    for capability in installed():
        for command in capability.load_commands():
            main.add_command(command)


_add_capability_commands()


@main.command()
@click.option("--database-url", default="",
              help="Record this database_url in config.toml (e.g. postgresql://...).")
@click.pass_context
def init(ctx, database_url):
    """Create (or complete) the instance folder: settings, database, content index."""
    from chaton.core import migrations

    if database_url and not database_url.startswith(("sqlite:///", "postgresql://",
                                                      "postgres://")):
        raise click.ClickException("--database-url: use sqlite:///path/to/file.db or "
                                   "postgresql://user:password@host/name")
    instance = ctx.obj["instance"]
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    (instance / "outbox").mkdir(mode=0o700, exist_ok=True)
    config = instance / "config.toml"
    if not config.exists():
        config.write_text(CONFIG_TEMPLATE.format(secret=secrets.token_urlsafe(48)))
        config.chmod(0o600)
        click.echo(f"created {config}")
    if database_url:
        _record_database_url(config, database_url)
    app = make_app(ctx)
    with app.app_context():
        for name in migrations.upgrade():
            click.echo(f"applied migration {name}")
        app.extensions["chaton_content"].refresh()
    owner_only(instance)  # the database files just made, too
    click.echo(f"instance ready in {instance}")


def _record_database_url(config, url):
    """Write database_url in config.toml, unless it names another database already."""
    import json
    import tomllib

    current = tomllib.loads(config.read_text()).get("database_url", "")
    if current == url:
        return
    if current:
        raise click.ClickException(f"{config} already names another database_url: edit it "
                                   "there rather than here")
    with config.open("a") as fh:
        fh.write(f"database_url = {json.dumps(url)}\n")
    click.echo(f"database_url recorded in {config}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=None, type=int, help="Web server threads.")
@click.option("--no-worker", is_flag=True, help="Do not run the background worker here.")
@click.pass_context
def serve(ctx, host, port, threads, no_worker):
    """Serve the instance with waitress (and its background worker)."""
    import waitress

    from chaton.core import migrations, tasks

    _limit_malloc_arenas()
    app = _serving_app(ctx, host, port)
    settings = app.config["CHATON"]
    with app.app_context():
        migrations.upgrade()
        app.extensions["chaton_content"].refresh()
    stop_consumers = None
    if settings["worker"] and not no_worker:
        stop_consumers = tasks.start_consumer(settings)
        _resend_lost_mail(app)
    click.echo(f"Chaton serving on http://{host}:{port}/ (instance {ctx.obj['instance']})")
    # waitress warns of its task queue depth on every busy request, and huey logs two lines per
    # task (a mail each): noise that costs CPU under load; their warnings and errors remain
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("huey").setLevel(logging.WARNING)
    try:
        waitress.serve(app, host=host, port=port, threads=threads or settings["server_threads"],
                       ident="chaton",
                       # with trusted_proxies set, Flask's ProxyFix reads X-Forwarded-*; else drop them
                       clear_untrusted_proxy_headers=not settings["trusted_proxies"],
                       max_request_body_size=_largest_body(settings))
    finally:
        if stop_consumers is not None:
            stop_consumers()


def _serving_app(ctx, host, port):
    """The app, its links on the address served unless base_url is set; a warning when a
    base_url naming this machine names another port (links in mails would miss the server)."""
    from chaton.core.settings import base_url_mismatch, explicit_settings, served_base_url

    if "base_url" in explicit_settings(ctx.obj["instance"]):
        app = make_app(ctx)
    else:
        app = make_app(ctx, base_url=served_base_url(host, port))
        click.echo(f"links in mails and feeds: {app.config['CHATON']['base_url']} (no base_url "
                   "setting: set it to the public address)")
    mismatch = base_url_mismatch(app.config["CHATON"]["base_url"], host, port)
    if mismatch:
        click.echo(f"warning: {mismatch}", err=True)
    return app


def _largest_body(settings):
    """waitress's cap on request bodies: the largest any route accepts (an editor's upload,
    an inbox's activity, a form), so that each route answers its own limit in its own words."""
    from chaton.editing.blueprint import editor_body_limit

    return max(editor_body_limit(settings), int(settings["federation_max_body_kb"]) * 1024,
               int(settings["max_body_kb"]) * 1024) + 64 * 1024


def _resend_lost_mail(app):
    """A worker starting after a crash sends the confirmation mails the previous one lost."""
    from chaton.petitions.tasks import resend_unsent_confirmations

    with app.app_context():
        resend_unsent_confirmations(min_age_seconds=0)


def _limit_malloc_arenas():
    """glibc gives each thread its own malloc arena; two keep the resident memory small."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


@main.command()
@click.option("--threads", default=None, type=int)
@click.pass_context
def worker(ctx, threads):
    """Run the background worker alone (when `serve --no-worker` runs elsewhere)."""
    from chaton.core import tasks

    app = make_app(ctx)
    _resend_lost_mail(app)
    tasks.run_consumers(app.config["CHATON"], threads)


@main.group()
def content():
    """Check or reload the Markdown content."""


@content.command("check")
@click.option("--path", "path", type=click.Path(), help="Content folder to check.")
@click.pass_context
def content_check(ctx, path):
    """Validate every content file; print `file:line: field: problem`; exit 1 on errors."""
    from chaton.core.settings import load_settings
    from chaton.orgs.tree import load_tree

    folder = path or load_settings(ctx.obj["instance"])["content_dir"]
    tree = load_tree(folder)
    for problem in tree.all_problems:
        click.echo(str(problem), err=not problem.warning)
    count = sum(len(a.petitions) for a in tree.associations)
    consultations = sum(len(a.consultations) for a in tree.associations)
    if tree.errors:
        click.echo(f"{len(tree.errors)} error(s) in {folder}", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(tree.associations)} association(s), {count} petition(s), "
               f"{consultations} consultation(s)")


@content.command("reload")
@click.pass_context
def content_reload(ctx):
    """Re-index the content now (a running server also notices edits by itself)."""
    app = make_app(ctx)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
    click.echo("content re-indexed")


@main.group()
def retention():
    """Personal data retention."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only list what would be anonymized.")
@click.pass_context
def retention_run(ctx, dry_run):
    """Anonymize signatories of petitions closed for longer than their retention period."""
    from chaton.petitions import retention as service

    app = make_app(ctx)
    with app.app_context():
        if dry_run:
            for petition in service.due_petitions():
                click.echo(f"would anonymize {petition.association.slug}/{petition.slug}")
            return
        done = service.run()
    for name, count in done.items():
        click.echo(f"{name}: {count} signature(s) anonymized")
    if not done:
        click.echo("nothing to anonymize")


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx):
    """Apply pending migrations."""
    from chaton.core import migrations

    app = make_app(ctx)
    with app.app_context():
        names = migrations.upgrade()
    click.echo("\n".join(f"applied {n}" for n in names) or "database is up to date")


@db.command("status")
@click.pass_context
def db_status(ctx):
    """List pending migrations; exit 1 when there are some. Only reads."""
    from chaton.core import migrations

    app = make_app(ctx, immediate_tasks=True)  # no queue bound: its tables are not made either
    with app.app_context():
        todo = [f"{number:04d} {fn.__name__}" for number, fn in migrations.pending(create=False)]
        todo += [f"{capability} {number:04d} {fn.__name__}" for capability, number, fn
                 in migrations.capabilities_pending(create=False)]
    for line in todo:
        click.echo(f"pending: {line}")
    if todo:
        sys.exit(1)
    click.echo("database is up to date")


@main.command()
@click.option("--output", type=click.Path(dir_okay=False),
              help="Archive to write (default: instance/backups/chaton-<UTC time>.tar.gz).")
@click.pass_context
def backup(ctx, output):
    """Back up databases, settings, uploads and content to one .tar.gz, while serving."""
    from chaton.core import backup as service
    from chaton.core.settings import load_settings

    instance = ctx.obj["instance"]
    try:
        done = service.create_backup(instance, load_settings(instance), output)
    except service.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(service.describe_backup(done))


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--instance-dir", type=click.Path(file_okay=False),
              help="Instance folder to restore into (default: the --instance folder).")
@click.option("--content-dir", type=click.Path(file_okay=False),
              help="Content folder to restore into (default: the restored settings' content_dir).")
@click.option("--force", is_flag=True, help="Replace non-empty folders (they are kept aside).")
@click.pass_context
def restore(ctx, archive, instance_dir, content_dir, force):
    """Check a backup (checksums, integrity) and put its instance and content in place."""
    from chaton.core import backup as service

    try:
        done = service.restore_backup(archive, instance_dir or ctx.obj["instance"], content_dir,
                                      force)
    except service.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(service.describe_restore(done))


@main.command()
@click.pass_context
def demo(ctx):
    """Add example signatures and participation to the shipped demo campaigns (once only)."""
    from chaton.consultations.demo import seed as seed_consultations
    from chaton.petitions.demo import seed
    from chaton.proposals.demo import seed as seed_proposals

    app = make_app(ctx)
    with app.app_context():
        app.extensions["chaton_content"].refresh()
        done = seed()
        participants = seed_consultations()
        proposals = seed_proposals()
        login = _demo_account(app, ctx.obj["instance"])
    for name, count in done.items():
        click.echo(f"{name}: {count} example signatures")
    for name, count in participants.items():
        click.echo(f"{name}: {count} example participants")
    if proposals:
        click.echo(f"quartiers-solidaires: {proposals} example proposals")
    if login:
        click.echo(f"demo sign-in written to {login}")


def _demo_account(app, instance):
    """A hoster account that administers every demo association; its password in a file."""
    from chaton.accounts import service
    from chaton.orgs.models import Association

    path = instance / "demo-login.txt"
    email = "demo@example.org"
    if service.find_account(email) is not None:
        return None
    password = secrets.token_urlsafe(12)
    found = service.create_account(email, name="Demo", password=password, hoster=True)
    for association in Association.visible():
        service.set_role(found, association, "admin")
    path.write_text(f"{app.config['CHATON']['base_url']}/account/login\n"
                    f"e-mail: {email}\npassword: {password}\n")
    path.chmod(0o600)
    return path


@main.group()
def federation():
    """ActivityPub: follow other instances, co-host petitions, see deliveries."""


@federation.command("follow")
@click.argument("handle")
@click.pass_context
def federation_follow(ctx, handle):
    """Follow a remote association (@name@host or its address) to mirror its campaigns."""
    from chaton.federation.fetch import FetchError
    from chaton.federation.mirrors import follow

    app = make_app(ctx)
    with app.app_context():
        try:
            row = follow(handle)
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"follow request sent to {row.actor} (state: {row.state})")


@federation.command("cohost")
@click.argument("url")
@click.option("--association", "association", required=True, help="Local association that co-hosts.")
@click.pass_context
def federation_cohost(ctx, url, association):
    """Co-host a remote petition (which names this instance as a partner)."""
    from chaton.federation.cohost import cohost
    from chaton.federation.fetch import FetchError

    app = make_app(ctx)
    with app.app_context():
        try:
            path = cohost(url, association)
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"co-hosting {url}: local petition {path}")


@federation.command("status")
@click.pass_context
def federation_status(ctx):
    """Deliveries by state, paused hosts, followers and follows."""
    from chaton.federation.status import summary

    app = make_app(ctx)
    with app.app_context():
        click.echo(summary())
