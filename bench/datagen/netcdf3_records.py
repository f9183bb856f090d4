"""A netCDF-3 (64-bit offset) file with many records: a time coordinate and two record
variables, so the records interleave and every tool makes one chunk per record."""
import os

import netCDF4
import numpy as np

from .common import rng


def make(out, scale):
    records = max(1000, round(100_000 * scale))
    stations = 16
    path = os.path.join(out, "records.nc")
    r = rng("netcdf3")
    with netCDF4.Dataset(path, "w", format="NETCDF3_64BIT_OFFSET") as ds:
        ds.title = "vzarr bench: station records"
        ds.createDimension("time", None)
        ds.createDimension("station", stations)
        t = ds.createVariable("time", "f8", ("time",))
        t.units = "minutes since 2000-01-01"
        temp = ds.createVariable("temp", "f4", ("time", "station"))
        temp.units = "K"
        pres = ds.createVariable("pres", "f4", ("time", "station"))
        pres.units = "hPa"
        t[:] = np.arange(records, dtype="f8")
        temp[:] = r.normal(280, 5, (records, stations)).astype("f4")
        pres[:] = r.normal(1000, 8, (records, stations)).astype("f4")
    return {"netcdf3": {"path": path, "records": records, "variables": ["time", "temp", "pres"]}}
