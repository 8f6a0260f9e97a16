"""Code that every test app compiles the same way, compiled once per test process.

Each test builds its own Flask app (a fresh instance), and each app compiled again what the one
before had compiled: Jinja each template it renders (up to 0.7 s a test). A server compiles
these once in its life; a test process did it for every test. Here:

- Jinja gets an in-memory bytecode cache (Jinja's own mechanism, as `FileSystemBytecodeCache`
  in production setups): a template is compiled again whenever its source differs, since the
  cache checks a checksum of the source (an override written by a test is compiled anew).

Nothing is shared between apps but compiled code: each still has its own templates' globals
and filters. The `chaton serve` subprocesses are untouched.
"""

from flask import Flask
from jinja2 import BytecodeCache


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


def install():
    """For every app this test process makes from now on."""
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": MemoryBytecodeCache()}
