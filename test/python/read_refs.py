"""Reads every variable of a kerchunk reference set with fsspec + xarray (the independent
reader) and prints {var: {shape, dtype, sha256}} as JSON, digests as corpus_lib computes them."""
import hashlib
import json
import sys
import warnings

import numpy as np
import xarray as xr

warnings.filterwarnings("ignore")


def digest(a):
    a = np.ascontiguousarray(a)
    if a.dtype.kind in "fc":
        a = np.where(np.isnan(a), np.float64(1e300), a)
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()


def main(path, group=None):
    ds = xr.open_dataset("reference://", engine="zarr", group=group, consolidated=False, zarr_format=2,
                         decode_cf=False, mask_and_scale=False, decode_times=False,
                         storage_options={"fo": path, "remote_protocol": "file"})
    out = {}
    for name, v in ds.variables.items():
        a = v.values
        entry = {"shape": list(a.shape), "dtype": a.dtype.str, "dims": list(v.dims)}
        if a.dtype.kind in "biufc":
            entry["sha256"] = digest(a)
        out[name] = entry
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
