"""Python reads vzarr's HDF4 output: kerchunk JSON through fsspec + zarr (every array of every
group) and through xarray (each group as a dataset, CF decoding off), and, for the bench and
the real files, VirtualiZarr's HDF4 parser (kerchunk's HDF4ToZarr underneath).

usage: hdf4_oracle.py COMMAND ARGS...   (prints one JSON document, keyed by input)
  kerchunk REFS...     every array: shape, dtype, sha256 of the values (little-endian) — zarr
  xarray REFS...       every group's variables as xarray.open_dataset reads them: shape, dims,
                       sha256, attributes — and the group's own attributes under `<group>@`
  pyhdf FILES...       every data set as pyhdf reads it (shape, dtype, sha256, dims)
One process for many inputs: importing zarr and xarray costs more than reading the files.
"""
import hashlib
import json
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")


def entry(a):
    a = np.ascontiguousarray(a)
    if a.dtype.kind == "S":
        a = a.view("u1").reshape(a.shape)
    le = a.astype(a.dtype.newbyteorder("<")) if a.dtype.byteorder == ">" else a
    return {"shape": list(a.shape), "dtype": le.dtype.str, "sha256": hashlib.sha256(le.tobytes()).hexdigest()}


def jsonable(v):
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def walk(group, out, base=""):
    for name in group.array_keys():
        try:
            out[base + name] = entry(group[name][...])
        except Exception as e:  # noqa: BLE001 — reported per array
            out[base + name] = {"error": f"{type(e).__name__}: {e}"}
    for name in group.group_keys():
        walk(group[name], out, base + name + "/")


def group_paths(group, base=""):
    yield base
    for name in group.group_keys():
        yield from group_paths(group[name], base + name + "/")


def mapper(refs):
    import fsspec

    return fsspec.filesystem("reference", fo=refs, remote_protocol="file").get_mapper("")


def cmd_kerchunk(refs):
    import zarr

    store = zarr.storage.FsspecStore.from_mapper(mapper(refs), read_only=True)
    out = {}
    walk(zarr.open_group(store, mode="r", zarr_format=2), out)
    return out


def cmd_xarray(refs):
    import fsspec
    import xarray as xr
    import zarr

    fs = fsspec.filesystem("reference", fo=refs, remote_protocol="file")
    root = zarr.open_group(zarr.storage.FsspecStore.from_mapper(fs.get_mapper(""), read_only=True), mode="r", zarr_format=2)
    out = {}
    for path in group_paths(root):
        # A store rooted at the group: zarr's open_group(path=...) over fsspec's reference
        # file system lists no members below the root (its listing wants no leading slash).
        store = zarr.storage.FsspecStore.from_mapper(fs.get_mapper(path.rstrip("/")), read_only=True)
        # concat_characters off: xarray fails to join the last axis of a lazily read |S1
        # array (a CHAR8 data set) into strings; the characters are compared instead.
        ds = xr.open_dataset(
            store,
            engine="zarr",
            consolidated=False,
            zarr_format=2,
            mask_and_scale=False,
            decode_times=False,
            concat_characters=False,
        )
        out[path + "@"] = {k: jsonable(v) for k, v in ds.attrs.items()}
        for name, var in ds.variables.items():
            e = entry(var.values)
            e["dims"] = list(var.dims)
            e["attrs"] = {k: jsonable(v) for k, v in var.attrs.items()}
            out[path + name] = e
    return out


def cmd_pyhdf(path):
    from pyhdf.SD import SD

    sd = SD(path)
    out = {}
    for name, (dims, _, _, index) in sd.datasets().items():
        v = sd.select(index)
        e = entry(np.asarray(v.get()))
        e["dims"] = list(dims) if isinstance(dims, tuple) else [dims]
        out[name] = e
        v.endaccess()
    sd.end()
    return out


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    fn = {"kerchunk": cmd_kerchunk, "xarray": cmd_xarray, "pyhdf": cmd_pyhdf}[cmd]
    result = {}
    for a in args:
        try:
            result[a] = fn(a)
        except Exception as e:  # noqa: BLE001 — reported per input
            result[a] = {"_error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
