"""Map helpers on a tiny synthetic world (fast, exact) and on the committed Natural Earth outlines."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import geopandas as gpd  # noqa: E402,F401  (a required package: missing must fail)
from shapely.geometry import box  # noqa: E402

from analysis.graphics import maps, style  # noqa: E402
from analysis.data.files import GEOMETRY_FILE  # noqa: E402
from analysis.data.paths import data_dir  # noqa: E402

GEOMETRY = data_dir() / GEOMETRY_FILE


def test_the_map_geometry_is_committed():
    assert GEOMETRY.is_file(), f"no map geometry at {GEOMETRY} (see data/geo/README.md)"


@pytest.fixture
def world():
    """Four square 'countries' in a row near the equator, and one far away."""
    shapes = {"AAA": box(0, 0, 10, 10), "BBB": box(10, 0, 20, 10), "CCC": box(20, 0, 30, 10),
              "DDD": box(30, 0, 40, 10), "FAR": box(-120, 40, -110, 50)}
    return gpd.GeoDataFrame({"iso3": list(shapes), "name": [f"Land {c}" for c in shapes],
                             "continent": ["Test"] * len(shapes)}, geometry=list(shapes.values()), crs="EPSG:4326")


@pytest.fixture
def counts():
    return pd.DataFrame({"iso3": ["AAA", "BBB", "BBB", "ZZZ"], "count": [1, 2, 1, 1],
                         "paragraph": ["crisis/2", "crisis/3", "elections/1", "wps/1"]})


@pytest.fixture
def operations():
    return pd.DataFrame({"operation_id": ["OPA", "OPB", "OPC"], "name": ["A", "B", "C"],
                         "place_id": ["AAA", "AAA", "nowhere"], "paragraph": ["crisis/2", "crisis/3", "crisis/4"]})


@pytest.fixture
def offices():
    return pd.DataFrame({"office_id": ["OFX", "OFY"], "name": ["X", "Y"], "place_id": ["region-x", None],
                         "paragraph": ["good-offices/1", "adapting/3"]})


@pytest.fixture
def mini_ds():
    return {"places": pd.DataFrame({"place_id": ["region-x"], "iso3": [None]}),
            "office_coverage": pd.DataFrame({"office_id": ["OFX", "OFX"], "iso3": ["CCC", "DDD"]}),
            "operation_facts": pd.DataFrame({"operation_id": ["OPC"], "host_iso3": ["BBB"]})}


def _png(ax) -> bytes:
    buffer = io.BytesIO()
    style.save_figure(ax.figure, buffer, format="png")
    return buffer.getvalue()


def _collection(ax, gid):
    return next(c for c in ax.collections if c.get_gid() == gid)


def _source(ax) -> str:
    return " ".join(style.source_text(ax).split())


# --- choropleth ------------------------------------------------------------------------------

def test_choropleth_colours_countries_with_data_apart_from_the_rest(counts, world):
    ax = maps.plot_choropleth(counts, world=world)
    no_data = _collection(ax, "no-data-countries")
    assert len(no_data.get_paths()) == 3  # CCC, DDD, FAR
    no_data_colour = matplotlib.colors.to_hex(no_data.get_facecolor()[0])
    assert no_data_colour == style.NO_DATA_COLOR.lower()
    classes = [c for c in ax.collections if (c.get_gid() or "").startswith("class-")]
    assert sum(len(c.get_paths()) for c in classes) == 2  # AAA (1) and BBB (3)
    colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]).upper() for c in classes}
    assert len(colours) == 2 and colours <= set(style.SEQUENTIAL)
    assert "No data" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_choropleth_title_source_and_countries_off_the_map(counts, world):
    ax = maps.plot_choropleth(counts, world=world, what="mentions")
    assert " ".join(ax.get_title(loc="left").split()) == "3 countries with mentions; most in Land BBB (3)"
    line = _source(ax)
    assert "Not drawn at this scale: ZZZ" in line
    assert "Source: A/72/1, ch. II.B, \u00b6 wps/1, elections/1, crisis/2, crisis/3" in line
    assert maps.MAP_CREDIT in line


def test_choropleth_zooms_to_a_region_and_greys_out_the_rest(counts, world):
    fig, ax = plt.subplots()
    assert maps.plot_choropleth(counts, region=["AAA", "BBB"], world=world, ax=ax) is ax
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < 0 and x1 > 20 and x1 < 30 and y0 < 0 and y1 > 10
    assert len(_collection(ax, "outside-region").get_paths()) == 3
    assert "Source: A/72/1, ch. II.B, \u00b6 elections/1, crisis/2, crisis/3." in _source(ax)  # rows in the region


def test_choropleth_counts_rows_without_a_count_column(world):
    rows = pd.DataFrame({"iso3": ["AAA", "AAA", "CCC"], "paragraph": ["crisis/1"] * 3})
    ax = maps.plot_choropleth(rows, world=world)
    assert "most in Land AAA (2)" in " ".join(ax.get_title(loc="left").split())


def test_choropleth_empty_and_bad_input(world):
    ax = maps.plot_choropleth(pd.DataFrame(columns=["iso3", "count"]), world=world)
    assert style.NO_DATA_MESSAGE in [t.get_text() for t in ax.texts]
    assert not ax.collections
    with pytest.raises(ValueError, match=r"plot_choropleth: missing column\(s\) iso3; expected iso3, value"):
        maps.plot_choropleth(pd.DataFrame({"country": ["AAA"], "value": [1]}), value="value", world=world)


def test_choropleth_hatches_countries_counted_through_inferences(counts, world):
    """A country whose count rests (wholly or partly) on records the chapter only implies is
    hatched, and the note under the map names it; the others are not."""
    marked = counts.assign(inferred=[0, 1, 0, 0])
    ax = maps.plot_choropleth(marked, world=world)
    hatched = _collection(ax, "inferred-countries")
    assert len(hatched.get_paths()) == 1 and hatched.get_hatch() == "////"
    assert "hatched (Land BBB): counted wholly or partly through records the chapter only implies" in _source(ax)
    plt.close("all")
    plain = maps.plot_choropleth(counts, world=world)
    assert all(c.get_gid() != "inferred-countries" for c in plain.collections)
    assert "hatched" not in _source(plain)


def test_choropleth_png_is_byte_identical(counts, world):
    first = _png(maps.plot_choropleth(counts, world=world))
    plt.close("all")
    assert _png(maps.plot_choropleth(counts, world=world)) == first


# --- presence --------------------------------------------------------------------------------

def test_presence_has_one_marker_per_located_operation_and_office(operations, offices, world, mini_ds):
    ax = maps.plot_presence(operations=operations, offices=offices, world=world, ds=mini_ds)
    ops, offs = _collection(ax, "operations"), _collection(ax, "offices")
    assert len(ops.get_offsets()) == 3  # OPA, OPB in AAA; OPC at its host country BBB
    assert len(offs.get_offsets()) == 1  # OFX over its covered countries; OFY has no place
    assert not np.array_equal(ops.get_paths()[0].vertices, offs.get_paths()[0].vertices)  # shape, not colour only
    assert "Not drawn (no place of its own): OFY" in _source(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["UN peace operation (3)", "Envoy or office (1)"]


def test_the_alt_text_names_what_the_map_cannot_draw(operations, offices, world, mini_ds):
    """The map's alt text counts what the key points count; what the map cannot draw (OFY has
    no place of its own) is named in it, before any list it may cut."""
    from types import SimpleNamespace

    from analysis.graphics import alttext

    unplaced = maps.not_drawn(operations=operations, offices=offices, ds=mini_ds, world=world)
    assert unplaced == ["OFY"]
    found = SimpleNamespace(count=2, counted=lambda: "2 offices", labels=lambda: ["X" * 900, "Y"])
    alt = alttext.describe_findings("Where", [found], not_drawn=unplaced)
    assert alt.startswith("Map: Where. Not drawn (no place of its own): OFY. 2 offices")


def test_a_regional_map_names_what_it_cannot_draw(operations, offices, world, mini_ds):
    """An item given for a region that has no place of its own (an office present there through
    an engagement) is named under the map, not silently left out (the alt text counts it)."""
    ax = maps.plot_presence(operations=operations, offices=offices, region=["AAA", "BBB"], world=world,
                            ds=mini_ds)
    assert "Not drawn (no place of its own): OFY" in _source(ax)


def test_presence_spreads_markers_sharing_a_country(operations, world, mini_ds):
    ax = maps.plot_presence(operations=operations, world=world, ds=mini_ds)
    points = [tuple(p) for p in _collection(ax, "operations").get_offsets()]
    assert len(set(points)) == len(points)


def test_presence_places_an_office_inside_the_countries_it_covers(offices, world, mini_ds):
    ax = maps.plot_presence(offices=offices, world=world, ds=mini_ds)
    (x, y), = _collection(ax, "offices").get_offsets()
    assert 20 <= x <= 40 and 0 <= y <= 10


def test_presence_zoomed_to_a_region(operations, offices, world, mini_ds):
    ax = maps.plot_presence(operations=operations, offices=offices, region=["CCC", "DDD"], world=world, ds=mini_ds)
    assert ax.get_xlim()[0] > 10
    assert len(_collection(ax, "offices").get_offsets()) == 1
    assert "1 envoy or office works in" in " ".join(ax.get_title(loc="left").split())


def test_presence_empty_and_bad_input(world):
    ax = maps.plot_presence(operations=pd.DataFrame(columns=list(maps.OPERATION_COLUMNS)), world=world)
    assert style.NO_DATA_MESSAGE in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="plot_presence: missing column.*office_id"):
        maps.plot_presence(offices=pd.DataFrame({"name": ["X"]}), world=world)


def test_presence_png_is_byte_identical(operations, offices, world, mini_ds):
    first = _png(maps.plot_presence(operations=operations, offices=offices, world=world, ds=mini_ds))
    plt.close("all")
    assert _png(maps.plot_presence(operations=operations, offices=offices, world=world, ds=mini_ds)) == first


# --- extents ---------------------------------------------------------------------------------

def test_region_extent_ignores_far_small_territories():
    shapes = {"BIG": box(0, 0, 40, 40), "NEAR": box(42, 0, 44, 2), "ISLE": box(100, -60, 101, -59)}
    world = gpd.GeoDataFrame({"iso3": list(shapes)}, geometry=list(shapes.values()), crs="EPSG:4326")
    minx, miny, maxx, maxy = maps.region_extent(world, list(shapes))
    assert maxx > 44 and maxx < 100 and miny > -59


def test_region_extent_of_nothing_on_the_map(world):
    assert maps.region_extent(world, ["ZZZ"]) is None


# --- the committed outlines ------------------------------------------------------------------

def test_load_world_reads_the_committed_outlines():
    world = maps.load_world()
    assert {"iso3", "name", "continent", "geometry"} <= set(world.columns)
    assert world.crs.to_epsg() == 4326
    assert {"MLI", "CAF", "SSD", "HTI"} <= set(world["iso3"])
    world.loc[:, "name"] = "changed"
    assert (maps.load_world()["name"] != "changed").all()  # a copy each time


def test_western_africa_lies_within_africa(dataset):
    from analysis.model.regions import resolve_region

    world = maps.load_world()
    west = maps.region_extent(world, resolve_region("Western Africa", dataset).iso3)
    africa = maps.region_extent(world, resolve_region("Africa", dataset).iso3)
    assert africa[0] <= west[0] and africa[1] <= west[1] and west[2] <= africa[2] and west[3] <= africa[3]
    assert west[2] - west[0] < (africa[2] - africa[0]) / 2
    ax = maps.plot_presence(operations=dataset["operations"], region="Western Africa", ds=dataset)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert (x0, y0, x1, y1) == pytest.approx(west)


def test_real_presence_locates_every_operation(dataset):
    operations = dataset["operations"]
    assert not operations.empty
    ax = maps.plot_presence(operations=operations, offices=dataset["offices"], ds=dataset)
    assert len(_collection(ax, "operations").get_offsets()) == len(operations)
    ax.figure.canvas.draw()
    labels = [t for t in ax.texts if t.get_gid() == "presence-label"]
    assert len(labels) == len(_collection(ax, "operations").get_offsets()) + len(
        _collection(ax, "offices").get_offsets())


@pytest.mark.parametrize("region", [None, "Africa"])
def test_real_presence_labels_do_not_overlap(dataset, region):
    ax = maps.plot_presence(operations=dataset["operations"], offices=dataset["offices"], region=region,
                            ds=dataset)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [matplotlib.text.Text.get_window_extent(t, renderer) for t in ax.texts if t.get_gid() == "presence-label"]
    assert boxes
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not overlapping


def test_real_choropleth_of_engagements(dataset):
    engagements = dataset["engagements"]
    assert not engagements.empty
    rows = engagements.merge(dataset["places"][["place_id", "iso3"]], on="place_id").dropna(subset=["iso3"])
    ax = maps.plot_choropleth(rows, region="Africa", what="engagements", ds=dataset)
    assert "in Africa" in ax.get_title(loc="left").replace("\n", " ")
    assert sum(len(c.get_paths()) for c in ax.collections if (c.get_gid() or "").startswith("class-")) >= 1


def test_maps_never_load_the_project_dataset(monkeypatch, world, operations, offices):
    """Without ``ds`` a map draws only the rows it is given; a region name then needs ``ds``."""
    import analysis
    import analysis.data.dataset

    def refuse(*args, **kwargs):
        raise AssertionError("a map loaded the project's dataset")

    monkeypatch.setattr(analysis.data.dataset, "load", refuse)
    monkeypatch.setattr(analysis, "load", refuse)
    maps.plot_presence(operations=operations, offices=offices, world=world)
    maps.plot_choropleth(pd.DataFrame({"iso3": ["AAA"], "count": [2]}), world=world, region=["AAA"])
    with pytest.raises(ValueError, match="region 'Africa' is a name; pass ds="):
        maps.plot_choropleth(pd.DataFrame({"iso3": ["AAA"], "count": [2]}), world=world, region="Africa")


def test_maps_use_no_private_helper_of_charts():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(maps))
    imported = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names]
    assert not [name for module, name in imported if name.startswith("_")]
    assert "charts" not in {module for module, _ in imported}


@pytest.mark.parametrize("how", ["vrt", "link out", "folder link out", "not json", "crs link",
                                 "crs init file"])
def test_the_map_geometry_is_read_only_as_geojson_inside_its_package(tmp_path, monkeypatch, how):
    """The outlines are a file of the (untrusted) data package: a GDAL VRT saved under their
    name (which would read other files, or URLs through /vsicurl/), a link out of the folder, or
    anything but a GeoJSON object is refused in one line, and GDAL never opens it."""
    package, outside = tmp_path / "data", tmp_path / "outside"
    (package / "geo").parent.mkdir(parents=True)
    outside.mkdir()
    (outside / "world.geojson").write_bytes(GEOMETRY.read_bytes())
    if how == "folder link out":
        (package / "geo").symlink_to(outside)
        (outside / GEOMETRY_FILE.split("/")[-1]).write_bytes(GEOMETRY.read_bytes())
    else:
        (package / "geo").mkdir()
        target = package / GEOMETRY_FILE
        if how == "vrt":
            target.write_text("<OGRVRTDataSource><OGRVRTLayer name='x'><SrcDataSource>"
                              "/vsicurl/http://127.0.0.1:9/world.geojson</SrcDataSource>"
                              "</OGRVRTLayer></OGRVRTDataSource>")
        elif how == "link out":
            target.symlink_to(outside / "world.geojson")
        elif how.startswith("crs"):  # GDAL follows a crs: a URL, or a PROJ init file anywhere
            import json as _json

            world = _json.loads(GEOMETRY.read_text(encoding="utf-8"))
            world["crs"] = ({"type": "link", "properties": {"href": "http://127.0.0.1:9/crs"}}
                            if how == "crs link" else
                            {"type": "name", "properties": {"name": f"+init={outside}/epsg:1"}})
            target.write_text(_json.dumps(world), encoding="utf-8")
        else:
            target.write_text("[1, 2]")
    monkeypatch.setattr(maps, "data_dir", lambda: package)
    opened = []
    monkeypatch.setattr(maps, "_read_world", lambda raw: opened.append(raw))
    with pytest.raises(maps.GeometryProblem, match="map geometry") as err:
        maps.load_world()
    assert "\n" not in str(err.value) and not opened
    from analysis.data.validate import _geometry_problems  # validate says so too

    assert [p.file for p in _geometry_problems(package)] == [GEOMETRY_FILE]
