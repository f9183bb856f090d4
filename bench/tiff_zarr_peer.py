"""The Python side of bench/tiff-zarr.bench.mjs: VirtualiZarr 2.5.1 with virtual-tiff's
VirtualTIFF parser (TIFF) and VirtualiZarr's own ZarrParser (Zarr), timed in this process
with the imports done.

Reads one request per stdin line, JSON {"kind": "cog" | "stack" | "zarr", "paths": [...],
"refs": bool}; answers one JSON line: the seconds the call took and, when asked, the chunk
references of the first data variable as flat C-order lists {"paths", "offsets", "lengths",
"shape"} for the equivalence check ("" / 0 for a missing chunk).

  cog    open_virtual_dataset(url, parser=VirtualTIFF(ifd=0))
  stack  open_virtual_mfdataset(urls, parser=VirtualTIFF(ifd=0), concat_dim="time",
         combine="nested") — xarray's combine_nested on the virtual datasets
  zarr   open_virtual_dataset(url, parser=ZarrParser())

`tiff_zarr_peer.py refs OUT.json PATHS…` instead writes the stack as kerchunk JSON once (timed
from outside, as a fresh process, against `vzarr refs`).
"""
import json
import sys
import time
import warnings

warnings.simplefilter("ignore")
from obspec_utils.registry import ObjectStoreRegistry  # noqa: E402
from obstore.store import LocalStore  # noqa: E402
from virtual_tiff import VirtualTIFF  # noqa: E402
from virtualizarr import open_virtual_dataset, open_virtual_mfdataset  # noqa: E402
from virtualizarr.parsers import ZarrParser  # noqa: E402

registry = ObjectStoreRegistry({"file://": LocalStore()})


def run(kind, urls):
    if kind == "cog":
        return open_virtual_dataset(urls[0], registry=registry, parser=VirtualTIFF(ifd=0), loadable_variables=[])
    if kind == "stack":
        return open_virtual_mfdataset(urls, registry=registry, parser=VirtualTIFF(ifd=0), concat_dim="time",
                                      combine="nested", loadable_variables=[])
    if kind == "zarr":
        return open_virtual_dataset(urls[0], registry=registry, parser=ZarrParser(), loadable_variables=[])
    raise ValueError(kind)


def refs_of(ds):
    name = next(iter(ds.data_vars))
    m = ds[name].data.manifest
    return {
        "variable": name,
        "dims": list(ds[name].dims),
        "shape": list(m.shape_chunk_grid),
        "codecs": [c.to_dict() for c in ds[name].data.metadata.codecs],
        "paths": [str(p) for p in m._paths.ravel()],
        "offsets": [int(x) for x in m._offsets.ravel()],
        "lengths": [int(x) for x in m._lengths.ravel()],
    }


def refs_cli(out, paths):
    """`tiff_zarr_peer.py refs OUT.json PATHS…`: what a user runs end to end in a fresh process —
    the stack into kerchunk JSON (the counterpart of `vzarr refs … -o OUT.json`)."""
    ds = run("stack", [f"file://{p}" for p in paths])
    ds.vz.to_kerchunk(out, format="json")


if len(sys.argv) > 1 and sys.argv[1] == "refs":
    refs_cli(sys.argv[2], sys.argv[3:])
    sys.exit(0)

for line in sys.stdin:
    req = json.loads(line)
    urls = [f"file://{p}" for p in req["paths"]]
    t0 = time.perf_counter()
    ds = run(req["kind"], urls)
    seconds = time.perf_counter() - t0
    out = {"seconds": seconds}
    if req.get("refs"):
        out["refs"] = refs_of(ds)
    print(json.dumps(out, default=str), flush=True)
