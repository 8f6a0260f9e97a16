"""The installed capabilities, in order: their blueprints are registered in this order (the
association's own pages last, their `/<org>/...` addresses after everything more specific).
Adding a capability is one package declaring `capability = Capability(...)` in its
`__init__.py`, and one line here (docs/architecture.md, "Adding a capability")."""

INSTALLED = [
    "chaton.accounts",
    "chaton.hoster",
    "chaton.admin",
    "chaton.editing",
    "chaton.feeds",
    "chaton.federation",
    "chaton.petitions",
    "chaton.consultations",
    "chaton.proposals",
    "chaton.orgs",
]
