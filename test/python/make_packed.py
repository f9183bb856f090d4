"""Writes a netCDF3 file with a packed variable (int16 + scale_factor/add_offset/_FillValue and
missing_value) and prints what netCDF4-python decodes it to: {sha256, shape} of float64 with
NaN where masked."""
import json
import sys

import netCDF4
import numpy as np

from read_refs import digest

path = sys.argv[1]
rng = np.random.default_rng(7)
with netCDF4.Dataset(path, "w", format="NETCDF3_64BIT_OFFSET") as ds:
    ds.createDimension("time", None)
    ds.createDimension("x", 6)
    v = ds.createVariable("t", "i2", ("time", "x"), fill_value=-999)
    v.scale_factor = 0.01
    v.add_offset = 273.15
    v.missing_value = np.int16(-998)
    v.set_auto_maskandscale(False)
    raw = rng.integers(-500, 500, size=(4, 6)).astype("i2")
    raw[0, 1] = -999
    raw[2, 3] = -998
    v[:] = raw
with netCDF4.Dataset(path) as ds:
    a = ds["t"][:]
    decoded = np.ma.filled(a.astype("f8"), np.nan)
print(json.dumps({"sha256": digest(decoded), "shape": list(decoded.shape)}))
