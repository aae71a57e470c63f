"""Write ``data/countries.csv``: every country or area with a UN M49 code, with its M49 region.

Source: the UN Statistics Division's M49 classification as packaged by country_converter
(``coco``). Run from the project root whenever country_converter is upgraded:

    .venv/bin/python scripts/make_countries.py          # rewrite data/countries.csv
    .venv/bin/python scripts/make_countries.py --check  # exit 1 if the committed file differs

The output is deterministic (sorted by iso3, fixed formatting), so a re-run with the same
country_converter version reproduces the committed bytes.

How the M49 hierarchy is mapped:

* ``subregion`` is coco's ``UNregion`` column: the M49 sub-region, except that where M49 has an
  intermediate region (Sub-Saharan Africa -> Western/Eastern/Middle/Southern Africa; Latin America
  and the Caribbean -> Caribbean/Central America/South America) the intermediate region is given
  in its place. That is the "intermediate region folded into its subregion" of the schema.
* ``region`` follows from the subregion through the M49 hierarchy (``SUBREGION_REGION``), not from
  coco's ``continent`` column, which differs for a few areas (e.g. Christmas Island is in coco's
  Asia but M49's Oceania; Bouvet Island is in coco's Antarctica but M49's Americas).
* Antarctica (M49 010) belongs to no M49 region; it gets region and subregion "Antarctica".
* Kosovo and Taiwan have no M49 code in the package and are left out.

Display names: ``name`` is coco's short name; ``display_name`` is the one name a briefing prints
everywhere (lists, maps, tables). It is the chapter's spelling for the countries the chapter names
and the UN's usual short name where coco's differs from it (``DISPLAY_NAMES``), otherwise coco's.
``article`` is "the" where English puts it before the display name in running text ("the Gambia").

The package's own ``CountryConverter()`` constructor is not used: with pandas 3 it reads
Namibia's ISO2 code "NA" as missing and fails. The script reads the package's data file directly,
with every cell as text.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from importlib import metadata, resources
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT_DIR / "data" / "countries.csv"
SOURCE_ID = "m49"
COLUMNS = ["iso3", "iso2", "name", "display_name", "article", "m49_code", "region", "subregion", "un_member", "source_id"]

#: The M49 hierarchy: each subregion (or folded intermediate region) and its region.
SUBREGION_REGION: dict[str, str] = {
    "Northern Africa": "Africa",
    "Eastern Africa": "Africa",
    "Middle Africa": "Africa",
    "Southern Africa": "Africa",
    "Western Africa": "Africa",
    "Caribbean": "Americas",
    "Central America": "Americas",
    "South America": "Americas",
    "Northern America": "Americas",
    "Central Asia": "Asia",
    "Eastern Asia": "Asia",
    "South-eastern Asia": "Asia",
    "Southern Asia": "Asia",
    "Western Asia": "Asia",
    "Eastern Europe": "Europe",
    "Northern Europe": "Europe",
    "Southern Europe": "Europe",
    "Western Europe": "Europe",
    "Australia and New Zealand": "Oceania",
    "Melanesia": "Oceania",
    "Micronesia": "Oceania",
    "Polynesia": "Oceania",
    "Antarctica": "Antarctica",
}

#: The one printed name where coco's short name is not the one the chapter or the UN uses.
DISPLAY_NAMES: dict[str, str] = {
    # named in the chapter (its spelling)
    "COD": "Democratic Republic of the Congo",
    "COG": "Congo",
    "SYR": "Syrian Arab Republic",
    # the UN's short names
    "BLM": "Saint Barthélemy",
    "BOL": "Bolivia (Plurinational State of)",
    "FSM": "Micronesia (Federated States of)",
    "HMD": "Heard Island and McDonald Islands",
    "IRN": "Iran (Islamic Republic of)",
    "KNA": "Saint Kitts and Nevis",
    "KOR": "Republic of Korea",
    "LAO": "Lao People's Democratic Republic",
    "LCA": "Saint Lucia",
    "MAC": "Macao",
    "MAF": "Saint Martin (French part)",
    "MDA": "Republic of Moldova",
    "PRK": "Democratic People's Republic of Korea",
    "PSE": "State of Palestine",
    "RUS": "Russian Federation",
    "SGS": "South Georgia and the South Sandwich Islands",
    "SHN": "Saint Helena",
    "SPM": "Saint Pierre and Miquelon",
    "TZA": "United Republic of Tanzania",
    "VAT": "Holy See",
    "VCT": "Saint Vincent and the Grenadines",
    "VEN": "Venezuela (Bolivarian Republic of)",
    "VNM": "Viet Nam",
}

#: Countries and areas whose display name takes "the" in running text.
ARTICLE_THE: frozenset[str] = frozenset({
    "ALA", "ARE", "ATF", "BHS", "CAF", "CCK", "COD", "COG", "COK", "COM", "CYM", "DOM", "FLK", "FRO",
    "GBR", "GMB", "HMD", "IMN", "IOT", "KOR", "LAO", "MDA", "MDV", "MHL", "MNP", "NER", "NLD", "PHL",
    "PRK", "PSE", "RUS", "SDN", "SGS", "SJM", "SLB", "SYR", "TCA", "TZA", "UMI", "USA", "VAT", "VGB",
    "VIR", "WLF",
})


def coco_version() -> str:
    """The installed country_converter version."""
    return metadata.version("country_converter")


def read_coco_table():
    """country_converter's packaged country table, every cell as text ("" when empty)."""
    import pandas as pd

    path = resources.files("country_converter") / "country_data.tsv"
    with resources.as_file(path) as tsv:
        return pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False, na_filter=False,
                           encoding="utf-8")


def _iso2(cell: str) -> str:
    """The ISO 3166 alpha-2 code: coco writes a few as a regex of alternatives (``^GB$|^UK$``),
    the ISO code first."""
    codes = re.findall(r"[A-Z]{2}", cell)
    if not codes:
        raise ValueError(f"no ISO2 code in {cell!r}")
    return codes[0]


def build_countries(table) -> list[dict]:
    """Rows of countries.csv from coco's table: current entries with an M49 code, sorted by iso3."""
    current = table[(table["obsolete"] == "") & (table["UNcode"] != "")]
    rows = []
    for _, entry in current.iterrows():
        subregion = entry["UNregion"] or ("Antarctica" if entry["ISO3"] == "ATA" else "")
        if subregion not in SUBREGION_REGION:
            raise ValueError(f"{entry['ISO3']}: M49 subregion {subregion!r} is not in SUBREGION_REGION")
        rows.append({
            "iso3": entry["ISO3"],
            "iso2": _iso2(entry["ISO2"]),
            "name": entry["name_short"],
            "display_name": DISPLAY_NAMES.get(entry["ISO3"], entry["name_short"]),
            "article": "the" if entry["ISO3"] in ARTICLE_THE else "",
            "m49_code": str(int(entry["UNcode"])),
            "region": SUBREGION_REGION[subregion],
            "subregion": subregion,
            "un_member": "true" if entry["UNmember"] else "false",
            "source_id": SOURCE_ID,
        })
    rows.sort(key=lambda row: row["iso3"])
    seen = set()
    for row in rows:
        for key in ("iso3", "iso2", "m49_code"):
            if (key, row[key]) in seen:
                raise ValueError(f"duplicate {key} {row[key]!r} in the M49 table")
            seen.add((key, row[key]))
    return rows


def render_csv(rows: list[dict]) -> str:
    """The CSV text (UTF-8, LF line ends, minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the committed file differs")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write")
    args = parser.parse_args(argv)

    text = render_csv(build_countries(read_coco_table()))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} is out of date with country_converter {coco_version()}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date (country_converter {coco_version()})")
        return 0
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.output} ({text.count(chr(10)) - 1} rows, country_converter {coco_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
