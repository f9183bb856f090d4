"""Opens a kerchunk reference set with xarray (as users do: CF decoding on) and compares it
with what xarray.open_mfdataset makes of the original files. Prints {"ok": true, ...} or
{"ok": false, "error"}. (open_mfdataset itself needs dask, which the pinned stack lacks; this
does what it does without dask: open_dataset per file, then combine_nested/combine_by_coords.)

    compare_mf.py <refs.json> <nested|by_coords> <file>...
"""
import json
import sys
import warnings

import xarray as xr

warnings.filterwarnings("ignore")


def main(refs, combine, *files):
    ours = xr.open_dataset("reference://", engine="zarr", consolidated=False, zarr_format=2,
                           storage_options={"fo": refs, "remote_protocol": "file"}).load()
    parts = [xr.open_dataset(f).load() for f in files]
    kw = dict(data_vars="minimal", coords="minimal", compat="override")
    theirs = (xr.combine_nested(parts, concat_dim="time", **kw) if combine == "nested"
              else xr.combine_by_coords(parts, **kw))
    out = {"ok": True, "dims": dict(ours.sizes), "variables": sorted(ours.variables),
           "time": [str(t) for t in ours.time.values[:3]] + [str(ours.time.values[-1])]}
    try:
        xr.testing.assert_equal(ours, theirs)
    except AssertionError as e:
        out = {"ok": False, "error": str(e)[:2000]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:])
