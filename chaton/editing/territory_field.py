"""The petition's territory in the editor: a kind (commune, département, région, France) and a
place chosen by name, so that nobody needs to know INSEE codes.

A département or a région is chosen in a list of names. A commune is typed: its name and
postal code (`Saint-Denis 93200`), its name alone, or its INSEE code (`93066`); when that names
several communes the form comes back with them to choose from. The value written is the one a
volunteer writes by hand (`territory: {commune: '93066'}`), and the file's own parser
(petitions/territory.py) checks it: codes, and `ask_postal_code`.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from chaton import territory
from chaton.editing.fields import Field, _clean

KINDS = [("", _l("None")), ("commune", _l("A commune")), ("departement", _l("A département")),
         ("region", _l("A région")), ("france", _l("France"))]
CODE_RE = re.compile(r"\b(\d{5}|2[AB]\d{3})\b", re.I)  # a postal code or a commune's INSEE code
DEPARTEMENT_RE = re.compile(r"\(?\b(\d{2,3}|2[AB])\b\)?", re.I)  # Saint-Denis (93)
MAX_CHOICES = 30


def _place_name(code):
    name, _region = territory.departements().get(territory.departement_of_commune(code), ("", ""))
    return f"{territory.commune_names()[code]} · {name}" if name else territory.commune_names()[code]


def _by_code(code):
    """The commune of an INSEE code, and those a postal code serves (with their city)."""
    found = {code} if code in territory.commune_names() else set()
    for commune, _name in territory.communes(code):
        found |= {commune, territory.city_of(commune)}
    return found


def communes_matching(typed):
    """The INSEE codes of the communes that what was typed may name, sorted."""
    codes = [c.upper() for c in CODE_RE.findall(typed)]
    rest = CODE_RE.sub(" ", typed)
    departements = [d.upper() for d in DEPARTEMENT_RE.findall(rest)
                    if d.upper() in territory.departements()]
    name = territory.folded(DEPARTEMENT_RE.sub(" ", rest) if departements else rest)
    if codes:
        found = set().union(*(_by_code(c) for c in codes))
        named = {c for c in found if territory.folded(territory.commune_names()[c]) == name}
        found = named or found  # a name that is not there: every commune of the code to choose
    else:
        found = set(territory.communes_named(name)) if name else set()
    if departements:
        found = {c for c in found if territory.departement_of_commune(c) in departements} or found
    return sorted(found)


def _sorted_names(pairs):
    return sorted(pairs, key=lambda pair: territory.folded(pair[1]))


class Territory(Field):
    """`territory`: france, or {commune|departement|region: code}."""

    widget = "territory"
    flow = True  # written `territory: {commune: '93066'}`, as in the docs

    def input_name(self, part):
        return f"{self.name}.{part}"

    def to_form(self, raw):
        values = {self.input_name(p): "" for p in ("kind", "commune", "departement", "region",
                                                   "choice")}
        if isinstance(raw, str) and raw.strip().lower() == "france":
            values[self.input_name("kind")] = "france"
        elif isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in dict(KINDS):
            kind, code = next(iter(raw.items()))
            code = str(code).strip() if code is not None else ""
            if kind == "commune":
                code = code.zfill(5) if code.isdigit() else code
                name = territory.commune_names().get(code)
                code = f"{name} ({code})" if name else code
            elif kind == "departement" and code.isdigit():
                code = code.zfill(2)
            values[self.input_name("kind")] = str(kind)
            values[self.input_name(str(kind))] = code
        elif raw is not None:  # not a territory: shown as typed, the file's check says why
            values[self.input_name("commune")] = str(raw)
        return values

    def choices(self, values):
        """[(INSEE code, name)] to choose from when the commune typed names several."""
        if values.get(self.input_name("kind")) != "commune":
            return []
        found = communes_matching(values.get(self.input_name("commune")) or "")
        return [(c, _place_name(c)) for c in found] if 1 < len(found) <= MAX_CHOICES else []

    def _commune(self, values):
        typed = _clean(values.get(self.input_name("commune"))) or ""
        found = communes_matching(typed)
        chosen = values.get(self.input_name("choice"))
        return typed, ([chosen] if chosen in found else found)

    def from_form(self, form):
        kind = form.get(self.input_name("kind")) or ""
        if kind == "france":
            return "france"
        if kind in ("departement", "region"):
            return {kind: _clean(form.get(self.input_name(kind))) or ""}
        if kind == "commune":
            typed, found = self._commune(form)
            return {"commune": found[0] if len(found) == 1 else typed}
        return None

    def problems(self, values):
        """What the form cannot turn into a code (the file's parser checks the codes)."""
        kind = values.get(self.input_name("kind")) or ""
        if kind not in dict(KINDS):
            return [_("Choose the kind of territory.")]
        if kind in ("departement", "region") and not values.get(self.input_name(kind)):
            return [_("Choose the département.") if kind == "departement" else
                    _("Choose the région.")]
        if kind != "commune":
            return []
        typed, found = self._commune(values)
        if not typed:
            return [_("Give the commune's name and postal code, or its INSEE code.")]
        if not found:
            return [_("No commune found for “%(typed)s”: give its name and postal code (such as "
                      "Saint-Denis 93200), or its INSEE code (such as 93066).", typed=typed)]
        if len(found) > MAX_CHOICES:
            return [_("“%(typed)s” names %(n)s communes: add the postal code.", typed=typed,
                      n=len(found))]
        if len(found) > 1:
            return [_("Several communes match “%(typed)s”: choose one below.", typed=typed)]
        return []

    @staticmethod
    def departement_options():
        return _sorted_names((code, f"{name} ({code})")
                             for code, (name, _region) in territory.departements().items())

    @staticmethod
    def region_options():
        return _sorted_names(territory.regions().items())

    def kinds(self):
        return KINDS
