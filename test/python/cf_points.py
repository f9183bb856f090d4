"""Latitude/longitude of projection points by a CF grid mapping, as pyproj computes them
(an oracle independent of vzarr's projection code).

usage: cf_points.py MAPPING_JSON X,Y...   prints {"points": [[lat, lon], ...]}
"""
import json
import sys

import pyproj


def main(mapping, *points):
    crs = pyproj.CRS.from_cf(json.loads(mapping))
    to_lonlat = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    out = []
    for p in points:
        x, y = (float(v) for v in p.split(","))
        lon, lat = to_lonlat.transform(x, y)
        out.append([lat, lon])
    print(json.dumps({"points": out}))


if __name__ == "__main__":
    main(*sys.argv[1:])
