"""Writes netCDF-4 files for the Icechunk append checks (seeded):

    python make_append_cases.py OUT_DIR

base.nc (4 daily steps from 2000-01-01, lat, packed int16 temp, precip) and variants to append
along time: next.nc (the following 4 days), hours.nc (the same days in hours since 1999-12-01),
dup.nc (overlapping days), lat.nc (other latitudes), packed.nc (another scale_factor),
missing.nc (no precip), extra.nc (an extra variable); and netCDF-3 files base3.nc / next3.nc
with a char variable (its fill value is a byte).
"""
import os
import sys

import netCDF4
import numpy as np

RNG = np.random.default_rng(20261207)


def write(path, days, units="days since 2000-01-01", lat=(10.0, 20.0, 30.0), scale=0.01, precip=True, extra=False,
          fmt="NETCDF4"):
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.createDimension("time", None)
        ds.createDimension("lat", len(lat))
        t = ds.createVariable("time", "f8", ("time",))
        t.units = units
        t.calendar = "standard"
        base = netCDF4.date2num(netCDF4.num2date(0, "days since 2000-01-01"), units)
        per_day = 24.0 if units.startswith("hours") else 1.0
        t[:] = base + np.asarray(days, dtype="f8") * per_day
        kw = {"chunksizes": (1, len(lat))} if fmt == "NETCDF4" else {}
        y = ds.createVariable("lat", "f4", ("lat",))
        y[:] = lat
        v = ds.createVariable("temp", "i2", ("time", "lat"), **kw)
        v.scale_factor = scale
        v.add_offset = 280.0
        v.set_auto_maskandscale(False)
        v[:] = RNG.integers(-1000, 1000, size=(len(days), len(lat)), dtype="i2")
        if precip:
            p = ds.createVariable("precip", "f4", ("time", "lat"), **kw)
            p[:] = RNG.random((len(days), len(lat))).astype("f4")
        if extra:
            e = ds.createVariable("wind", "f4", ("time", "lat"), **kw)
            e[:] = 1.0
        if fmt.startswith("NETCDF3"):
            ds.createDimension("nchar", 5)
            c = ds.createVariable("label", "S1", ("time", "nchar"))
            c[:] = netCDF4.stringtochar(np.array([f"d{d:03d}" for d in days], "S5"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "base.nc"), [0, 1, 2, 3])
    write(os.path.join(out, "next.nc"), [4, 5, 6, 7])
    write(os.path.join(out, "hours.nc"), [4, 5, 6, 7], units="hours since 1999-12-01")
    write(os.path.join(out, "dup.nc"), [2, 3, 4, 5])
    write(os.path.join(out, "lat.nc"), [4, 5, 6, 7], lat=(11.0, 21.0, 31.0))
    write(os.path.join(out, "packed.nc"), [4, 5, 6, 7], scale=0.02)
    write(os.path.join(out, "missing.nc"), [4, 5, 6, 7], precip=False)
    write(os.path.join(out, "extra.nc"), [4, 5, 6, 7], extra=True)
    write(os.path.join(out, "base3.nc"), [0, 1, 2, 3], fmt="NETCDF3_CLASSIC")
    write(os.path.join(out, "next3.nc"), [4, 5, 6, 7], fmt="NETCDF3_CLASSIC")
    print("{}")


if __name__ == "__main__":
    main()
