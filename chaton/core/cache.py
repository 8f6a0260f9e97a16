"""A small in-process cache with a time limit, for the hottest reads of a page view.

Each process keeps its own; entries live a few seconds at most, so a change written by another
process (a CLI command, a second server) shows within that delay. Content re-indexing clears it.
"""

import threading
import time

_GENERATION = [0]


class TTLCache:
    def __init__(self, ttl, max_size=512):
        self.ttl = ttl
        self.max_size = max_size
        self._data = {}
        self._lock = threading.Lock()

    def get(self, key):
        entry = self._data.get(key)
        if entry is None or entry[0] < time.monotonic() or entry[1] != _GENERATION[0]:
            return None
        return entry[2]

    def set(self, key, value):
        with self._lock:
            if len(self._data) >= self.max_size:
                self._data.clear()  # crude but bounded: the hot keys come back at once
            self._data[key] = (time.monotonic() + self.ttl, _GENERATION[0], value)
        return value


def invalidate_all():
    """Forget every cached entry (the content changed)."""
    _GENERATION[0] += 1


def generation():
    return _GENERATION[0]
