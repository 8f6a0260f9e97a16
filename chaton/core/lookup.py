"""Finding what an address names: one rule for "this, or 404"."""

from flask import abort


def found_or_404(found):
    """`found`, or the request ends with 404 (nothing found, or nothing this visitor may see)."""
    if found is None:
        abort(404)
    return found
