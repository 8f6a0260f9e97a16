"""Where a petition's confirmed signatures come from: counts by département and by région,
from the postal codes signatories gave (`ask_postal_code`), for the public page, its map, its
JSON and the organisers' statistics. Only counts: no signature is ever placed on a map.
"""

from dataclasses import dataclass

from chaton import territory
from chaton.petitions.models import AreaCount


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    count: int
    region: str = ""  # a département's région name


def area_counts(petition, unplaced=False):
    """{département code: confirmed signatures}, départements with none left out, and the
    signatures without a place ('': no postal code asked, or abroad) only when `unplaced`."""
    query = AreaCount.select(AreaCount.area, AreaCount.count).where(
        (AreaCount.petition == petition) & (AreaCount.count > 0))
    if not unplaced:
        query = query.where(AreaCount.area != "")
    return {a.area: a.count for a in query}


def by_departement(counts):
    """Places by département, most signatures first (then by code)."""
    names, regions = territory.departements(), territory.regions()
    places = []
    for code, count in counts.items():
        name, region = names.get(code, (code, ""))
        places.append(Place(code, name, count, regions.get(region, "")))
    return sorted(places, key=lambda p: (-p.count, p.code))


def by_region(counts):
    """Places by région (and overseas collectivity), most signatures first."""
    totals = {}
    for code, count in counts.items():
        region = territory.region_of(code) or code
        totals[region] = totals.get(region, 0) + count
    names = territory.regions()
    return sorted((Place(code, names.get(code, code), count) for code, count in totals.items()),
                  key=lambda p: (-p.count, p.code))


def places(petition):
    """What the petition page shows (templates/_territory.html): {"departements", "regions",
    "located": signatures placed, "total": confirmed online signatures}."""
    counts = area_counts(petition)
    return {"departements": by_departement(counts), "regions": by_region(counts),
            "located": sum(counts.values()), "total": petition.signature_count}
