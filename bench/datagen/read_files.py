"""Files for the read-path figures:

* `read_zlib_shuffle.nc`: one netCDF-4 variable of daily 0.5° fields, zlib + shuffle — the
  local whole-variable read against reading and decoding the same bytes directly;
* `small/small_N.nc`: a few files of many tiny uncompressed chunks — HTTP request counts
  of vzarr's coalescing store against zarrita's ReferenceStore.
"""
import os

import netCDF4
import numpy as np

from .common import ValueDigest, rng


def write_throughput(path, steps):
    r = rng("read-throughput")
    lat = np.linspace(90, -90, 361, dtype="f4")
    digest = ValueDigest()
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        ds.createDimension("time", steps)
        ds.createDimension("lat", 361)
        ds.createDimension("lon", 720)
        v = ds.createVariable("t2m", "f4", ("time", "lat", "lon"), zlib=True, shuffle=True, complevel=1,
                              chunksizes=(1, 361, 720))
        for t in range(steps):
            values = np.round(288 - 30 * np.abs(lat)[:, None] / 90 + r.normal(0, 1, (361, 720)), 2).astype("f4")
            v[t] = values
            digest.update(values)
    return digest.hexdigest()


def write_small(folder, files, rows, width):
    r = rng("small-chunks")
    digest = ValueDigest()
    paths = []
    for k in range(files):
        path = os.path.join(folder, f"small_{k}.nc")
        values = r.normal(0, 1, (rows, width)).astype("f4")
        with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
            ds.createDimension("row", rows)
            ds.createDimension("col", width)
            v = ds.createVariable("x", "f4", ("row", "col"), chunksizes=(1, width))
            v[:] = values
        digest.update(values)
        paths.append(path)
    return paths, digest.hexdigest()


def make(out, scale):
    steps = max(10, round(365 * scale))
    path = os.path.join(out, "read_zlib_shuffle.nc")
    read_digest = write_throughput(path, steps)
    folder = os.path.join(out, "small")
    os.makedirs(folder, exist_ok=True)
    files, rows, width = 4, 1000, 32
    paths, small_digest = write_small(folder, files, rows, width)
    return {
        "read_local": {"path": path, "variable": "t2m", "shape": [steps, 361, 720], "dtype": "<f4",
                       "digest": read_digest},
        "small_chunks": {"files": paths, "variable": "x", "concat_dim": "row", "shape": [files * rows, width],
                         "chunks": files * rows, "chunk_bytes": 4 * width, "dtype": "<f4", "digest": small_digest},
    }
