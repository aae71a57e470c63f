"""Write ``data/geo/naturalearth_110m_countries.geojson`` from Natural Earth 1:110m countries.

A one-off build step (the file is committed; nothing is fetched at run time). The input is the
``naturalearth_lowres`` shapefile that the geopandas 0.14.4 wheel ships (geopandas 1.0 dropped
it); the script downloads that wheel with ``pip download geopandas==0.14.4 --no-deps`` into a
temporary folder and reads the shapefile from it:

    .venv/bin/python scripts/make_geometry.py                 # download the wheel, write the file
    .venv/bin/python scripts/make_geometry.py --wheel W.whl   # use a wheel already on disk
    .venv/bin/python scripts/make_geometry.py --check         # exit 1 if the committed file differs

Codes (see data/geo/README.md for the reasons):

* France and Norway carry ``-99`` in Natural Earth's ISO_A3; geopandas already replaced it with
  FRA and NOR. The script applies the same fix should a ``-99`` remain for them.
* N. Cyprus (``CYN``) and Somaliland (``SOL``), Natural Earth's own codes, are merged into Cyprus
  and Somalia: M49 and the UN count them as parts of those Member States.
* Kosovo (``-99``) is kept as its own feature with the code ``XKX``; it has no M49 code, so it
  does not join countries.csv.

Output: one feature per country, sorted by code, with properties ``iso3``,
``name`` and ``continent`` and coordinates snapped to a grid of ``PRECISION`` decimals; the JSON is written
by this script (not by GDAL), so the bytes depend only on the input.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT_DIR / "data" / "geo" / "naturalearth_110m_countries.geojson"
GEOPANDAS_VERSION = "0.14.4"
SHAPEFILE = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp"
PRECISION = 3  # decimals of a degree: about 100 m, well below the 1:110m generalisation

#: Natural Earth name -> ISO 3166 alpha-3 code, for features whose iso_a3 is -99.
MISSING_CODES = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX"}
#: Natural Earth's own codes for areas that M49 counts as part of a Member State.
MERGE_INTO = {"CYN": "CYP", "SOL": "SOM"}


def download_wheel(folder: Path) -> Path:
    """Download the geopandas wheel that ships naturalearth_lowres (network; build time only)."""
    subprocess.run([sys.executable, "-m", "pip", "download", f"geopandas=={GEOPANDAS_VERSION}",
                    "--no-deps", "--only-binary", ":all:", "--dest", str(folder), "--quiet"],
                   check=True)
    wheels = sorted(folder.glob(f"geopandas-{GEOPANDAS_VERSION}-*.whl"))
    if not wheels:
        raise FileNotFoundError(f"pip did not leave a geopandas {GEOPANDAS_VERSION} wheel in {folder}")
    return wheels[0]


def read_lowres(wheel: Path, folder: Path):
    """The naturalearth_lowres countries from the wheel, as a GeoDataFrame."""
    import geopandas as gpd

    stem = SHAPEFILE[: -len(".shp")]
    with zipfile.ZipFile(wheel) as archive:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            archive.extract(stem + suffix, folder)
    return gpd.read_file(folder / SHAPEFILE)


def fix_codes(world):
    """Give -99 features their code and merge N. Cyprus and Somaliland (see module docstring)."""
    world = world.copy()
    for name, code in MISSING_CODES.items():
        world.loc[(world["name"] == name) & (world["iso_a3"] == "-99"), "iso_a3"] = code
    unknown = world.loc[world["iso_a3"] == "-99", "name"].tolist()
    if unknown:
        raise ValueError(f"features without an ISO code: {', '.join(unknown)}; add them to MISSING_CODES")
    for part, whole in MERGE_INTO.items():
        is_part, is_whole = world["iso_a3"] == part, world["iso_a3"] == whole
        if is_part.sum() != 1 or is_whole.sum() != 1:
            raise ValueError(f"expected one feature each for {part} and {whole}")
        target = world.index[is_whole][0]
        merged = world.loc[is_whole | is_part].geometry.union_all()
        world.loc[target, "geometry"] = merged
        world = world.loc[~is_part]
    if world["iso_a3"].duplicated().any():
        raise ValueError("duplicate ISO codes after the fixes")
    return world


def _round(coords, precision: int):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), precision) + 0.0 for c in coords]  # + 0.0 turns -0.0 into 0.0
    return [_round(c, precision) for c in coords]


def to_geojson(frame, precision: int = PRECISION) -> str:
    """GeoJSON text for a frame with iso3, name, continent and geometry (EPSG:4326), sorted by iso3.

    Deterministic: the same frame always gives the same text.
    """
    import shapely
    from shapely.geometry import mapping

    features = []
    for row in frame.sort_values("iso3", kind="stable").itertuples(index=False):
        # Snap to the grid (keeps polygons valid, drops rings that collapse), put rings in a
        # canonical order and start point (so a re-run on the output changes nothing), wind
        # exteriors counterclockwise as RFC 7946 asks, then round away the float noise.
        snapped = shapely.normalize(shapely.set_precision(row.geometry, 10.0 ** -precision))
        geometry = mapping(shapely.orient_polygons(snapped, exterior_cw=False))
        features.append({
            "type": "Feature",
            "properties": {"iso3": row.iso3, "name": row.name, "continent": row.continent},
            "geometry": {"type": geometry["type"],
                         "coordinates": _round(geometry["coordinates"], precision)},
        })
    collection = {"type": "FeatureCollection", "name": "naturalearth_110m_countries",
                  "features": features}
    lines = ['{"type":"FeatureCollection","name":"naturalearth_110m_countries","features":[']
    lines.append(",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features))
    lines.append("]}")
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == collection
    return text


def build(wheel: Path) -> str:
    """The GeoJSON text made from the wheel's naturalearth_lowres."""
    with tempfile.TemporaryDirectory() as tmp:
        world = read_lowres(wheel, Path(tmp))
    if world.crs is None or world.crs.to_epsg() != 4326:
        raise ValueError(f"expected EPSG:4326, got {world.crs}")
    world = fix_codes(world).rename(columns={"iso_a3": "iso3"})
    return to_geojson(world[["iso3", "name", "continent", "geometry"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a geopandas 0.14.4 wheel already downloaded")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the committed file differs")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        text = build(wheel)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} differs from a fresh conversion", file=sys.stderr)
            return 1
        print(f"{args.output} is reproduced byte for byte")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {args.output} ({text.count(chr(10)) - 2} features, {len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
