"""The Python read side: a whole variable read back through a kerchunk JSON / Parquet
reference set (fsspec + zarr + xarray) or an Icechunk repository (icechunk + xarray), and
GRIB decoding with ecCodes. Values are hashed (untimed) like the generators' oracle digests."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "test", "python")))
from datagen.common import ValueDigest  # noqa: E402


def _open(args):
    import xarray as xr

    fmt = args["format"]
    if fmt == "icechunk":
        from icechunk_oracle import open_repo

        store = open_repo(args["path"], args["container"]).readonly_session("main").store
        return xr.open_zarr(store, consolidated=False, decode_cf=False, chunks=None)
    from kerchunk_interop import open_refs

    store = open_refs(args["path"], "json" if fmt == "json" else "pyarrow")
    return xr.open_dataset(store, engine="zarr", zarr_format=2, consolidated=False, decode_cf=False)


def read(clock, args):
    import xarray  # noqa: F401  (import outside the timed part)

    with clock.measure():
        values = _open(args)[args["variable"]].values
    digest = ValueDigest()
    digest.update(values)
    return {"digest": digest.hexdigest(), "shape": list(values.shape), "dtype": values.dtype.str}


def grib_decode(clock, args):
    import eccodes as ec

    fields = []
    with clock.measure():
        with open(args["path"], "rb") as f:
            while True:
                h = ec.codes_grib_new_from_file(f)
                if h is None:
                    break
                fields.append(ec.codes_get_values(h))
                ec.codes_release(h)
    if args.get("npy"):
        np.save(args["npy"], np.stack(fields))
    return {"messages": len(fields), "values": int(sum(v.size for v in fields))}


OPS = {"python.read": read, "eccodes.grib_decode": grib_decode}
