"""Reference-stack side of the kerchunk interop tests (kerchunk, fsspec, VirtualiZarr, xarray).

Subcommands (each prints one JSON line on stdout):
  make DIR                      write DIR/data.nc (netCDF4, seeded) and report every variable's
                                chunks as h5py sees them (chunk_iter / contiguous offset)
  kerchunk-json NC OUT [INLINE] SingleHdf5ToZarr(NC, inline_threshold=INLINE).translate() -> OUT
  refs-to-parquet REFS OUT N    kerchunk.df.refs_to_dataframe(REFS, OUT, record_size=N)
  vz NC OUT json|parquet [N]    VirtualiZarr open_virtual_dataset(NC).vz.to_kerchunk(OUT, ...)
  compare NC GROUPS ENGINE:REFS...  open each REFS (JSON file or parquet directory; ENGINE =
                                fastparquet, pyarrow or json) with fsspec + xarray (engine zarr,
                                zarr_format 2) and compare every variable of each group (comma-
                                separated) with NC read by xarray
  expand REFS                   fsspec's expansion of a v1 set (simple_templates=False, jinja2)
  jinja TEMPLATES VARS          render a JSON list of templates with JSON variables (jinja2 sandbox)
  parquet-schema FILE           physical/pandas types of a .parq file, as two engines read it
"""

import base64
import json
import os
import sys

import numpy as np


def make(directory):
    import h5py
    import netCDF4

    rng = np.random.default_rng(20260523)
    path = os.path.join(directory, "data.nc")
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.title = "vzarr kerchunk interop"
        nc.createDimension("time", 4)
        nc.createDimension("lat", 8)
        nc.createDimension("lon", 6)
        t = nc.createVariable("time", "i4", ("time",))
        t.units = "days since 2000-01-01"
        t[:] = np.arange(4) * 7
        lat = nc.createVariable("lat", "f4", ("lat",))
        lat[:] = np.linspace(-70, 70, 8)
        lon = nc.createVariable("lon", "f4", ("lon",))
        lon[:] = np.linspace(0, 300, 6)
        air = nc.createVariable(
            "air", "f4", ("time", "lat", "lon"), chunksizes=(1, 4, 3), zlib=True, complevel=4, shuffle=True, fill_value=-9999.0
        )
        air.units = "K"
        # time index 3 is never written: those chunks stay unallocated (missing)
        air[0:3] = (rng.standard_normal((3, 8, 6)) * 10 + 280).astype("f4")
        count = nc.createVariable("count", "i2", ("lat", "lon"), contiguous=True, endian="big")
        count[:] = rng.integers(-500, 500, (8, 6))
        g = nc.createGroup("forecast")
        g.model = "toy"
        precip = g.createVariable("precip", "f8", ("time", "lat", "lon"), chunksizes=(2, 8, 6), zlib=True, complevel=1)
        precip[:] = rng.random((4, 8, 6))

    out = {"file": path, "variables": {}}
    with h5py.File(path, "r") as f:

        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.id.get_storage_size() == 0 and obj.chunks is None:
                return
            if "_Netcdf4Dimid" in obj.attrs and "CLASS" in obj.attrs and obj.attrs["CLASS"] == b"DIMENSION_SCALE" and obj.size == 0:
                return
            refs = []
            if obj.chunks is None:
                refs.append([0] * obj.ndim + [int(obj.id.get_offset()), int(obj.id.get_storage_size())])
                chunks = list(obj.shape)
            else:
                chunks = list(obj.chunks)

                def each(info):
                    coords = [o // c for o, c in zip(info.chunk_offset, obj.chunks)]
                    refs.append(coords + [int(info.byte_offset), int(info.size)])

                obj.id.chunk_iter(each)
            filters = []
            if obj.shuffle:
                filters.append({"id": "shuffle", "elementsize": obj.dtype.itemsize})
            if obj.compression == "gzip":
                filters.append({"id": "zlib", "level": int(obj.compression_opts)})
            fill = obj.fillvalue.item() if "_FillValue" in obj.attrs else None
            dims = [d.label or "" for d in obj.dims]
            attrs = {
                k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                for k, v in obj.attrs.items()
                if k not in ("_FillValue", "DIMENSION_LIST", "CLASS", "NAME", "_Netcdf4Dimid", "REFERENCE_LIST", "_Netcdf4Coordinates")
            }
            out["variables"][name] = {
                "shape": list(obj.shape),
                "chunks": chunks,
                "dtype": obj.dtype.str,
                "filters": filters,
                "fill_value": fill,
                "attrs": attrs,
                "refs": refs,
            }

        f.visititems(visit)
    dims = {"time": ["time"], "lat": ["lat"], "lon": ["lon"], "air": ["time", "lat", "lon"], "count": ["lat", "lon"]}
    dims["forecast/precip"] = ["time", "lat", "lon"]
    for name, d in dims.items():
        out["variables"][name]["dims"] = d
    print(json.dumps(out))


def kerchunk_json(nc, out, inline="0"):
    from kerchunk.hdf import SingleHdf5ToZarr

    refs = SingleHdf5ToZarr(nc, inline_threshold=int(inline)).translate()
    with open(out, "w") as f:
        json.dump(refs, f)
    print(json.dumps({"keys": len(refs["refs"])}))


def refs_to_parquet(refs, out, record_size):
    from kerchunk.df import refs_to_dataframe

    refs_to_dataframe(refs, out, record_size=int(record_size))
    print(json.dumps({"ok": True}))


def vz(nc, out, fmt, record_size="100000"):
    from obspec_utils.registry import ObjectStoreRegistry
    from obstore.store import LocalStore
    from virtualizarr import open_virtual_dataset
    from virtualizarr.parsers import HDFParser

    url = "file://" + os.path.abspath(nc)
    registry = ObjectStoreRegistry({"file://": LocalStore()})
    ds = open_virtual_dataset(url, registry=registry, parser=HDFParser(), loadable_variables=[])
    if fmt == "parquet":
        ds.vz.to_kerchunk(out, format="parquet", record_size=int(record_size))
    else:
        ds.vz.to_kerchunk(out, format="json")
    print(json.dumps({"variables": sorted(ds.variables)}))


def open_refs(refs, engine, group=""):
    import fsspec
    import zarr.storage
    from fsspec.implementations.reference import LazyReferenceMapper

    if engine == "json":
        fs = fsspec.filesystem("reference", fo=refs, remote_protocol="file", asynchronous=True)
    else:
        mapper = LazyReferenceMapper(refs, fs=fsspec.filesystem("file"), engine=engine)
        fs = fsspec.filesystem("reference", fo=mapper, remote_protocol="file", asynchronous=True)
    # A store rooted at the group: zarr lists "<path>/<group>", and ReferenceFileSystem cannot
    # list "/group" (kerchunk's fs_as_store roots at "/"), so subgroups would look empty.
    return zarr.storage.FsspecStore(fs, read_only=True, path=group)


def compare(nc, groups, *specs):
    print(json.dumps({spec: compare_one(nc, groups, *spec.split(":", 1)) for spec in specs}))


def compare_one(nc, groups, engine, refs):
    import xarray as xr

    report = {}
    for group in groups.split(","):
        g = None if group in ("", "/") else group
        store = open_refs(refs, engine, group)
        mine = xr.open_dataset(store, engine="zarr", zarr_format=2, consolidated=False, decode_times=False)
        theirs = xr.open_dataset(nc, group=g, decode_times=False)
        out = {}
        for name in theirs.variables:
            if name not in mine.variables:
                out[name] = {"present": False}
                continue
            a = theirs[name].values
            b = mine[name].values
            out[name] = {
                "present": True,
                "dims": list(mine[name].dims),
                "dtype": str(b.dtype),
                "equal": bool(a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")),
                "nan": int(np.isnan(b).sum()) if b.dtype.kind == "f" else 0,
            }
        out["__extra__"] = sorted(set(mine.variables) - set(theirs.variables))
        report[group] = out
    return report


def expand(refs):
    import fsspec

    # remote_protocol stops fsspec from instantiating the (absent) filesystems the templates name
    fs = fsspec.filesystem("reference", fo=refs, simple_templates=False, remote_protocol="memory")
    out = {}
    for k, v in fs.references.items():
        if isinstance(v, list):
            out[k] = v
        elif isinstance(v, bytes):
            out[k] = "base64:" + base64.b64encode(v).decode()
        else:
            out[k] = v
    print(json.dumps(out))


def jinja(templates, variables):
    import jinja2.sandbox

    env = jinja2.sandbox.SandboxedEnvironment()
    values = json.loads(variables)
    print(json.dumps([env.from_string(t).render(**values) for t in json.loads(templates)]))


def parquet_schema(path):
    import pandas as pd
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    physical = {meta.schema.column(i).name: meta.schema.column(i).physical_type for i in range(meta.num_columns)}
    out = {"physical": physical, "rows": meta.num_rows, "codec": meta.row_group(0).column(0).compression}
    for engine in ("fastparquet", "pyarrow"):
        df = pd.read_parquet(path, engine=engine)
        out[engine] = {c: str(df[c].dtype) for c in df.columns}
        out[engine + "_nulls"] = {c: int(df[c].isna().sum()) for c in df.columns}
    print(json.dumps(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {
        "make": make,
        "kerchunk-json": kerchunk_json,
        "refs-to-parquet": refs_to_parquet,
        "vz": vz,
        "compare": compare,
        "expand": expand,
        "jinja": jinja,
        "parquet-schema": parquet_schema,
    }[command](*args)
    # Skip interpreter teardown: pyarrow's and fastparquet's native thread pools have been
    # seen to abort it ("terminate called without an active exception") after the work
    # was done and printed, failing a check that had passed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
