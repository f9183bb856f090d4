"""Latitude, longitude and value of chosen points of one GRIB message, as ecCodes computes them.

usage: grib_points.py FILE MESSAGE_INDEX POINT_INDEX...   prints {"points": [[lat, lon, value], ...]}
"""
import json
import sys

import eccodes as ec


def main(path, message, *points):
    with open(path, "rb") as f:
        for _ in range(int(message)):
            ec.codes_release(ec.codes_grib_new_from_file(f))
        h = ec.codes_grib_new_from_file(f)
    lat, lon, values = (ec.codes_get_array(h, k) for k in ("latitudes", "longitudes", "values"))
    ec.codes_release(h)
    out = [[float(lat[int(i)]), float(lon[int(i)]), float(values[int(i)])] for i in points]
    print(json.dumps({"points": out}))


if __name__ == "__main__":
    main(*sys.argv[1:])
