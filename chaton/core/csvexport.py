"""CSV downloads: streamed in chunks, with spreadsheet formulas neutralized."""

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A cell a spreadsheet will not run as a formula (lists and mappings flattened)."""
    if isinstance(value, dict):
        value = "; ".join(f"{k}={v}" for k, v in value.items())
    elif isinstance(value, list):
        value = " | ".join(str(v) for v in value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def stream_csv(rows, fieldnames=None):
    """Yield a CSV document from dict rows, about 64 KiB at a time."""
    out = io.StringIO()
    writer = None
    if fieldnames:
        writer = csv.DictWriter(out, fieldnames=fieldnames)
        writer.writeheader()
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: neutral(v) for k, v in row.items()})
        if out.tell() > 65536:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
