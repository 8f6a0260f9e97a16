"""Form fields of the editor: each turns a front-matter value into form inputs and back.

A field edits one top-level key of the front matter. `to_form(raw)` gives the inputs' values
(strings, or booleans for checkboxes) from the value read in the file; `from_form(form)` gives
the value to write, or None to leave the key out. Values that do not parse (a goal written
"ten") are written as typed: the content checks then report them next to the field, exactly as
`chaton content check` would, and the form keeps what was typed.
"""

import datetime as dt
import re

SPACES_RE = re.compile(r"[\s\u00a0\u202f']")  # 10 000, 10 000, 10'000: thousands separators
PREFIX = "m."


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return ", ".join(_text(v) for v in (value.values() if isinstance(value, dict) else value))
    return str(value)


def _clean(raw, multiline=False):
    raw = (raw or "").replace("\r\n", "\n")
    if not multiline:
        raw = " ".join(raw.split("\n"))
    return raw.strip() or None


def _number(raw):
    raw = SPACES_RE.sub("", raw or "")
    if not raw:
        return None
    return int(raw) if re.fullmatch(r"-?\d{1,12}", raw) else raw


def _date(raw):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return raw


class Field:
    """A text input; subclasses change the widget and the conversions."""

    widget = "text"
    flow = False
    child_flow = False

    def __init__(self, key, label, hint=None, required=False, default=None, maxlength=None,
                 input_type="text", options=None, rows=3):
        self.key, self.label, self.hint = key, label, hint
        self.required, self.default, self.maxlength = required, default, maxlength
        self.input_type, self.options, self.rows = input_type, options or [], rows

    @property
    def name(self):
        return PREFIX + self.key

    @property
    def id(self):
        return "f-" + self.key.replace("_", "-")

    def to_form(self, raw):
        return {self.name: _text(raw if raw is not None else self.default)}

    def from_form(self, form):
        return _clean(form.get(self.name))

    def problems(self, values):
        """What the form itself cannot make a value of (a name that names several places);
        the file's checks say the rest."""
        return []

    def relabel(self, message):
        """A problem's message, with the label of the input it names (a group's part)."""
        return message


class TextArea(Field):
    widget = "textarea"

    def from_form(self, form):
        return _clean(form.get(self.name), multiline=True)


class Number(Field):
    widget = "number"

    def from_form(self, form):
        return _number(form.get(self.name))


class Date(Field):
    widget = "date"

    def from_form(self, form):
        return _date(form.get(self.name))


class Select(Field):
    widget = "select"

    def from_form(self, form):
        return _clean(form.get(self.name))


class Checkbox(Field):
    widget = "checkbox"

    def to_form(self, raw):
        return {self.name: (raw if raw is not None else self.default) is True}

    def from_form(self, form):
        value = form.get(self.name)
        return value is True or value in ("y", "on", "true")


class Lines(Field):
    """A list of texts, one per line."""

    widget = "textarea"

    def to_form(self, raw):
        items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        return {self.name: "\n".join(_text(i) for i in items)}

    def from_form(self, form):
        lines = [line.strip() for line in (form.get(self.name) or "").splitlines()]
        return [line for line in lines if line] or None


class Numbers(Field):
    """A list of whole numbers written on one line: 100, 500, 1000."""

    flow = True

    def to_form(self, raw):
        items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
        return {self.name: ", ".join(_text(i) for i in items)}

    def from_form(self, form):
        parts = re.split(r"[,;\n]+", form.get(self.name) or "")
        return [_number(p) for p in parts if _number(p) is not None] or None


class Part:
    """One input of a group or of a row: a text, a number, a date, or a choice (`options`)."""

    def __init__(self, key, label, kind="text", required=False, input_type="text", maxlength=None,
                 options=None):
        self.key, self.label, self.kind, self.required = key, label, kind, required
        self.input_type, self.maxlength, self.options = input_type, maxlength, options or []

    def value(self, raw):
        return {"number": _number, "date": _date}.get(self.kind, _clean)(raw)


class Group(Field):
    """A mapping with fixed keys (the petition's target)."""

    widget = "group"

    def __init__(self, key, label, parts, **kwargs):
        super().__init__(key, label, **kwargs)
        self.parts = parts

    def input_name(self, part):
        return f"{self.name}.{part.key}"

    def to_form(self, raw):
        if isinstance(raw, str):
            raw = {self.parts[0].key: raw}
        raw = raw if isinstance(raw, dict) else {}
        return {self.input_name(p): _text(raw.get(p.key)) for p in self.parts}

    def from_form(self, form):
        found = {p.key: p.value(form.get(self.input_name(p))) for p in self.parts}
        return {k: v for k, v in found.items() if v is not None} or None

    def relabel(self, message):
        for part in self.parts:
            if message.startswith(f"{part.key}: "):
                return f"{part.label}: {message[len(part.key) + 2:]}"
        return message


class Rows(Field):
    """A list of mappings, one row of inputs each; empty rows are left out.

    Two empty rows are always offered, so that a row can be added without JavaScript (save or
    preview, and two more appear)."""

    widget = "rows"
    EXTRA = 2
    MAX = 50

    def __init__(self, key, label, parts, **kwargs):
        super().__init__(key, label, **kwargs)
        self.parts = parts

    def input_name(self, index, part):
        return f"{self.name}-{index}-{part.key}"

    def to_form(self, raw):
        items = raw if isinstance(raw, list) else []
        values = {}
        for index, item in enumerate(items[:self.MAX]):
            if not isinstance(item, dict):
                item = {self.parts[0].key: item}
            for part in self.parts:
                values[self.input_name(index, part)] = _text(item.get(part.key))
        return values

    def count(self, values):
        """Rows to show: those filled in, plus the empty ones."""
        used = 0
        for index in range(self.MAX):
            if any(values.get(self.input_name(index, p)) for p in self.parts):
                used = index + 1
        return min(self.MAX, used + self.EXTRA)

    def from_form(self, form):
        items = []
        for index in range(self.MAX):
            row = {p.key: p.value(form.get(self.input_name(index, p))) for p in self.parts}
            row = {k: v for k, v in row.items() if v is not None}
            if row:
                items.append(row)
        return items or None


class Phases(Field):
    """A consultation's phases: one row per phase, with its start and end dates."""

    widget = "phases"
    child_flow = True  # written `vote: {start: 2026-01-01, end: 2026-02-01}`, as in the docs

    def __init__(self, key, label, phases, **kwargs):
        super().__init__(key, label, **kwargs)
        self.phases = phases  # [(name, label)]

    def input_name(self, phase, end):
        return f"{self.name}.{phase}.{end}"

    def to_form(self, raw):
        raw = raw if isinstance(raw, dict) else {}
        values = {}
        for phase, _label in self.phases:
            spec = raw.get(phase) if isinstance(raw.get(phase), dict) else {}
            for end in ("start", "end"):
                values[self.input_name(phase, end)] = _text(spec.get(end))
        return values

    def from_form(self, form):
        found = {}
        for phase, _label in self.phases:
            spec = {end: _date(form.get(self.input_name(phase, end))) for end in ("start", "end")}
            spec = {k: v for k, v in spec.items() if v is not None}
            if spec:
                found[phase] = spec
        return found or None


def initial_values(fields, data):
    """Form values from a front matter (a mapping of raw YAML values)."""
    values = {}
    for field in fields:
        values.update(field.to_form(data.get(field.key)))
    return values


def submitted_values(fields, form):
    """Form values exactly as typed (to show the form again)."""
    values = {}
    for field in fields:
        if isinstance(field, Checkbox):
            values[field.name] = field.from_form(form)
        elif isinstance(field, Rows):
            for index in range(Rows.MAX):
                for part in field.parts:
                    name = field.input_name(index, part)
                    if name in form:
                        values[name] = form.get(name, "")[:20000]
        else:
            values.update({k: form.get(k, "")[:20000] for k in field.to_form(None)})
    return values
