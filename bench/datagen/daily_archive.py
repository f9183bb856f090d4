"""An archive of daily netCDF-4 files (netCDF-C): hourly 2 m temperature on a 2.5° grid,
zlib + shuffle, one chunk per hour — the multi-file index + combine benchmark and the dataset
read back through every output format. The digest of the whole variable (files in order)
is the oracle every reader must reproduce."""
import os

import netCDF4
import numpy as np

from .common import ValueDigest, rng

LAT = np.linspace(90, -90, 73, dtype="f4")
LON = np.arange(0, 360, 2.5, dtype="f4")
HOURS = 24


def write_day(path, day, r):
    ds = netCDF4.Dataset(path, "w", format="NETCDF4")
    ds.title = "vzarr bench: synthetic hourly 2 m temperature"
    ds.createDimension("time", None)
    ds.createDimension("lat", LAT.size)
    ds.createDimension("lon", LON.size)
    t = ds.createVariable("time", "f8", ("time",))
    t.units = "hours since 2000-01-01"
    t.calendar = "standard"
    lat = ds.createVariable("lat", "f4", ("lat",))
    lat.units = "degrees_north"
    lat[:] = LAT
    lon = ds.createVariable("lon", "f4", ("lon",))
    lon.units = "degrees_east"
    lon[:] = LON
    v = ds.createVariable("t2m", "f4", ("time", "lat", "lon"), zlib=True, shuffle=True, complevel=1,
                          chunksizes=(1, LAT.size, LON.size))
    v.units = "K"
    t[:] = day * HOURS + np.arange(HOURS, dtype="f8")
    hour = np.arange(HOURS)[:, None, None]
    values = (288 - 30 * np.abs(LAT)[None, :, None] / 90
              + 5 * np.sin(np.radians(LON)[None, None, :] + 2 * np.pi * hour / 24)
              + r.normal(0, 1, (HOURS, LAT.size, LON.size)))
    values = np.round(values, 2).astype("f4")
    v[:] = values
    ds.close()
    return values


def make(out, scale):
    files = max(20, round(1000 * scale))
    folder = os.path.join(out, "daily")
    os.makedirs(folder, exist_ok=True)
    r = rng("daily")
    digest = ValueDigest()
    paths = []
    for day in range(files):
        path = os.path.join(folder, f"t2m_{day:04d}.nc")
        digest.update(write_day(path, day, r))
        paths.append(path)
    return {"daily": {
        "glob": os.path.join(folder, "t2m_*.nc"), "files": paths, "concat_dim": "time",
        "variable": "t2m", "shape": [files * HOURS, LAT.size, LON.size], "dtype": "<f4",
        "chunks_per_file": HOURS, "digest": digest.hexdigest(),
    }}
