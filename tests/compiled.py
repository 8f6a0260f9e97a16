"""Code that every test app compiles the same way, compiled once per test process.

Each test builds its own Flask app (a fresh instance), and each app compiled again what the one
before had compiled: Werkzeug turns each of its ~260 URL rules into a Python function (about
0.2 s an app), and Jinja each template it renders (up to 0.7 s a test). A server compiles
these once in its life; a test process did it for every test. Here:

- Jinja gets an in-memory bytecode cache (Jinja's own mechanism, as `FileSystemBytecodeCache`
  in production setups): a template is compiled again whenever its source differs, since the
  cache checks a checksum of the source (an override written by a test is compiled anew);
- Werkzeug's URL builders are kept by what their code is made of (the rule's parts and the
  names of its defaults): the same rule gives the same function, bound to each app's own rule.

Nothing is shared between apps but compiled code: each still has its own rules, converters,
templates' globals and filters. The `chaton serve` subprocesses are untouched.
"""

from flask import Flask
from jinja2 import BytecodeCache
from werkzeug.routing import rules


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates in a dict, by template name and file (checked against the source)."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # ignored when the source's checksum differs

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_builders = {}
_compile_builder = getattr(rules.Rule, "_compile_builder", None)  # Werkzeug 3.1's private method


def _cached_builder(self, append_unknown=True):
    """Werkzeug's builder for a rule, compiled once per shape of rule. Its code depends on the
    rule's parts (`_trace`), the names of its defaults and `append_unknown` only, except when a
    default gives the value of a part of the rule (then it is written into the code: not kept)."""
    defaults = self.defaults or {}
    if any(dynamic and data in defaults for dynamic, data in self._trace):
        return _compile_builder(self, append_unknown)
    key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
    builder = _builders.get(key)
    if builder is None:
        builder = _builders[key] = _compile_builder(self, append_unknown)
    return builder


def install():
    """For every app this test process makes from now on."""
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
    if _compile_builder is not None:  # another Werkzeug: its rules compile as it sees fit
        rules.Rule._compile_builder = _cached_builder
