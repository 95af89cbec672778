"""One-off: cut the bundled basemap out of Natural Earth's 1:110m countries, as shipped in geopandas 0.14.4.

Runs offline once the sdist is on disk (geopandas and shapely needed here only, not at run time):

    pip download geopandas==0.14.4 --no-deps --no-binary :all: -d /tmp/ne
    tar xzf /tmp/ne/geopandas-0.14.4.tar.gz -C /tmp/ne
    python tools/extract_basemap.py \
        /tmp/ne/geopandas-0.14.4/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Writes src/crudeflow/data/basemap/countries_110m.geojson: the countries that meet the box below, clipped to
it, coordinates rounded to 0.01 degree (about 1 km, far below the 1:110m scale's own precision).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box, mapping

# Wide enough for every node of the built-in network: Schwedt (14 E) to Alashankou (83 E), Ceyhan (37 N)
# to Ust-Luga (60 N), with a margin.
WEST_DEG, SOUTH_DEG, EAST_DEG, NORTH_DEG = 10.0, 33.0, 92.0, 62.0
DECIMALS = 2
TARGET = Path(__file__).resolve().parent.parent / "src" / "crudeflow" / "data" / "basemap" / "countries_110m.geojson"


def rounded(coords: object) -> object:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], float | int):
        return [round(float(c), DECIMALS) for c in coords]
    return [rounded(c) for c in coords]  # type: ignore[union-attr]


def main(shapefile: str) -> None:
    world = gpd.read_file(shapefile)
    frame = box(WEST_DEG, SOUTH_DEG, EAST_DEG, NORTH_DEG)
    features = []
    for _, row in world[world.intersects(frame)].sort_values("name").iterrows():
        clipped = row.geometry.intersection(frame)
        if clipped.is_empty:
            continue
        geometry = mapping(clipped)
        geometry = {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}
        features.append({"type": "Feature", "properties": {"name": row["name"], "iso_a3": row["iso_a3"]},
                         "geometry": geometry})
    collection = {"type": "FeatureCollection",
                  "bbox": [WEST_DEG, SOUTH_DEG, EAST_DEG, NORTH_DEG],
                  "features": features}
    TARGET.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(features)} countries, {TARGET.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main(sys.argv[1])
