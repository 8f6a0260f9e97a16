"""Where a petition's confirmed signatures come from: counts by département and by région,
from the postal codes signatories gave (`ask_postal_code`), for the public page, its map, its
JSON and the organisers' statistics. Only counts: no signature is ever placed on a map.

A petition may declare its own territory (front matter `territory`: a commune, a département,
a région or France); its page then counts the signatures inside and outside it and, for a
commune or a département, by commune (the INSEE code the signatory's postal code gave, or the
one they chose when it serves several: forms.SignForm).
"""

from dataclasses import dataclass

from peewee import fn

from chaton import territory
from chaton.core import frontmatter as fm
from chaton.petitions.models import AreaCount, Signature


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
    "located": signatures placed, "total": confirmed online signatures, "territory": the
    counts inside and outside the petition's territory, or None}."""
    counts = area_counts(petition)
    return {"departements": by_departement(counts), "regions": by_region(counts),
            "located": sum(counts.values()), "total": petition.signature_count,
            "territory": inside_outside(petition)}


# -- the petition's own territory (front matter `territory`) ------------------------------

LEVELS = ("commune", "departement", "region")


def _code(kind, value):
    """A code as written: text, or a number YAML read from unquoted digits (93, 93066)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(5 if kind == "commune" else 2)
    if not isinstance(value, str):
        raise fm.FieldError(f"expected the {kind}'s code, such as {EXAMPLES[kind]}")
    return value.strip().upper() if kind == "departement" else value.strip()


EXAMPLES = {"commune": '"93066"', "departement": '"93"', "region": '"11"'}


def parse_territory(value):
    """`france`, or one of {commune: INSEE code}, {departement: code}, {region: code}, checked
    against the shipped data; read as {"kind", "code"} ("france" has no code)."""
    if isinstance(value, str) and value.strip().lower() == "france":
        return {"kind": "france", "code": ""}
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in LEVELS:
        raise fm.FieldError("expected france, or one of commune, departement, region with its "
                            'code (for example territory: {commune: "93066"})')
    kind, written = next(iter(value.items()))
    code = _code(kind, written)
    known = {"commune": territory.commune_names, "departement": territory.departements,
             "region": territory.regions}[kind]()
    if code not in known:
        raise fm.FieldError(f"{code!r} is not the code of a French {kind} (write the official "
                            f"code in quotes, for example {EXAMPLES[kind]})")
    return {"kind": kind, "code": code}


def check(doc):
    """A territory is placed from postal codes: the petition must ask for them."""
    if doc.meta.get("territory") and not doc.meta.get("ask_postal_code"):
        doc.problems.append(fm.Problem(doc.path, 1, "territory", "a territory needs "
                                       "ask_postal_code: true (the place comes from the postal code)"))


def territory_name(declared):
    """The name of a declared territory ("France" for the whole country)."""
    kind, code = declared["kind"], declared["code"]
    if kind == "commune":
        return territory.commune_names().get(code, code)
    if kind == "departement":
        return territory.departements().get(code, (code, ""))[0]
    return territory.regions().get(code, code) if kind == "region" else "France"


def _is_inside(declared, area, commune):
    """Whether a signature placed in (département `area`, `commune`) is inside the territory;
    None when its place is not known well enough to say."""
    kind, code = declared["kind"], declared["code"]
    if kind == "commune":
        return None if not commune else territory.city_of(commune) == code
    departement = territory.departement_of_commune(commune) if commune else area
    if not departement:
        return None
    if kind == "departement":
        return departement == code
    return territory.region_of(departement) == code if kind == "region" else True


def _groups(petition):
    """[(département, commune, confirmed signatures)]: one query, grouped in the database."""
    count = fn.COUNT(Signature.id)
    return list(Signature.select(Signature.area, Signature.commune, count)
                .where((Signature.petition == petition) & (Signature.status == "confirmed"))
                .group_by(Signature.area, Signature.commune)
                .order_by(Signature.area, Signature.commune).tuples())


def by_commune(groups):
    """Places by commune (département code as `region`), most signatures first."""
    totals = {}
    for _area, commune, count in groups:
        if commune:
            totals[commune] = totals.get(commune, 0) + count
    names = territory.commune_names()
    return sorted((Place(code, names.get(code, code), count,
                         territory.departement_of_commune(code))
                   for code, count in totals.items()), key=lambda p: (-p.count, p.name, p.code))


def inside_outside(petition):
    """None without a territory; else {"kind", "code", "name", "inside", "outside",
    "unplaced", "communes": [Place]}: every commune with signatures for a commune territory,
    the département's own for a département, none for a région or France."""
    declared = petition.meta.get("territory")
    if not declared:
        return None
    groups = _groups(petition)
    found = {True: 0, False: 0, None: 0}
    for area, commune, count in groups:
        found[_is_inside(declared, area, commune)] += count
    communes = []
    if declared["kind"] == "commune":  # the commune and its neighbours
        communes = by_commune(groups)
    elif declared["kind"] == "departement":  # its communes (the tables by département say the rest)
        communes = [p for p in by_commune(groups) if p.region == declared["code"]]
    return {**declared, "name": territory_name(declared), "inside": found[True],
            "outside": found[False], "unplaced": found[None], "communes": communes}
