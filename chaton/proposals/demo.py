"""Example proposals for the demo association that takes them, so that a new instance shows
the whole path: one gathering supporters, one waiting for the team, one published (the demo's
petition about benches, whose file names it), one rejected with its public reason. Nobody is
mailed: these rows are the demo's past."""

import secrets
from datetime import timedelta

from chaton.core.db import utcnow, writing
from chaton.orgs.models import Association
from chaton.proposals.models import Proposal, ProposalSupport

ORG = "quartiers-solidaires"
EXAMPLES = [
    # code, status, title, target, demand, author, supporters, days ago (sent), reason, note, slug
    ("eclairage7k", "gathering", "Un éclairage sur le chemin du collège",
     "Mairie de Villeneuve", "Installer des lampadaires sur le chemin piéton entre la rue des "
     "Tilleuls et le collège Jean-Moulin.", "Hugo R.", 3, 4, "", "", ""),
    ("toilettes4m", "waiting", "Des toilettes publiques au parc Léo-Lagrange",
     "Métropole de Villeneuve", "Ouvrir des toilettes publiques gratuites et accessibles au "
     "parc Léo-Lagrange.", "Nadia B.", 6, 12, "", "", ""),
    ("tilleuls25b", "published", "Des bancs et de l'ombre sur la place des Tilleuls",
     "Métropole de Villeneuve", "Installer au moins dix bancs et planter des arbres sur la "
     "place des Tilleuls.", "Josiane M.", 9, 120, "", "", "bancs-place-des-tilleuls"),
    ("trottinet3x", "rejected", "Interdire les trottinettes électriques en France",
     "Gouvernement", "Interdire la vente et l'usage des trottinettes électriques dans tout le "
     "pays.", "Marc T.", 5, 40, "remit",
     "Une loi nationale ne relève pas d'un collectif de quartier : écrivez à votre député·e.", ""),
]
STORY = "Le soir, le chemin est noir. Les parents s'inquiètent et les enfants font un détour."


def seed():
    """Add the example proposals once; returns how many."""
    association = Association.get_or_none(Association.slug == ORG)
    if association is None or Proposal.select().where(Proposal.association == association).exists():
        return 0
    now = utcnow()
    with writing():
        for (code, status, title, target, demand, author, supporters, days, reason, note,
             slug) in EXAMPLES:
            sent = now - timedelta(days=days)
            proposal = Proposal.create(
                association=association, code=code, title=title, target=target, demand=demand,
                story=STORY if status == "gathering" else "", author_name=author,
                email=f"{code}@example.invalid", email_key=f"{code}@example.invalid",
                language="fr", nonce=secrets.token_hex(8), status=status,
                supporter_count=supporters, reason=reason, note=note, petition_slug=slug,
                created_at=sent, confirmed_at=sent + timedelta(hours=1),
                submitted_at=sent + timedelta(days=2) if status != "gathering" else None,
                decided_at=sent + timedelta(days=5) if status in ("published", "rejected")
                else None)
            ProposalSupport.insert_many([{
                "proposal": proposal.id, "name": f"Soutien {n + 1}",
                "email": f"{code}-{n}@example.invalid", "email_key": f"{code}-{n}@example.invalid",
                "nonce": secrets.token_hex(8), "created_at": sent + timedelta(hours=n + 2),
                "confirmed_at": sent + timedelta(hours=n + 3)} for n in range(supporters)]).execute()
    return len(EXAMPLES)
