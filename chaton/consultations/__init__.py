"""Consultations: phases, topics, participants, votes, contributions, comments, moderation,
synthesis, answer, open data."""


def blueprints():
    """The public and the organisers' blueprints, with every route and task registered."""
    from chaton.consultations import exports, participate, tasks  # noqa: F401  (routes, tasks)
    from chaton.consultations.admin import bp as admin_bp
    from chaton.consultations.views import bp

    return [bp, admin_bp]
