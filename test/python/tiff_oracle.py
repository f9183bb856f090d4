"""Python reads vzarr's TIFF output: kerchunk JSON through fsspec + zarr (Zarr v2, imagecodecs'
numcodecs codecs registered by imagecodecs-numcodecs' entry points), Icechunk through icechunk +
zarr (Zarr v3, the imagecodecs_* codecs registered by virtual-tiff's entry points), and the
GeoTIFF view through xarray + rioxarray.

usage: tiff_oracle.py COMMAND ARGS...   (prints one JSON document, keyed by input)
  kerchunk REFS...             every array: shape, dtype, sha256 (little-endian), and the
                               values (base64) of small byte arrays (JPEG is compared loosely)
  icechunk PREFIXES REPO...    the same through Python icechunk (comma-separated url
                               prefixes authorized)
  rio-kerchunk REFS...         xarray.open_dataset(refs) + rioxarray: crs, transform, x, y
One process for many inputs: importing zarr, icechunk and rioxarray costs more than reading.
"""
import base64
import hashlib
import json
import os
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")
os.environ.setdefault("RUST_LOG", "error")


def entry(a):
    a = np.ascontiguousarray(a)
    le = a.astype(a.dtype.newbyteorder("<")) if a.dtype.byteorder == ">" else a
    out = {"shape": list(a.shape), "dtype": le.dtype.str, "sha256": hashlib.sha256(le.tobytes()).hexdigest()}
    if a.dtype == np.uint8 and a.size <= 65536:
        out["values_b64"] = base64.b64encode(le.tobytes()).decode()
    return out


def walk(group, out, base=""):
    try:
        names = list(group.array_keys())
    except Exception as e:  # noqa: BLE001 — a group whose arrays zarr cannot parse
        out[base + "*"] = {"error": f"{type(e).__name__}: {e}"}
        return
    for name in names:
        try:
            out[base + name] = entry(group[name][...])
        except Exception as e:  # noqa: BLE001 — reported per array (an unknown codec, ...)
            out[base + name] = {"error": f"{type(e).__name__}: {e}"}
    for name in group.group_keys():
        walk(group[name], out, base + name + "/")


def cmd_kerchunk(refs):
    import fsspec
    import zarr

    fs = fsspec.filesystem("reference", fo=refs, remote_protocol="file")
    store = zarr.storage.FsspecStore.from_mapper(fs.get_mapper(""), read_only=True)
    out = {}
    walk(zarr.open_group(store, mode="r", zarr_format=2), out)
    return out


def cmd_icechunk(repo_path, prefixes):
    import icechunk as ic
    import zarr

    creds = ic.containers_credentials({p: None for p in prefixes.split(",")})
    repo = ic.Repository.open(ic.local_filesystem_storage(repo_path), authorize_virtual_chunk_access=creds)
    session = repo.readonly_session(branch="main")
    out = {}
    walk(zarr.open_group(session.store, mode="r"), out)
    return out


def cmd_rio_kerchunk(refs):
    import rioxarray  # noqa: F401 — registers .rio
    import xarray as xr

    ds = xr.open_dataset("reference://", engine="zarr", consolidated=False, zarr_format=2, decode_coords="all",
                         storage_options={"fo": refs, "remote_protocol": "file"})
    da = ds["band_data"]
    crs = da.rio.crs
    return {
        "epsg": None if crs is None else crs.to_epsg(),
        "transform": list(da.rio.transform())[:6],
        "x": ds["x"].values.tolist(),
        "y": ds["y"].values.tolist(),
        "nodata": None if da.rio.nodata is None else repr(float(da.rio.nodata)),
    }


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    out = {}
    if cmd == "icechunk":
        for repo in args[1:]:
            out[repo] = cmd_icechunk(repo, args[0])
    else:
        fn = {"kerchunk": cmd_kerchunk, "rio-kerchunk": cmd_rio_kerchunk}[cmd]
        for refs in args:
            out[refs] = fn(refs)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
    # icechunk's native runtime sometimes crashes (SIGSEGV) while the interpreter shuts down
    # under load; the answer is complete by now, so skip the finalization.
    sys.stderr.flush()
    os._exit(0)
