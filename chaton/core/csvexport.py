"""CSV downloads: streamed in chunks, with spreadsheet formulas neutralized.

Machine-oriented files (open data, the archive) keep plain UTF-8, commas and their column
names; files for people (a petition's contacts) may ask for a byte order mark (so that Excel
reads UTF-8), a `;` separator (what French spreadsheets expect) and column titles in words.
"""

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


def stream_csv(rows, fieldnames=None, titles=None, delimiter=",", bom=False):
    """Yield a CSV document from dict rows, about 64 KiB at a time.

    `titles` ({field: title}) writes the header line in words instead of the field names;
    `bom` starts the document with U+FEFF."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = None

    def start(fields):
        writer = csv.DictWriter(out, fieldnames=fields, delimiter=delimiter)
        if titles:
            csv.writer(out, delimiter=delimiter).writerow([str(titles[f]) for f in fields])
        else:
            writer.writeheader()
        return writer

    if fieldnames:
        writer = start(fieldnames)
    for row in rows:
        if writer is None:
            writer = start(list(row))
        writer.writerow({k: neutral(v) for k, v in row.items()})
        if out.tell() > 65536:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
