"""Markdown files with a YAML front matter header, parsed with line numbers for clear errors.

A schema is a table of fields, one parser each (as Pelican does with its metadata
processors): adding a field is one line. Every problem is reported as
`file:line: field: problem`, and all the problems of a file are reported at once.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import yaml

from chaton.core.text import describe, first_control

FENCE = "---"


@dataclass
class Problem:
    path: str
    line: int
    field: str
    message: str
    warning: bool = False

    def __str__(self):
        where = f" {self.field}:" if self.field else ""
        kind = " warning:" if self.warning else ""
        return f"{self.path}:{self.line}:{kind}{where} {self.message}"


class FieldError(ValueError):
    """Raised by a field parser; the message says what was expected."""


@dataclass
class Document:
    path: str
    meta: dict
    body: str
    body_line: int
    source: str = ""
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not any(not p.warning for p in self.problems)


@dataclass(frozen=True)
class Field:
    name: str
    parse: object  # callable(value) -> value, raises FieldError
    required: bool = False
    default: object = None


def split(text):
    """Split a file into (front matter text, body, line where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise FieldError("the file must start with a '---' line opening the front matter")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    raise FieldError("the front matter is not closed by a '---' line")


MAX_NESTING = 20  # levels of lists and mappings: a front matter needs three or four


class _Loader(yaml.SafeLoader):
    """Safe YAML for hand-written headers: no anchors or aliases (a few lines of aliases expand
    to gigabytes, and every tool that writes the file back expands them), at most MAX_NESTING
    levels (deeper nesting exhausts the recursion of every reader), and a date that is not a
    real date (`2026-13-45`) left as text for its field's parser to report."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed: write each value out",
                event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_NESTING} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _timestamp_or_text(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _compose(header):
    """Parse YAML, returning (data, {key: line within header})."""
    loader = _Loader(header)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise FieldError("the front matter must be a list of 'key: value' lines")
    lines = {}
    for key_node, _value in node.value:
        lines[key_node.value] = key_node.start_mark.line + 1
    return data, lines


def parse(path, text, schema):
    """Parse one file against a schema (a list of Field); return a Document with problems."""
    doc = Document(path=str(path), meta={}, body="", body_line=1, source=text)
    control = first_control(text)
    if control is not None:  # they break feeds, mails and databases (core/text.py)
        index, character = control
        line = text[:index].count("\n") + 1
        hint = " (is it a binary file saved as .md?)" if character == "\x00" else ""
        doc.problems.append(Problem(doc.path, line, "", f"the file contains the control "
                                    f"character {describe(character)}: remove it{hint}"))
        return doc
    try:
        header, doc.body, doc.body_line = split(text)
        raw, lines = _compose(header)
    except FieldError as exc:
        doc.problems.append(Problem(doc.path, 1, "", str(exc)))
        return doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        doc.problems.append(Problem(doc.path, line, "", f"invalid YAML: {exc.problem}"))
        return doc
    except yaml.reader.ReaderError as exc:  # a control character the YAML reader refuses
        line = header[:exc.position].count("\n") + 2
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        doc.problems.append(Problem(doc.path, line, "", f"invalid YAML: the control character "
                                    f"U+{code:04X} is not allowed"))
        return doc
    known = {f.name for f in schema}
    for key in raw:
        if key not in known:
            doc.problems.append(Problem(doc.path, lines.get(key, 0) + 1, str(key),
                                        "unknown field (kept, but ignored)", warning=True))
    for spec in schema:
        line = lines.get(spec.name, 0) + 1
        if raw.get(spec.name) is None or (raw.get(spec.name) == "" and not spec.required):
            if spec.required:
                doc.problems.append(Problem(doc.path, 1, spec.name, "required field is missing"))
            doc.meta[spec.name] = spec.default
            continue
        try:
            doc.meta[spec.name] = spec.parse(raw[spec.name])
        except FieldError as exc:
            doc.problems.append(Problem(doc.path, line, spec.name, str(exc)))
    doc.meta["_extra"] = {k: v for k, v in raw.items() if k not in known}
    return doc


# -- field parsers -------------------------------------------------------------------------

def text(max_length=300, min_length=1):
    """A single line of text between min_length and max_length characters."""
    def parse_text(value):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise FieldError("expected a line of text")
        value = str(value).strip()
        control = first_control(value)
        if control:  # written as a YAML escape ("\a"): the file holds none, the value does
            raise FieldError(f"contains the control character {describe(control[1])}")
        if len(value) < min_length:
            raise FieldError("must not be empty")
        if len(value) > max_length:
            raise FieldError(f"too long ({len(value)} characters, at most {max_length})")
        return value
    return parse_text


# 10 000, 10\u00a0000, 10'000: YAML reads them as text; the thousands are grouped by 3 digits
GROUPED_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f']\d{3})+")


def integer(minimum=0, maximum=10**9):
    """A whole number within bounds, written 1500 or with its thousands apart (1 500)."""
    def parse_integer(value):
        if isinstance(value, str) and GROUPED_RE.fullmatch(value.strip()):
            value = int(re.sub(r"\D", "", value))
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"expected a whole number such as 1500 or 1 500, got {value!r}")
        if not minimum <= value <= maximum:
            raise FieldError(f"must be between {minimum} and {maximum}")
        return value
    return parse_integer


def boolean(value):
    """true or false."""
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {value!r}")
    return value


def date(value):
    """A date written YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FieldError(f"expected a date written YYYY-MM-DD, got {value!r}") from None


def choice(*options):
    """One of a fixed list of words."""
    def parse_choice(value):
        if value not in options:
            raise FieldError(f"expected one of {', '.join(options)}, got {value!r}")
        return value
    return parse_choice


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(value):
    """An e-mail address."""
    value = text(254)(value)
    if not EMAIL_RE.match(value):
        raise FieldError(f"expected an e-mail address, got {value!r}")
    return value


def language(value):
    """A language code such as fr or en."""
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", value):
        raise FieldError(f"expected a language code such as fr or en, got {value!r}")
    return value


def relative_path(value):
    """A path inside the association's folder (no '..', not absolute, no address)."""
    value = text(300)(value)
    if value.startswith(("/", "\\")) or ".." in value.split("/") or ":" in value:
        raise FieldError("expected a path inside the association's folder, e.g. images/photo.jpg")
    return value


def slug(value):
    """Lower-case letters, digits and dashes."""
    value = text(100)(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise FieldError("use lower-case letters, digits and dashes only")
    return value


def slug_except(*reserved):
    """A slug that is not one of the reserved words."""
    def parse_slug(value):
        value = slug(value)
        if value in reserved:
            raise FieldError(f"{value!r} is reserved (avoid {', '.join(reserved)})")
        return value
    return parse_slug


def web_address(value):
    """An http(s) address."""
    value = text(300)(value)
    if not re.match(r"https?://[^\s/]+", value):
        raise FieldError(f"expected an address starting with https://, got {value!r}")
    return value


def web_origin(value):
    """A site's origin, as browsers compare them: https://example.org (a port if any, no path)."""
    value = text(300)(value)
    match = re.fullmatch(r"(https?)://([a-z0-9.-]+)(:\d{1,5})?/?", value.strip().lower())
    if not match or "." not in match[2] and match[2] != "localhost":
        raise FieldError(f"expected a site's address such as https://example.org (no path), "
                         f"got {value!r}")
    return f"{match[1]}://{match[2]}{match[3] or ''}"


def published_schema():
    """A text published by someone on a date: a petition's answer, a synthesis, an answer."""
    return [Field("date", date, required=True), Field("author", text(200), required=True)]


def list_of(item_parser, max_items=50):
    """A YAML list whose items each go through item_parser."""
    def parse_list(value):
        if not isinstance(value, list):
            raise FieldError("expected a list, e.g. [100, 500]")
        if len(value) > max_items:
            raise FieldError(f"too many items (at most {max_items})")
        out = []
        for index, item in enumerate(value, start=1):
            try:
                out.append(item_parser(item))
            except FieldError as exc:
                raise FieldError(f"item {index}: {exc}") from None
        return out
    return parse_list


def mapping(fields):
    """A nested mapping with its own fields (name -> (parser, required))."""
    def parse_mapping(value):
        if isinstance(value, str) and "name" in fields:
            value = {"name": value}
        if not isinstance(value, dict):
            raise FieldError(f"expected keys {', '.join(fields)}")
        unknown = set(value) - set(fields)
        if unknown:
            raise FieldError(f"unknown key {sorted(unknown)[0]!r} (expected {', '.join(fields)})")
        out = {}
        for name, (parser, required) in fields.items():
            if value.get(name) is None:
                if required:
                    raise FieldError(f"{name} is missing")
                continue
            try:
                out[name] = parser(value[name])
            except FieldError as exc:
                raise FieldError(f"{name}: {exc}") from None
        return out
    return parse_mapping
