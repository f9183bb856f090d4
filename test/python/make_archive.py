"""Seeded archives of small netCDF files for the combine tests.

    make_archive.py daily <dir> [n=365] [format=NETCDF3_64BIT_OFFSET]
        one file per day (time unlimited, one record), air(time, lat, lon) float32 and a packed
        int16 precip with scale_factor/add_offset/_FillValue (NETCDF4: zlib + shuffle, chunks of
        one day); prints {"files": [...]}.
    make_archive.py monthly <dir> [year=2024] [format]
        one file per month, time a fixed dimension of the month's length (28-31) so each
        variable is a single chunk per file: joining them needs a rectilinear grid.
    make_archive.py variants <dir> [format]
        files that differ from a base file in one encoding property (scale_factor, add_offset,
        _FillValue, dtype; with NETCDF4 also codecs and chunk shape); prints
        {"base": path, "<what>": path, ...}.
    make_archive.py mixed-time <dir>
        files whose time coordinates use different units and (compatible) calendars.
"""
import calendar
import json
import os
import sys

import netCDF4
import numpy as np

NLAT, NLON = 4, 5


def write(path, times, units, cal="standard", fmt="NETCDF3_64BIT_OFFSET", unlimited=True, seed=0,
          scale=0.01, offset=10.0, fill=-32767, air_dtype="f4", zlib=None, chunk_lat=None):
    nc4 = fmt.startswith("NETCDF4")
    # netCDF-4 files compress (and chunk) the data variables, as archives usually do.
    zlib = nc4 if zlib is None else zlib
    chunks = (1, chunk_lat or NLAT, NLON) if nc4 and unlimited else None
    comp = dict(zlib=True, shuffle=True, complevel=4) if zlib else {}
    rng = np.random.default_rng(seed)
    ds = netCDF4.Dataset(path, "w", format=fmt)
    ds.createDimension("time", None if unlimited else len(times))
    ds.createDimension("lat", NLAT)
    ds.createDimension("lon", NLON)
    t = ds.createVariable("time", "f8", ("time",))
    t.units = units
    t.calendar = cal
    t.standard_name = "time"
    lat = ds.createVariable("lat", "f4", ("lat",))
    lat.units = "degrees_north"
    lat[:] = np.linspace(-30, 30, NLAT)
    lon = ds.createVariable("lon", "f4", ("lon",))
    lon.units = "degrees_east"
    lon[:] = np.linspace(0, 80, NLON)
    air = ds.createVariable("air", air_dtype, ("time", "lat", "lon"), chunksizes=chunks, **comp)
    air.units = "K"
    pr = ds.createVariable("precip", "i2", ("time", "lat", "lon"), fill_value=fill, chunksizes=chunks, **comp)
    pr.scale_factor = scale
    pr.add_offset = offset
    pr.units = "mm"
    pr.set_auto_maskandscale(False)
    ds.title = "vzarr combine test archive"
    n = len(times)
    t[:] = np.asarray(times, dtype="f8")
    air[:] = (250 + 30 * rng.random((n, NLAT, NLON))).astype(air_dtype)
    raw = rng.integers(0, 3000, size=(n, NLAT, NLON)).astype("i2")
    raw[rng.random((n, NLAT, NLON)) < 0.05] = fill
    pr[:] = raw
    ds.close()


def daily(out, n=365, fmt="NETCDF3_64BIT_OFFSET"):
    files = []
    for d in range(int(n)):
        p = os.path.join(out, f"day_{d:04d}.nc")
        write(p, [d], "days since 2001-01-01", fmt=fmt, seed=d)
        files.append(p)
    return {"files": files}


def monthly(out, year=2024, fmt="NETCDF3_64BIT_OFFSET"):
    year = int(year)
    files = []
    start = 0
    for m in range(1, 13):
        n = calendar.monthrange(year, m)[1]
        p = os.path.join(out, f"month_{year}_{m:02d}.nc")
        write(p, list(range(start, start + n)), f"days since {year}-01-01", fmt=fmt, unlimited=False, seed=m)
        files.append(p)
        start += n
    return {"files": files}


def variants(out, fmt="NETCDF3_64BIT_OFFSET"):
    base = os.path.join(out, "base.nc")
    write(base, [0, 1], "days since 2001-01-01", fmt=fmt, seed=1)
    res = {"base": base}
    changes = {"scale_factor": {"scale": 0.1}, "add_offset": {"offset": 5.0}, "_FillValue": {"fill": -999},
               "dtype": {"air_dtype": "f8"}}
    if fmt.startswith("NETCDF4"):
        changes.update({"codecs": {"zlib": False}, "chunks": {"chunk_lat": 2}})
    for what, kw in changes.items():
        p = os.path.join(out, f"{what.strip('_')}.nc")
        write(p, [2, 3], "days since 2001-01-01", fmt=fmt, seed=2, **kw)
        res[what] = p
    return res


def mixed_time(out):
    # All describe consecutive days of January 2001, written in different units and calendars.
    specs = [
        ("a.nc", [0, 1, 2], "days since 2001-01-01", "standard"),
        ("b.nc", [72, 96], "hours since 2001-01-01 00:00:00", "gregorian"),
        ("c.nc", [0, 1, 2], "days since 2001-01-06", "proleptic_gregorian"),
        ("d.nc", [0, 1440], "minutes since 2001-01-09", "standard"),
    ]
    files = []
    for i, (name, times, units, cal) in enumerate(specs):
        p = os.path.join(out, name)
        write(p, times, units, cal, seed=10 + i)
        files.append(p)
    return {"files": files}


if __name__ == "__main__":
    kind, out, *rest = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    fn = {"daily": daily, "monthly": monthly, "variants": variants, "mixed-time": mixed_time}[kind]
    print(json.dumps(fn(out, *rest)))
