"""The raw stored values of one variable read with netCDF4-python from each file and joined
along the first axis (numpy), optionally sliced: the oracle for reads of combined datasets.

    concat_values.py <variable> <slice like 25:65,:,1:3 or -> <file>...
Prints {"shape": [...], "sha256": digest} (digest as corpus_lib: little-endian, floats as f8).
"""
import hashlib
import json
import sys

import netCDF4
import numpy as np


def digest(a):
    a = np.ascontiguousarray(a)
    if a.dtype.kind in "fc":
        a = np.where(np.isnan(a), np.float64(1e300), a)
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()


def main(var, sel, *files):
    parts = []
    for f in files:
        with netCDF4.Dataset(f) as ds:
            v = ds.variables[var]
            v.set_auto_maskandscale(False)
            parts.append(v[...])
    a = np.concatenate(parts, axis=0)
    if sel != "-":
        index = tuple(slice(*[int(x) if x else None for x in p.split(":")]) if ":" in p else int(p) for p in sel.split(","))
        a = a[index]
    print(json.dumps({"shape": list(a.shape), "sha256": digest(a)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
