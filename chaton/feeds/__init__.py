"""Atom and RSS feeds of campaign events."""

from chaton.core.capability import Capability

capability = Capability(name="feeds", blueprints=("chaton.feeds.views:bp", "chaton.feeds.stylesheet:bp"))
