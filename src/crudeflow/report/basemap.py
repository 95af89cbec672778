"""The bundled basemap: Natural Earth's 1:110m countries around the Caspian and the Black Sea (public
domain; `data/basemap/README.md` says where it came from). Read with plain json, drawn as polygons, so
the report needs neither a tile server nor a GIS library.

>>> countries = load_countries()
>>> "Kazakhstan" in {c.name for c in countries}
True
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

BASEMAP_FILE = Path(__file__).resolve().parent.parent / "data" / "basemap" / "countries_110m.geojson"
LAND_COLOUR = "#efebe2"
BORDER_COLOUR = "#b9b2a5"
SEA_COLOUR = "#d6e6f2"


@dataclass(frozen=True)
class Country:
    name: str
    iso_a3: str
    polygons: tuple[tuple[np.ndarray, ...], ...]  # each polygon: exterior ring, then holes; rows (lon, lat)


@lru_cache(maxsize=1)
def load_countries(path: Path = BASEMAP_FILE) -> tuple[Country, ...]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    countries = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        polygons = tuple(tuple(np.asarray(ring, dtype=float) for ring in polygon) for polygon in parts)
        props = feature["properties"]
        countries.append(Country(props["name"], props["iso_a3"], polygons))
    return tuple(countries)


def lon_scale(lat_mid_deg: float) -> float:
    """Length of a degree of longitude relative to a degree of latitude at `lat_mid_deg`
    (an equirectangular map drawn with this aspect keeps shapes right near that latitude)."""
    return math.cos(math.radians(lat_mid_deg))


def draw_basemap(ax: Axes) -> None:
    """Countries as filled polygons on a sea-coloured background; the Caspian and Black Sea are the gaps."""
    ax.set_facecolor(SEA_COLOUR)
    for country in load_countries():
        for polygon in country.polygons:
            vertices = np.concatenate(polygon)
            codes = np.concatenate([_ring_codes(len(ring)) for ring in polygon])
            ax.add_patch(PathPatch(MplPath(vertices, codes), facecolor=LAND_COLOUR, edgecolor=BORDER_COLOUR,
                                   linewidth=0.6, zorder=0))


def _ring_codes(n: int) -> np.ndarray:
    codes = np.full(n, MplPath.LINETO, dtype=MplPath.code_type)
    codes[0], codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
    return codes


def basemap_trace() -> go.Scatter:
    """All countries as one filled Plotly trace (rings separated by gaps), not hoverable."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for country in load_countries():
        for polygon in country.polygons:
            ring = polygon[0]  # 1:110m countries in this box have no holes worth drawing
            lons += [*ring[:, 0].tolist(), None]
            lats += [*ring[:, 1].tolist(), None]
    return go.Scatter(x=lons, y=lats, mode="lines", fill="toself", fillcolor=LAND_COLOUR,
                      line={"color": BORDER_COLOUR, "width": 0.7}, hoverinfo="skip", showlegend=False)
