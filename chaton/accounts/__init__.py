"""Accounts: sign-in, sessions, invitations, roles, audit log."""

from chaton.core.capability import Capability

capability = Capability(
    name="accounts",
    blueprints=("chaton.accounts.views:bp",),
    modules=("chaton.accounts.tasks",),  # invitations and sign-in links queued by commands
    commands=("chaton.accounts.commands:account",),
)
