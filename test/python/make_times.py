"""Writes netCDF3 files whose time coordinates use different units/calendars and prints, per
file, the instants netCDF4-python/cftime decode them to (seconds since 1970-01-01 of the
calendar) as JSON."""
import json
import sys

import cftime
import netCDF4
import numpy as np

out_dir = sys.argv[1]
cases = {
    "days.nc": ("days since 2000-01-01", "standard", np.array([0, 1, 2.5], "f8")),
    "hours.nc": ("hours since 1999-12-31 12:00:00", "proleptic_gregorian", np.array([12, 36, 72], "i4")),
    "noleap.nc": ("days since 2001-02-27", "noleap", np.array([0, 1, 2], "i8")),
}
result = {}
for name, (units, calendar, values) in cases.items():
    path = f"{out_dir}/{name}"
    with netCDF4.Dataset(path, "w", format="NETCDF3_64BIT_DATA") as ds:
        ds.createDimension("time", len(values))
        t = ds.createVariable("time", values.dtype, ("time",))
        t.units = units
        t.calendar = calendar
        t[:] = values
    dates = cftime.num2date(values, units, calendar)
    epoch = cftime.datetime(1970, 1, 1, calendar=calendar)
    result[name] = [float((d - epoch).total_seconds()) for d in dates]
print(json.dumps(result))
