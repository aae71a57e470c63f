"""Maps of where the chapter's work takes place (geopandas, offline).

- :func:`load_world` reads the committed Natural Earth 1:110m country outlines from ``data/geo``
  (cached; nothing is downloaded).
- :func:`plot_choropleth` shades countries by a count (countries without data in light grey).
- :func:`plot_presence` marks peace operations and envoys/offices at a representative point of the
  country (or countries) they work in.

Both take ``region``: a :class:`~analysis.model.regions.RegionSelection`, a region name (resolved once,
with :func:`analysis.model.regions.resolve_region` and the ``ds`` given), a list of ISO3 codes, or None
for the world; the map then zooms to the region's extent with a margin. A map draws only the
data it is given: it never loads the project's dataset. geopandas is imported with this module
only.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..prose.formatting import format_number, plural
from ..data.paths import data_dir
from ..errors import WorkbookError
from .plotting import as_frame, missing, prepare_axes, require_columns, table_of, text_of
from .style import (BACKGROUND_LAND, MUTED_TEXT_COLOR, NO_DATA_COLOR, OFFICE_COLOR, OPERATION_COLOR,
                    SEQUENTIAL, add_source, chapter_source, no_data, set_title, source_line,
                    style_context)

__all__ = ["MAP_CREDIT", "load_world", "locate", "plot_choropleth", "plot_presence", "region_extent"]

MAP_CREDIT = "Map: Natural Earth 1:110m (public domain)"
WORLD_EXTENT = (-170.0, -58.0, 180.0, 84.0)  # without Antarctica
OPERATION_COLUMNS = ("operation_id", "place_id", "paragraph")
OFFICE_COLUMNS = ("office_id", "place_id", "paragraph")
_REGION_LAND = "#D9D9D9"
_OTHER_LAND = "#F2F2F2"


@lru_cache(maxsize=2)
def _read_world(raw: bytes):
    import io

    import geopandas as gpd

    # bytes checked to be a GeoJSON object (load_world), not a path: GDAL picks a format from
    # a file's content, and a VRT saved under this name would read other files, or URLs
    return gpd.read_file(io.BytesIO(raw))


class GeometryProblem(WorkbookError, ValueError):
    """The data package's map outlines cannot be read (one line saying why)."""


def load_world():
    """Country outlines (columns iso3, name, continent, geometry; EPSG:4326), read once per session.

    The file is part of the data package, so it is read as every file of a package is (inside
    its folder, a regular file, capped) and must be GeoJSON
    (:func:`analysis.data.files.read_geometry`). Returns a copy, so callers may change it freely.
    """
    from ..data.files import FileRefused, read_geometry

    try:
        raw = read_geometry(data_dir())
    except FileRefused as err:
        raise GeometryProblem(f"the map geometry: {err}; it is committed with the project "
                              "(see data/geo/README.md)") from None
    return _read_world(raw).copy()


# --- regions and extents ---------------------------------------------------------------------

def _region(region, ds=None, *, function: str):
    """(label, iso3 tuple) for a region argument; (None, None) for the world.

    A region name is resolved here, where it enters, with the dataset ``ds`` (a map never loads
    the project's data on its own: without ``ds``, pass a ``RegionSelection`` or ISO3 codes).
    """
    if region is None:
        return None, None
    if isinstance(region, str):
        if ds is None:
            raise ValueError(f"{function}: region {region!r} is a name; pass ds= (the dataset to "
                             "resolve it with), a RegionSelection (analysis.model.regions.resolve_region) "
                             "or a list of ISO3 codes")
        from ..model.regions import resolve_region

        region = resolve_region(region, ds)
    if hasattr(region, "iso3"):
        if getattr(region, "kind", None) == "world":
            return None, None
        return getattr(region, "label", None), tuple(str(c) for c in region.iso3)
    codes = tuple(str(c).strip().upper() for c in region)
    return (", ".join(codes) if len(codes) <= 3 else f"{len(codes)} countries"), codes


def _main_polygons(geometries):
    """The polygons that give a country its extent: drop far-off small islands and the pieces on
    the other side of the antimeridian (Russia's Chukotka tip, Fiji's eastern islands)."""
    import shapely

    polygons = []
    for geom in geometries:
        parts = list(getattr(geom, "geoms", [geom]))
        areas = [p.area for p in parts]
        biggest = max(areas) if areas else 0
        kept = [p for p, a in zip(parts, areas) if a >= 0.15 * biggest]
        east = [p for p in kept if p.bounds[2] > 170]
        west = [p for p in kept if p.bounds[0] < -170]
        if east and west:
            drop = west if sum(p.area for p in east) >= sum(p.area for p in west) else east
            kept = [p for p in kept if p not in drop]
        polygons.extend(kept)
    return shapely.GeometryCollection(polygons) if polygons else None


def region_extent(world, iso3, *, margin: float = 0.08, min_size: float = 12.0):
    """(minx, miny, maxx, maxy) of the countries ``iso3`` on ``world``, with a margin.

    The extent is set by the countries that make up 98% of the region's land and by the smaller
    ones lying near them; far-flung small territories (the French Southern Territories for Africa)
    do not stretch it. Small regions are widened to at least ``min_size`` degrees. None when no
    country of the region is on the map.
    """
    rows = world[world["iso3"].isin(list(iso3))]
    shapes = [s for s in (_main_polygons([g]) for g in rows.geometry) if s is not None]
    if not shapes:
        return None
    shapes.sort(key=lambda s: -s.area)
    total = sum(s.area for s in shapes)
    core, covered = [], 0.0
    for shape in shapes:
        if covered >= 0.98 * total and core:
            break
        core.append(shape)
        covered += shape.area
    minx, miny, maxx, maxy = _union_bounds(core)
    reach = max(10.0, 0.15 * max(maxx - minx, maxy - miny))
    for shape in shapes[len(core):]:
        bx0, by0, bx1, by1 = shape.bounds
        gap_x = max(minx - bx1, bx0 - maxx, 0.0)
        gap_y = max(miny - by1, by0 - maxy, 0.0)
        if max(gap_x, gap_y) <= reach:
            minx, miny, maxx, maxy = min(minx, bx0), min(miny, by0), max(maxx, bx1), max(maxy, by1)
    pad = max(maxx - minx, maxy - miny) * margin + 1.0
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    if maxx - minx < min_size:
        grow = (min_size - (maxx - minx)) / 2
        minx, maxx = minx - grow, maxx + grow
    if maxy - miny < min_size:
        grow = (min_size - (maxy - miny)) / 2
        miny, maxy = miny - grow, maxy + grow
    return (max(minx, -180.0), max(miny, -90.0), min(maxx, 180.0), min(maxy, 90.0))


def _union_bounds(shapes):
    bounds = [s.bounds for s in shapes]
    return (min(b[0] for b in bounds), min(b[1] for b in bounds),
            max(b[2] for b in bounds), max(b[3] for b in bounds))


def _set_extent(ax, world, region_iso3):
    extent = region_extent(world, region_iso3) if region_iso3 else None
    minx, miny, maxx, maxy = extent or WORLD_EXTENT
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    mid = math.radians((miny + maxy) / 2)
    ax.set_aspect(1 / max(math.cos(mid), 0.2))
    ax.set_axis_off()
    return extent


def _base_map(ax, world, region_iso3, *, colour=BACKGROUND_LAND):
    land = world[world["iso3"] != "ATA"]
    if region_iso3:
        inside = land["iso3"].isin(list(region_iso3))
        land[~inside].plot(ax=ax, color=_OTHER_LAND, edgecolor="white", linewidth=0.4)
        land[inside].plot(ax=ax, color=_REGION_LAND, edgecolor="white", linewidth=0.5)
    else:
        land.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.4)


def _map_figsize(world, region_iso3) -> tuple[float, float]:
    extent = region_extent(world, region_iso3) if region_iso3 else None
    minx, miny, maxx, maxy = extent or WORLD_EXTENT
    mid = math.radians((miny + maxy) / 2)
    ratio = (maxy - miny) / max((maxx - minx) * max(math.cos(mid), 0.2), 1e-6)
    width = 10.0
    height = min(max(width * 0.78 * ratio + 1.6, 3.5), 9.5)
    return (width, height)


def _names(world, ds=None) -> dict:
    """iso3 -> printed name: the dataset's one display name per country (analysis.model.names) when
    ``ds`` is given, else the outline's own name (a map never loads the dataset itself)."""
    names = dict(zip(world["iso3"].astype(str), world["name"].astype(str)))
    if ds is not None:
        from ..model.names import display_names

        names.update({k: v for k, v in display_names(ds).items() if k in names})
    return names


def _defer_draws(fig) -> None:
    """Keep geopandas from redrawing the whole figure after each layer it plots.

    geopandas ends every ``plot`` with ``canvas.draw_idle()``, which on the Agg canvas is a full
    draw with constrained layout: about 0.3 s a layer, 1.8 s of a 2.3 s choropleth here. The
    figure is drawn once anyway when it is saved or shown.
    """
    fig.canvas.draw_idle = lambda *args, **kwargs: None


def _list(names, limit: int = 8) -> str:
    names = list(names)
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    return ", ".join(names)


# --- choropleth ------------------------------------------------------------------------------

def _classes(values):
    """Up to four classes of the positive values: (lower, upper, label) each, in increasing order."""
    import numpy as np

    distinct = sorted(set(float(v) for v in values))
    if len(distinct) <= 4:
        return [(v, v, format_number(v)) for v in distinct]
    edges = np.linspace(min(distinct), max(distinct), 5)
    integer = all(float(v).is_integer() for v in distinct)
    out, lower = [], min(distinct)
    for k in range(4):
        upper = edges[k + 1]
        if integer:
            upper = math.floor(upper) if k < 3 else max(distinct)
            if upper < lower:
                continue
            label = format_number(lower) if upper == lower else f"{format_number(lower)}\u2013{format_number(upper)}"
            out.append((lower, upper, label))
            lower = upper + 1
        else:
            out.append((lower, upper, f"{format_number(round(lower, 2))}\u2013{format_number(round(upper, 2))}"))
            lower = upper
    return out


_CLASS_COLOURS = {1: (3,), 2: (2, 4), 3: (1, 3, 4), 4: (1, 2, 3, 4)}


def plot_choropleth(data, *, value: str = "count", iso3: str = "iso3", region=None, title: str | None = None,
                    source=None, ax=None, what: str = "records", world=None, ds=None):
    """Countries shaded by ``value`` (summed per country); countries without data in light grey.

    ``data`` has an ``iso3`` column and a ``value`` column; when ``value="count"`` and there is no
    such column, rows are counted. Zero and missing values count as no data. ``source`` is the
    source line or paragraph locators (default: the ``paragraph`` column). ``world`` replaces the
    committed outlines (tests); ``what`` names what is counted.
    """
    import pandas as pd
    from matplotlib.patches import Patch

    frame = as_frame(data)
    count_rows = value == "count" and "count" not in frame.columns
    require_columns(frame, (iso3,) if count_rows else (iso3, value), function="plot_choropleth")
    with style_context():
        world = load_world() if world is None else world
        label, region_iso3 = _region(region, ds, function="plot_choropleth")
        if frame.empty:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        values = pd.Series(1.0, index=frame.index) if count_rows else pd.to_numeric(frame[value]).astype(float)
        per_country = values.groupby(frame[iso3].astype("string").str.upper()).sum()
        per_country = per_country[per_country > 0]
        if per_country.empty:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        ax = prepare_axes(ax, _map_figsize(world, region_iso3))
        _defer_draws(ax.figure)
        land = world[world["iso3"] != "ATA"].copy()
        land["_value"] = land["iso3"].map(per_country)
        inside = land["iso3"].isin(list(region_iso3)) if region_iso3 else land["iso3"].notna()
        has = land["_value"].notna() & inside
        if region_iso3 and (~inside).any():
            land[~inside].plot(ax=ax, color=_OTHER_LAND, edgecolor="white", linewidth=0.4)
            ax.collections[-1].set_gid("outside-region")
        if (inside & ~has).any():
            land[inside & ~has].plot(ax=ax, color=NO_DATA_COLOR, edgecolor="white", linewidth=0.4)
            ax.collections[-1].set_gid("no-data-countries")
        classes = _classes(land.loc[has, "_value"]) if has.any() else []
        colours = [SEQUENTIAL[i] for i in _CLASS_COLOURS.get(len(classes), ())]
        lowers = [lower for lower, _, _ in classes]
        class_of = land["_value"].map(lambda v: max(k for k, lo in enumerate(lowers) if v >= lo)
                                      if v == v and lowers and v >= lowers[0] else -1)
        handles = []
        for k, ((_, _, text), colour) in enumerate(zip(classes, colours)):
            members = land[has & (class_of == k)]
            if members.empty:
                continue
            members.plot(ax=ax, color=colour, edgecolor="white", linewidth=0.5)
            ax.collections[-1].set_gid(f"class-{k}")
            handles.append(Patch(facecolor=colour, edgecolor="white", label=text))
        marked = _inferred_countries(frame, iso3, per_country)
        if marked:  # what the chapter only implies is marked wherever it is shown: hatched here
            shaded = land[has & land["iso3"].isin(marked)]
            if not shaded.empty:
                shaded.plot(ax=ax, facecolor="none", edgecolor=MUTED_TEXT_COLOR, hatch="////", linewidth=0)
                ax.collections[-1].set_gid("inferred-countries")
                handles.append(Patch(facecolor="white", edgecolor=MUTED_TEXT_COLOR, hatch="////",
                                     label="Counted wholly or partly\nthrough inferences"))
        handles.append(Patch(facecolor=NO_DATA_COLOR, edgecolor="white", label="No data"))
        if region_iso3:
            handles.append(Patch(facecolor=_OTHER_LAND, edgecolor="#CCCCCC", label=f"Outside {label}"))
        extent = _set_extent(ax, world, region_iso3)
        ax.legend(handles=handles, title=_legend_title(what), loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  alignment="left")
        names = _names(world, ds)
        off_map = sorted(set(per_country.index) - set(land["iso3"]))
        if title is None:
            shown = per_country if not region_iso3 else per_country[per_country.index.isin(region_iso3)]
            where = f" in {label}" if label else ""
            if shown.empty:
                title = f"No {what} for countries{where}"
            else:
                top = shown.max()
                leaders = sorted(names.get(c, c) for c in shown.index[shown == top])
                lead = leaders[0] if len(leaders) == 1 else f"{', '.join(leaders[:-1])} and {leaders[-1]}"
                if len(shown) == 1:
                    title = f"{lead} is the only country{where} with {what} ({format_number(top)})"
                else:
                    title = (f"{plural(len(shown), 'country', 'countries')}{where} with {what}; "
                             f"most in {lead} ({format_number(top)})")
        set_title(ax, title)
        cited = frame
        if region_iso3 and source is None:
            cited = frame[frame[iso3].astype("string").str.upper().isin(list(region_iso3))]
        line = source_line(source, cited)
        note = f"Not drawn at this scale: {_list(off_map)}" if off_map else None
        if marked:
            which = f" ({_list([names.get(c, c) for c in marked])})" if len(marked) <= 5 else ""
            note = "; ".join(filter(None, [note, f"hatched{which}: counted wholly or partly through records "
                                                 "the chapter only implies (see the briefing's Inferences)"]))
        if region_iso3 and extent is None:
            note = "; ".join(filter(None, [note, "the region has no outline on this map: world shown"]))
        add_source(ax, f"{line}. {MAP_CREDIT}", note=note)
    return ax


def _inferred_countries(frame, iso3: str, per_country) -> list[str]:
    """The countries (ISO3) whose value counts records the chapter only implies: an ``inferred``
    column (how many of a country's records are inferred, as :mod:`.alttext` reads it) above 0."""
    import pandas as pd

    if "inferred" not in frame.columns:
        return []
    inferred = pd.to_numeric(frame["inferred"], errors="coerce").fillna(0)
    per = inferred.groupby(frame[iso3].astype("string").str.upper()).sum()
    return sorted(c for c in per.index[per > 0] if c in per_country.index)


def _legend_title(what: str) -> str:
    return f"Number of {what}"


# --- presence --------------------------------------------------------------------------------

def locate(kind: str, row, ds=None) -> tuple[str, ...]:
    """ISO3 codes of the country or countries where an operation or office (a row) works.

    Uses, in order: an ``iso3`` column; the place (a country, or the country of a subnational
    area); for operations, the host country in ``operation_facts``; for offices, the countries in
    ``office_coverage``. Empty when none applies (e.g. a headquarters office).
    """
    code = text_of(row.get("iso3"))
    if code:
        return (code,)
    place_id = text_of(row.get("place_id"))
    places = table_of(ds, "places")
    if places is not None and place_id:
        match = places[places["place_id"].astype(str) == place_id]
        if not match.empty and text_of(match["iso3"].iloc[0]):
            return (text_of(match["iso3"].iloc[0]),)
    if place_id and len(place_id) == 3 and place_id.isupper():
        return (place_id,)
    facts = table_of(ds, "operation_facts") if kind == "operation" else None
    if facts is not None:
        match = facts[facts["operation_id"].astype(str) == text_of(row.get("operation_id"))]
        if not match.empty:
            return (text_of(match["host_iso3"].iloc[0]),)
    coverage = table_of(ds, "office_coverage") if kind == "office" else None
    if coverage is not None:
        match = coverage[coverage["office_id"].astype(str) == text_of(row.get("office_id"))]
        if not match.empty:
            return tuple(sorted(match["iso3"].astype(str)))
    return ()


def office_seats(ds=None) -> dict[str, dict]:
    """office id -> its seat from the context table ``office_seats``: ``point`` (lon, lat),
    ``city`` and ``source`` (the short name of the source that gives the seat). Empty without
    ``ds`` or the table."""
    seats = table_of(ds, "office_seats")
    if seats is None or seats.empty:
        return {}
    sources = table_of(ds, "sources")
    titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str))) \
        if sources is not None else {}
    out = {}
    for row in seats.to_dict("records"):
        source = text_of(row.get("source_id"))
        out[text_of(row.get("office_id"))] = {
            "point": (float(row["longitude"]), float(row["latitude"])),
            "city": text_of(row.get("city")),
            "source": titles.get(source, source).split(":")[0],
        }
    return out


def _anchor_points(items, world):
    """A representative point (lon, lat) per item of (kind, id, iso3 tuple); None when off the map."""
    import shapely

    geometry = dict(zip(world["iso3"].astype(str), world.geometry))
    out = []
    for kind, ident, codes in items:
        shapes = [geometry[c] for c in codes if c in geometry]
        if not shapes:
            out.append(None)
            continue
        point = shapely.union_all(shapes).representative_point() if len(shapes) > 1 else shapes[0].representative_point()
        out.append((point.x, point.y))
    return out


def _spread(points, radius):
    """Move points that share a spot, or nearly (closer than 1.5 radii), onto a small circle
    around their centre, in a fixed order, so that no marker hides another."""
    clusters: list[list[int]] = []
    centres: list[tuple[float, float]] = []
    for i, p in enumerate(points):
        if p is None:
            continue
        for k, (cx, cy) in enumerate(centres):
            if math.hypot(p[0] - cx, p[1] - cy) < 1.5 * radius:
                clusters[k].append(i)
                xs, ys = [points[j][0] for j in clusters[k]], [points[j][1] for j in clusters[k]]
                centres[k] = (sum(xs) / len(xs), sum(ys) / len(ys))
                break
        else:
            clusters.append([i])
            centres.append((p[0], p[1]))
    moved = list(points)
    for members, (x, y) in zip(clusters, centres):
        if len(members) == 1:
            continue
        ring = radius * max(1.0, len(members) / 3)
        for k, i in enumerate(members):
            angle = math.pi / 2 + 2 * math.pi * k / len(members)
            moved[i] = (x + ring * math.cos(angle), y + ring * math.sin(angle))
    return moved


def plot_presence(*, operations=None, offices=None, region=None, title: str | None = None, ax=None,
                  ds=None, world=None, labels: bool = True):
    """Peace operations (triangles) and envoys/offices (squares) at a representative point of the
    country or countries they work in, each labelled with its id; several at one spot are spread
    on a small circle. Rows are shaped like the ``operations`` and ``offices`` tables; places are
    resolved with ``ds`` when it is given (see :func:`locate`; without it, only ISO3 place ids and an
    ``iso3`` column locate a row). Items that cannot be
    located are named under the map.
    """
    ops = as_frame(operations)
    offs = as_frame(offices)
    require_columns(ops, OPERATION_COLUMNS, function="plot_presence", shaped_like="operations")
    require_columns(offs, OFFICE_COLUMNS, function="plot_presence", shaped_like="offices")
    with style_context():
        world = load_world() if world is None else world
        label, region_iso3 = _region(region, ds, function="plot_presence")
        if ops.empty and offs.empty:
            return no_data(prepare_axes(ax, (9, 2.5)), title=title)
        items, guessed, points, seats, seated = _presence_points(ops, offs, ds, world)
        located = [i for i, p in enumerate(points) if p is not None]
        # Every item given is the selection's: one with no place of its own (an office present
        # through an engagement) is named under the map, as the map's alt text counts it
        unlocated = [items[i][1] + ("*" if items[i][:2] in guessed else "")
                     for i, p in enumerate(points) if p is None]
        ax = prepare_axes(ax, _map_figsize(world, region_iso3))
        _defer_draws(ax.figure)
        _base_map(ax, world, region_iso3)
        extent = _set_extent(ax, world, region_iso3)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        points = _spread(points, radius=(x1 - x0) * 0.012)
        inset_x, inset_y = (x1 - x0) * 0.01, (y1 - y0) * 0.01
        visible = [i for i in located if x0 + inset_x <= points[i][0] <= x1 - inset_x
                   and y0 + inset_y <= points[i][1] <= y1 - inset_y]
        styles = {"operation": dict(marker="^", s=95, color=OPERATION_COLOR, label="UN peace operation"),
                  "office": dict(marker="s", s=70, color=OFFICE_COLOR, label="Envoy or office")}
        for kind, style in styles.items():
            idx = [i for i in visible if items[i][0] == kind]
            if not idx:
                continue
            xs, ys = [points[i][0] for i in idx], [points[i][1] for i in idx]
            ax.scatter(xs, ys, marker=style["marker"], s=style["s"], color=style["color"], edgecolors="white",
                       linewidths=0.9, zorder=5, gid=f"{kind}s", label=f"{style['label']} ({len(idx)})")
        if visible:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), alignment="left")
        if title is None:
            chosen = located
            if region_iso3:
                chosen = [i for i in located if set(items[i][2]) & set(region_iso3)]
            n_ops = sum(items[i][0] == "operation" for i in chosen)
            n_offs = len(chosen) - n_ops
            parts = ([plural(n_ops, "peace operation")] if n_ops else []) + (
                [plural(n_offs, "envoy or office", "envoys or offices")] if n_offs else [])
            counted = " and ".join(parts)
            if not parts:
                title = f"No peace operation, envoy or office of the chapter located in {label}"
            elif label:
                title = f"{counted} {'works' if len(chosen) == 1 else 'work'} in {label}"
            else:
                title = f"Where the chapter's {counted} work"
        set_title(ax, title)
        cited = {items[i][:2] for i, p in enumerate(points) if p is None or i in visible}
        paragraphs = [row["paragraph"] for kind, frame, column in (("operation", ops, "operation_id"),
                                                                   ("office", offs, "office_id"))
                      for _, row in (frame.iterrows() if not frame.empty else ()) if (kind, str(row[column])) in cited]
        notes = []
        if unlocated:
            notes.append(f"Not drawn (no place of its own): {_list(unlocated)}")
        if region_iso3 and extent is None:
            notes.append("the region has no outline on this map: world shown")
        shown_seats = [i for i in seated if i in visible]
        if shown_seats:
            notes.append("; ".join(f"{items[i][1]} at its seat, {seats[items[i][1]]['city']} "
                                   f"(context, not in the chapter: {seats[items[i][1]]['source']})"
                                   for i in shown_seats))
        starred = [i for i in visible if items[i][:2] in guessed]
        if starred or any(u.endswith("*") for u in unlocated):
            notes.append("* not named in the chapter: inferred (see the briefing's Inferences)")
        add_source(ax, f"{chapter_source(paragraphs)}. {MAP_CREDIT}", note="; ".join(notes) or None)
        if labels and visible:
            _label_points(ax, [(points[i], items[i][1] + ("*" if i in starred else "")) for i in visible])
    return ax


def _presence_points(ops, offs, ds, world):
    """What a presence map draws: its items ``(kind, id, iso3 codes)``, the inferred ones, each
    item's point (None: no place of its own), the offices' seats and which items sit at one."""
    items = []
    guessed = set()  # items the chapter does not name (their row is inferred): starred labels
    for kind, frame, id_column in (("operation", ops, "operation_id"), ("office", offs, "office_id")):
        for _, row in frame.sort_values(id_column, kind="stable").iterrows() if not frame.empty else ():
            items.append((kind, str(row[id_column]), locate(kind, row, ds)))
            inferred = row.get("inferred")
            if inferred is not None and not missing(inferred) and bool(inferred):
                guessed.add((kind, str(row[id_column])))
    points = _anchor_points(items, world)
    seats = office_seats(ds)
    seated = []  # offices drawn at their seat (a context fact: the chapter gives no seat)
    for i, (kind, ident, _codes) in enumerate(items):
        if kind == "office" and ident in seats:
            points[i] = seats[ident]["point"]
            seated.append(i)
    return items, guessed, points, seats, seated


def not_drawn(*, operations=None, offices=None, ds=None, world=None) -> list[str]:
    """The ids :func:`plot_presence` names under its map instead of drawing (no place of their
    own), for the map's alt text to say so too."""
    world = load_world() if world is None else world
    items, _, points, _, _ = _presence_points(as_frame(operations), as_frame(offices), ds, world)
    return [items[i][1] for i, p in enumerate(points) if p is None]


_DIRECTIONS = ((1, 0.45), (1, -0.45), (-1, 0.45), (-1, -0.45), (0, 1), (0, -1), (1, 1), (-1, 1),
               (1, -1), (-1, -1))
_RINGS = (7.0, 17.0, 28.0, 40.0, 54.0)


def _label_candidates(away):
    """Offsets (points) to try for a label: rings nearest first, and on each ring the directions
    pointing away from the neighbouring markers first."""
    ax_, ay_ = away
    out = []
    for ring in _RINGS:
        directions = sorted(_DIRECTIONS, key=lambda d: -(d[0] * ax_ + d[1] * ay_) / math.hypot(*d))
        for dx, dy in directions:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top"
            out.append((dx * ring, dy * ring, ha, va, ring))
    return out


def _label_points(ax, labelled, font_size: float = 8.5):
    """Write each id beside its marker, away from the markers, other labels and their leaders.

    The figure is laid out first (without rendering) so that positions are final; each label takes
    the nearest free spot, trying first the side facing away from neighbouring markers, with a
    leader line when it sits farther out; if none is free, the spot with the least overlap.
    """
    from shapely.geometry import LineString, box

    ax.figure.draw_without_rendering()
    scale = ax.figure.dpi / 72
    markers = [tuple(ax.transData.transform(p) / scale) for p, _ in labelled]
    marker_boxes = [box(x - 6, y - 6, x + 6, y + 6) for x, y in markers]
    frame = ax.get_window_extent()
    bounds = box(frame.x0 / scale, frame.y0 / scale, frame.x1 / scale, frame.y1 / scale)
    taken, leaders = [], []
    order = sorted(range(len(labelled)), key=lambda i: (-markers[i][1], markers[i][0]))
    for i in order:
        (x, y), text = labelled[i]
        px, py = markers[i]
        near = [m for m in markers if math.hypot(m[0] - px, m[1] - py) < 45]
        cx, cy = sum(m[0] for m in near) / len(near), sum(m[1] for m in near) / len(near)
        away = (px - cx, py - cy) if (px, py) != (cx, cy) else (1.0, 0.3)
        w, h = len(text) * font_size * 0.7 + 3, font_size * 1.25 + 2
        best, best_cost = None, math.inf
        for dx, dy, ha, va, ring in _label_candidates(away):
            left = px + dx - (w if ha == "right" else w / 2 if ha == "center" else 0)
            bottom = py + dy - (h if va == "top" else 0)
            shape = box(left, bottom, left + w, bottom + h)
            cost = 10 * sum(shape.intersection(o).area for o in taken)
            cost += 10 * sum(shape.intersection(m).area for k, m in enumerate(marker_boxes) if k != i)
            cost += (shape.area - shape.intersection(bounds).area) * 2
            leader = LineString([(px, py), (px + dx, py + dy)]) if ring > _RINGS[0] else None
            if leader is not None:
                cost += 200 * sum(leader.intersects(m) for k, m in enumerate(marker_boxes) if k != i)
                cost += 200 * sum(leader.intersects(other) for other in leaders)
                cost += 200 * sum(leader.intersects(o) for o in taken)
            if cost < best_cost:
                best, best_cost = (dx, dy, ha, va, ring, shape, leader), cost
            if cost == 0:
                break
        dx, dy, ha, va, ring, shape, leader = best
        taken.append(shape)
        if leader is not None:
            leaders.append(leader)
        arrow = dict(arrowstyle="-", color="#777777", linewidth=0.6, shrinkA=0, shrinkB=4) if leader else None
        label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                            fontsize=font_size, color="#111111", zorder=6, gid="presence-label",
                            arrowprops=arrow,
                            bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.8))
        label.set_in_layout(False)  # keep the layout the placement was computed for
