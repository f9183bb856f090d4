"""Every field of a GRIB file as ecCodes decodes it: shortName, level, the values (missing
points as ecCodes' missingValue) and their sha256 as little-endian float64.

usage: grib_digests.py FILE   prints {"messages": [{shortName, level, count, sha256, values}, ...]}
"""
import hashlib
import json
import sys

import eccodes as ec
import numpy as np


def main(path):
    out = []
    with open(path, "rb") as f:
        while (h := ec.codes_grib_new_from_file(f)) is not None:
            values = np.asarray(ec.codes_get_values(h), dtype="<f8")
            out.append({"shortName": ec.codes_get(h, "shortName"), "level": ec.codes_get(h, "level"),
                        "count": int(values.size), "sha256": hashlib.sha256(values.tobytes()).hexdigest(),
                        "values": values.tolist()})
            ec.codes_release(h)
    print(json.dumps({"messages": out}))


if __name__ == "__main__":
    main(sys.argv[1])
