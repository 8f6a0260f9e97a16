"""A readable summary of the federation state, for `chaton federation status`."""

from peewee import fn

from chaton.core.db import utcnow
from chaton.federation.models import Delivery, Follower, Following, RemoteHost


def summary():
    lines = ["deliveries:"]
    counts = dict(Delivery.select(Delivery.status, fn.COUNT(Delivery.id))
                  .group_by(Delivery.status).tuples())
    for status in ("pending", "done", "dropped"):
        lines.append(f"  {status}: {counts.get(status, 0)}")
    for row in (Delivery.select().where(Delivery.status == "pending")
                .order_by(Delivery.next_try_at).limit(10)):
        lines.append(f"    #{row.id} to {row.inbox}: try {row.tries}, next at "
                     f"{row.next_try_at:%Y-%m-%d %H:%M:%S}, last: {row.last_error or '-'}")
    now = utcnow()
    hosts = [h for h in RemoteHost.select().where(RemoteHost.failures > 0)]
    lines.append("hosts with failures:" if hosts else "hosts with failures: none")
    for host in hosts:
        paused = " (paused)" if host.paused_until and host.paused_until > now else ""
        lines.append(f"  {host.host}: {host.failures} failures{paused}: {host.last_error}")
    followers = dict(Follower.select(Follower.association, fn.COUNT(Follower.id))
                     .group_by(Follower.association).tuples())
    lines.append("followers: " + (", ".join(f"{a} {n}" for a, n in followers.items()) or "none"))
    lines.append("following:")
    for row in Following.select():
        lines.append(f"  {row.handle or row.actor}: {row.state}")
    return "\n".join(lines)
