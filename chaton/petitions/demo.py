"""Example signatures for the demo content, so that a new instance shows what a live petition
looks like (counters, chart, public names, milestones, where signatures come from). Only for
the shipped demo folders. The milestones these signatures cross are recorded as settled: a new
instance starts quiet."""

import random
import secrets
from datetime import UTC, datetime, time, timedelta

from chaton.core.db import utcnow, writing
from chaton.core.events import settled
from chaton.petitions import handover
from chaton.petitions.models import AreaCount, DailyCount, Petition, Signature
from chaton.petitions.signing import area_of, record_milestones

DEPARTEMENTS = ("59", "62", "75", "93", "69", "13")
# the local petition's signatories (its territory: Armentières, whose postal code 59280 also
# serves Bois-Grenier): (postal code, commune, weight); the rest come from DEPARTEMENTS
ARMENTIERES = (("59280", "59017", 110), ("59280", "59088", 5), ("59116", "59317", 8),
               ("59193", "59202", 5), ("59930", "59143", 4), ("59850", "59431", 4),
               ("59000", "59350", 4))
NOWHERE = ()  # a petition that asks no postal code: its signatures say nothing of where
# (org, petition): (example signatures, where their signatories live: None for everywhere)
DEMO = {("quartiers-solidaires", "ecole-sans-amiante"): (742, None),
        ("velo-pour-tous", "piste-cyclable-avenue-gambetta"): (128, ARMENTIERES),
        ("quartiers-solidaires", "bancs-place-des-tilleuls"): (318, NOWHERE)}
# petitions whose threshold the example signatures cross: the dossier the target was given
HANDED_OVER = {("quartiers-solidaires", "ecole-sans-amiante")}
FIRST = ["Amina", "Lucas", "Chloé", "Mamadou", "Léa", "Karim", "Inès", "Hugo", "Sofia", "Yanis",
         "Jeanne", "Omar", "Camille", "Thi Mai", "Nathan", "Fatou", "Élise", "Rachid", "Zoé", "Paul"]
LAST = ["B.", "D.", "K.", "M.", "N.", "P.", "R.", "S.", "T.", "L."]
COMMENTS = ["Mes enfants vont dans cette école.", "Enfin une mobilisation !",
            "Signé pour tous les enfants du quartier.", "", "", "", "Bravo au collectif."]


def seed(rng=None):
    """Add example confirmed signatures to the demo petitions that have none; return counts."""
    rng = rng or random.Random(42)
    done = {}
    for (org, slug), (count, local) in DEMO.items():
        petition = (Petition.select().join_from(Petition, Petition.association.rel_model)
                    .where((Petition.slug == slug)
                           & (Petition.association.rel_model.slug == org)).first())
        if petition is None or Signature.select().where(Signature.petition == petition).exists():
            continue
        _seed_petition(petition, count, local, rng)
        if (org, slug) in HANDED_OVER:
            with settled():  # handed over in the demo's past: its dossier no. 1, news to nobody
                handover.make(Petition.get_by_id(petition.id))
        done[f"{org}/{slug}"] = count
    return done


def _places(local, rng):
    """A function drawing a signatory's (postal code, commune): real codes, a map worth seeing;
    a local petition's mostly from its places, the commune chosen as the form would."""
    from chaton import territory

    codes = {d: territory.postal_codes_in(d) for d in DEPARTEMENTS}
    weights = [w for _postal, _commune, w in local or ()]

    def anywhere():
        postal = rng.choice(codes[rng.choice(DEPARTEMENTS)])
        return postal, (rng.choice(territory.communes(postal))[0] if local else None)

    def draw():
        if not local or rng.random() < 0.1:  # a few come from afar
            return anywhere()
        postal, commune, _weight = rng.choices(local, weights)[0]
        return postal, commune
    return draw


def _seed_petition(petition, count, local, rng):
    place = (lambda: ("", None)) if local == NOWHERE else _places(local, rng)
    now = utcnow()
    if petition.closes_on and petition.closes_on < now.date():  # signed before it closed
        now = datetime.combine(petition.closes_on, time(18), tzinfo=UTC)
    rows, days, areas = [], {}, {}
    for i in range(count):
        confirmed = now - timedelta(days=60 * (1 - i / count) ** 2, minutes=rng.randint(0, 600))
        postal, commune = place()
        area = area_of(postal, commune=commune)
        rows.append({
            "petition": petition.id, "revision": petition.revision_number,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "email": f"demo{i}@example.invalid", "email_key": f"demo{i}@example.invalid",
            "postal_code": postal, "area": area, "commune": commune,
            "comment": rng.choice(COMMENTS),
            "show_name": rng.random() < 0.6, "keep_informed": False, "status": "confirmed",
            "nonce": secrets.token_hex(8), "created_at": confirmed, "confirmed_at": confirmed,
        })
        days[confirmed.date()] = days.get(confirmed.date(), 0) + 1
        if area:
            areas[area] = areas.get(area, 0) + 1
    with writing(), settled():  # the demo's past: its milestones mail nobody, not even the target
        for start in range(0, len(rows), 200):
            Signature.insert_many(rows[start:start + 200]).execute()
        DailyCount.insert_many([{"petition": petition.id, "day": d, "count": c}
                                for d, c in days.items()]).execute()
        if areas:
            AreaCount.insert_many([{"petition": petition.id, "area": a, "count": c}
                                   for a, c in areas.items()]).execute()
        Petition.update(signature_count=Petition.signature_count + count).where(
            Petition.id == petition.id).execute()
        record_milestones(Petition.get_by_id(petition.id))
