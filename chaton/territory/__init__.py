"""France's territory, from official open data shipped with Chaton (data/SOURCES.md): which
postal codes exist, which communes each covers, and the département of each commune.

Loaded on first use (a server that never sees a postal code does not carry it): about 6,200
postal codes and 35,000 communes.
"""

import functools
import gzip
import re
import unicodedata
from pathlib import Path

DATA = Path(__file__).parent / "data"


def departement_of_commune(commune_code):
    """The département of a commune: 2A and 2B for Corsica, three digits overseas."""
    return commune_code[:3] if commune_code.startswith(("97", "98")) else commune_code[:2]


def _rows():
    with gzip.open(DATA / "postal_codes.tsv.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\n").split("\t")


@functools.cache
def _departements():
    """{postal code: its département}: that of most of its communes (a few postal codes serve
    communes of two départements), precomputed by build_data.py. Small and quick to load:
    what signing needs."""
    text = (DATA / "postal_departements.tsv").read_text(encoding="ascii")
    return dict(line.split("\t") for line in text.splitlines())


@functools.cache
def _communes_by_postal_code():
    """{postal code: ((commune code, commune name), ...)}, loaded when first asked for."""
    found = {}
    for code, commune, name in _rows():
        found.setdefault(code, []).append((commune, name))
    return {code: tuple(communes) for code, communes in found.items()}


def is_postal_code(code):
    """Whether a French postal code exists (00000 and 99999 do not)."""
    return code in _departements()


def postal_codes_in(departement_code):
    """The postal codes of a département, sorted (for example data: the demo's signatures)."""
    return sorted(code for code, found in _departements().items() if found == departement_code)


def communes(code):
    """((commune code, name), ...) that a postal code serves; () when it does not exist."""
    return _communes_by_postal_code().get(code, ())


# Paris, Lyon and Marseille: the postal data names their arrondissements (75101...); a
# petition's territory may name the city itself, which covers them
CITIES = {"75056": ("Paris", "751"), "69123": ("Lyon", "6938"), "13055": ("Marseille", "132")}


@functools.cache
def commune_names():
    """{commune code: name} of every commune (and arrondissement) a postal code serves, and
    of Paris, Lyon and Marseille."""
    names = {code: name for found in _communes_by_postal_code().values() for code, name in found}
    names.update((code, name) for code, (name, _prefix) in CITIES.items())
    return names


def folded(name):
    """A place name compared without case, accents, dashes or apostrophes ("st" for "saint"):
    "Saint-Denis", "saint denis" and "ST DENIS" are one name."""
    name = name.lower().replace("œ", "oe").replace("æ", "ae")
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", name).split()
    return " ".join({"st": "saint", "ste": "sainte"}.get(word, word) for word in words)


@functools.cache
def _communes_by_name():
    found = {}
    for code, name in commune_names().items():
        found.setdefault(folded(name), []).append(code)
    return found


def communes_named(name):
    """The codes of the communes (arrondissements, Paris, Lyon, Marseille) called `name`."""
    return sorted(_communes_by_name().get(folded(name), ()))


def city_of(commune_code):
    """The city of an arrondissement of Paris, Lyon or Marseille; any other commune itself."""
    for city, (_name, prefix) in CITIES.items():
        if commune_code.startswith(prefix):
            return city
    return commune_code


def departement(code):
    """The département of a postal code ('' when it does not exist)."""
    return _departements().get(code, "")


@functools.cache
def departements():
    """{code: (name, région code)} for the 101 départements and the overseas collectivities
    (975, 977, 978, 984, 986-989, whose "région" is their own code)."""
    rows = (DATA / "departements.tsv").read_text(encoding="utf-8").splitlines()
    return {code: (name, region) for code, region, name in (row.split("\t") for row in rows)}


@functools.cache
def regions():
    """{code: name} for the 18 régions and the overseas collectivities."""
    rows = (DATA / "regions.tsv").read_text(encoding="utf-8").splitlines()
    return dict(row.split("\t") for row in rows)


def region_of(departement_code):
    """The région of a département ('' for an unknown code)."""
    return departements().get(departement_code, ("", ""))[1]


@functools.cache
def outlines():
    """{code: SVG path data} of the 96 metropolitan départements, on a 613 x 585 drawing."""
    rows = (DATA / "departements_map.tsv").read_text(encoding="ascii").splitlines()
    return dict(row.split("\t") for row in rows)
