"""Build the territory data shipped with Chaton from official open data (run by hand when the
data changes; the result is committed):

    .venv/bin/python -m chaton.territory.build_data

It takes the `codes-postaux` package of the Base Adresse Nationale (npm registry, built from
INSEE's Code officiel géographique and the DGFiP's FIMOCT: open data under the Licence Ouverte
2.0) with `npm pack` into a temporary folder, and writes `data/postal_codes.tsv.gz`: one line
per (postal code, commune), `postal_code TAB commune_code TAB commune_name`, sorted; and
`data/postal_departements.tsv`: each postal code with the département of most of its communes
(what signing needs, small and quick to load). Sources, versions and licences are in
`data/SOURCES.md`.
"""

import gzip
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "codes-postaux@4.1.2"
HERE = Path(__file__).parent / "data"


def fetch(package, folder):
    """Unpack an npm package into folder; returns the package's folder."""
    name = subprocess.run(["npm", "pack", package, "--silent"], cwd=folder, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(Path(folder) / name) as tar:
        tar.extractall(folder, filter="data")
    return Path(folder) / "package"


def main():
    with tempfile.TemporaryDirectory() as folder:
        rows = json.loads((fetch(PACKAGE, folder) / "codes-postaux.json").read_text())
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
