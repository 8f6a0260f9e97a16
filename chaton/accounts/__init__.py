"""Accounts: sign-in, sessions, invitations, roles, audit log."""

from chaton.core.capability import Capability

capability = Capability(
    name="accounts",
    blueprints=("chaton.accounts.views:bp",),
    # invitations and sign-in links queued by commands; the audit entry of a deletion
    modules=("chaton.accounts.tasks", "chaton.accounts.association_data"),
    commands=("chaton.accounts.commands:account",),
    archive=("chaton.accounts.association_data:ARCHIVE",),
    erased=("chaton.accounts.association_data:erased",),
)
