"""CF time decoding oracle: cftime (what xarray uses for non-standard calendars).

Reads a JSON file [{"units", "calendar", "values"}] and prints, per case, the dates as
"YYYY-MM-DDTHH:MM:SS" and the same instants counted as seconds since 1970-01-01 in the
proleptic Gregorian calendar for real-world calendars (change_calendar), else null."""
import json
import sys
import warnings

import cftime

warnings.filterwarnings("ignore")
REAL = {"standard", "gregorian", "proleptic_gregorian", "julian"}


def main(path):
    cases = json.load(open(path))
    out = []
    for c in cases:
        dates = cftime.num2date(c["values"], c["units"], c["calendar"], only_use_cftime_datetimes=True)
        iso = [d.strftime("%Y-%m-%dT%H:%M:%S") for d in dates]
        unix = None
        if c["calendar"] in REAL:
            unix = [cftime.date2num(d.change_calendar("proleptic_gregorian", True) if d.calendar != "proleptic_gregorian" else d,
                                    "seconds since 1970-01-01", "proleptic_gregorian") for d in dates]
            unix = [float(x) for x in unix]
        out.append({"iso": iso, "unix": unix})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
