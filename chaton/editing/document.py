"""A content file opened for editing: its front matter for a round trip, its body, its checksum.

The front matter is loaded with ruamel.yaml's round-trip mode, so that writing it back keeps
what the form does not manage: unknown keys, their order, comments and quoting. Values are
written so that the indexer (PyYAML, YAML 1.1) reads back exactly what the form meant: a title
`yes` or `on` is quoted, or it would come back as true.
"""

import functools
import hashlib
import io
from pathlib import Path
from types import SimpleNamespace

import yaml as pyyaml

from chaton.core import frontmatter as fm

STR_TAG = "tag:yaml.org,2002:str"
_resolver = pyyaml.resolver.Resolver()


class BrokenFile(ValueError):
    """The file cannot be edited with the form: its header is not readable YAML."""


@functools.cache
def ruamel():
    """ruamel.yaml, imported when the editor first needs it: a server that only serves pages
    and signatures does not carry it (1.4 MB)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

    return SimpleNamespace(YAML=YAML, CommentedMap=CommentedMap, CommentedSeq=CommentedSeq,
                           YAMLError=YAMLError, LiteralScalarString=LiteralScalarString,
                           SingleQuotedScalarString=SingleQuotedScalarString)


def _yaml():
    rt = ruamel().YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never fold long lines
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.representer.ignore_aliases = lambda data: True  # one date in two places: no &id001 anchors
    return rt


def checksum(text):
    """Fingerprint of a file's text, to notice edits made since a form was loaded."""
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def read_text(path):
    """The file's text, or None when it does not exist."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _refuse_aliases(header):
    """Anchors and aliases are refused before anything is built from the header: a few lines of
    them expand to gigabytes each time the header is written back (frontmatter.py refuses them
    in files too). PyYAML's event stream sees them without expanding anything."""
    try:
        for event in pyyaml.parse(header):
            if isinstance(event, pyyaml.AliasEvent) or getattr(event, "anchor", None):
                raise BrokenFile("anchors and aliases (& and *) are not allowed: write each "
                                 "value out")
    except pyyaml.YAMLError:
        return  # ruamel's own error message follows


class FrontMatter:
    """The header of a file as a round-trip mapping."""

    def __init__(self, data=None):
        self.data = data if data is not None else ruamel().CommentedMap()

    @classmethod
    def load(cls, header):
        _refuse_aliases(header)
        try:
            data = _yaml().load(header)
        except ruamel().YAMLError as exc:
            raise BrokenFile(str(exc)) from None
        if data is None:
            return cls()
        if not isinstance(data, ruamel().CommentedMap):
            raise BrokenFile("the front matter must be a list of 'key: value' lines")
        return cls(data)

    def get(self, key, default=None):
        return self.data.get(key, default)

    def set(self, key, value, order=(), default=None, flow=False, child_flow=False):
        """Set (or remove, for None) a key; a new key goes where `order` puts it.

        `flow` writes a new list or mapping on one line (`[100, 500]`), `child_flow` does it
        for the mappings inside it (`vote: {start: ..., end: ...}`)."""
        if value is None or (key not in self.data and value == default):
            self.data.pop(key, None)
            return
        if key in self.data:
            self.data[key] = merge(self.data[key], value, flow, child_flow)
            return
        new = merge(None, value, flow, child_flow)
        self.data.insert(_position(self.data, key, order), key, new)

    @property
    def meta(self):
        """The values as Chaton reads them (PyYAML, YAML 1.1: `yes` is true there, not text)."""
        try:
            data = pyyaml.safe_load(self.dump())
        except pyyaml.YAMLError:
            return {}
        return data if isinstance(data, dict) else {}

    def dump(self):
        if not self.data:
            return ""
        out = io.StringIO()
        _yaml().dump(self.data, out)
        return out.getvalue()


def _position(data, key, order):
    """Index for a new key: after the closest key before it in `order` that the file has."""
    keys = list(data)
    if key in order:
        for earlier in reversed(order[:order.index(key)]):
            if earlier in data:
                return keys.index(earlier) + 1
        for later in order[order.index(key) + 1:]:
            if later in data:
                return keys.index(later)
    return len(keys)


def scalar(value):
    """A value as the YAML 1.1 reader will read it back."""
    if not isinstance(value, str):
        return value
    if "\n" in value:
        return ruamel().LiteralScalarString(value.replace("\r\n", "\n").rstrip() + "\n")
    if _resolver.resolve(pyyaml.ScalarNode, value, (True, False)) != STR_TAG:
        return ruamel().SingleQuotedScalarString(value)
    return value


def merge(old, new, flow=False, child_flow=False):
    """The new value, reusing the old containers so that their comments and style survive."""
    if _same(old, new):
        return old  # an unchanged value keeps its quotes or its folded style
    if isinstance(new, dict):
        if isinstance(old, str) and set(new) == {"name"}:
            return scalar(new["name"])  # `target: Mairie` stays in its short form
        target = old if isinstance(old, ruamel().CommentedMap) else ruamel().CommentedMap()
        for key in [k for k in target if k not in new]:
            del target[key]
        for key, value in new.items():
            target[key] = merge(target.get(key), value, child_flow)
        if old is not target and flow:
            target.fa.set_flow_style()
        return target
    if isinstance(new, list):
        target = old if isinstance(old, ruamel().CommentedSeq) else ruamel().CommentedSeq()
        items = [merge(target[i] if i < len(target) else None, v, child_flow)
                 for i, v in enumerate(new)]
        del target[:]
        target.extend(items)
        if old is not target and flow:
            target.fa.set_flow_style()
        return target
    return scalar(new)


def _same(old, new):
    if old is None or isinstance(new, dict | list):
        return False
    if isinstance(old, str):
        return isinstance(new, str) and str(old) == new
    return type(old) is type(new) and old == new


class Source:
    """A content file: its text as loaded, its header and its body."""

    def __init__(self, path, text):
        self.path = Path(path)
        self.text = text or ""
        self.exists = text is not None
        self.checksum = checksum(text) if text is not None else ""

    def split(self):
        """(FrontMatter, body); BrokenFile when the header cannot be read."""
        if not self.exists:
            return FrontMatter(), ""
        try:
            header, body, _line = fm.split(self.text.replace("\r\n", "\n"))
        except fm.FieldError as exc:
            raise BrokenFile(str(exc)) from None
        return FrontMatter.load(header), body.strip("\n")


def compose(front, body):
    """The text of a file: the front matter between its fences, a blank line, the body."""
    body = (body or "").replace("\r\n", "\n").strip("\n")
    return f"---\n{front.dump()}---\n\n{body}\n"
