"""Writes Zarr stores with zarr-python (seeded) for the Zarr-source tests and prints, per store,
every array's shape, dtype and value digest as zarr-python reads it.

    python make_zarr_stores.py OUT_DIR      # -> one JSON line {store: {array path: {...}}}

Stores: Zarr v2 (zlib, blosc, `/` separator, a missing chunk, nested group, consolidated
and not), Zarr v3 (zstd, gzip, crc32c, v2 key encoding, consolidated and not), v3 sharded
(index at the end and at the start, missing inner chunks, a partial edge shard), a v3 array
at the store's root, and zip stores of v2 and v3.
"""
import json
import os
import sys
import warnings

import numpy as np
import zarr
from read_refs import digest
from zarr.codecs import BytesCodec, Crc32cCodec, GzipCodec, ShardingCodec, ZstdCodec

warnings.filterwarnings("ignore")
RNG = np.random.default_rng(20261207)


def describe(root):
    out = {}

    def visit(group, prefix):
        for name, arr in group.arrays():
            values = arr[...]
            out[prefix + name] = {"shape": list(arr.shape), "dtype": values.dtype.str, "sha256": digest(values)}
        for name, sub in group.groups():
            visit(sub, prefix + name + "/")

    if isinstance(root, zarr.Array):
        values = root[...]
        out[""] = {"shape": list(root.shape), "dtype": values.dtype.str, "sha256": digest(values)}
    else:
        visit(root, "")
    return out


def field(shape, dtype):
    values = RNG.normal(280, 10, size=shape)
    return values.astype(dtype) if np.dtype(dtype).kind == "f" else np.round(values).astype(dtype)


def v2_store(path, consolidated):
    import numcodecs

    g = zarr.open_group(path, mode="w", zarr_format=2)
    g.attrs["title"] = "v2 store"
    t = g.create_array("temp", shape=(4, 6, 8), chunks=(1, 3, 4), dtype="<f4", compressors=numcodecs.Zlib(level=3),
                       fill_value=np.nan)
    t[...] = field((4, 6, 8), "f4")
    t.attrs.update({"units": "K", "_ARRAY_DIMENSIONS": ["time", "lat", "lon"]})
    # A chunk never written: reads give the fill value.
    c = g.create_array("count", shape=(5, 7), chunks=(2, 3), dtype=">i2", compressors=numcodecs.Blosc(cname="lz4", shuffle=1),
                       fill_value=-9)
    c[:4, :6] = field((4, 6), "i2")
    s = g.create_array("slashed", shape=(6, 4), chunks=(3, 2), dtype="<u4", chunk_key_encoding={"name": "v2", "separator": "/"})
    s[...] = field((6, 4), "u4")
    sub = g.create_group("forecast")
    sub.attrs["member"] = 1
    p = sub.create_array("precip", shape=(3, 5), chunks=(3, 5), dtype="<f8", compressors=None)
    p[...] = field((3, 5), "f8")
    if consolidated:
        zarr.consolidate_metadata(path)
    return g


def v3_store(path, consolidated):
    g = zarr.open_group(path, mode="w", zarr_format=3)
    g.attrs["title"] = "v3 store"
    t = g.create_array("temp", shape=(4, 6, 8), chunks=(2, 3, 4), dtype="float32", compressors=ZstdCodec(level=3),
                       fill_value=np.nan, dimension_names=["time", "lat", "lon"])
    t[:3] = field((3, 6, 8), "f4")
    z = g.create_array("gz", shape=(10,), chunks=(4,), dtype="int64", serializer=BytesCodec(endian="big"),
                       compressors=GzipCodec(level=5))
    z[...] = np.arange(10) * 1000
    k = g.create_array("checked", shape=(5, 5), chunks=(5, 5), dtype="float64", compressors=Crc32cCodec())
    k[...] = field((5, 5), "f8")
    e = g.create_array("v2keys", shape=(6,), chunks=(2,), dtype="uint8", chunk_key_encoding={"name": "v2", "separator": "."})
    e[...] = np.arange(6, dtype="u1")
    sub = g.create_group("nested").create_group("deeper")
    n = sub.create_array("x", shape=(3,), chunks=(2,), dtype="int32")
    n[...] = [1, 2, 3]
    if consolidated:
        zarr.consolidate_metadata(path)
    return g


def sharded_store(path):
    g = zarr.open_group(path, mode="w", zarr_format=3)
    a = g.create_array("end", shape=(10, 13), chunks=(2, 3), shards=(4, 6), dtype="int16", fill_value=-1,
                       compressors=ZstdCodec(level=1), dimension_names=["y", "x"])
    # Leaves inner chunks and a whole shard unwritten; the last shards are partial edges.
    a[:7, :10] = field((7, 10), "i2")
    codec = ShardingCodec(chunk_shape=(3,), codecs=[BytesCodec(), GzipCodec()], index_location="start")
    b = g.create_array("start", shape=(20,), chunks=(9,), dtype="float32", serializer=codec, compressors=None, fill_value=0)
    b[...] = field((20,), "f4")
    # Shards compressed as a whole: no inner chunk has a byte range of its own.
    w = g.create_array("whole", shape=(8,), chunks=(8,), dtype="int8", serializer=ShardingCodec(chunk_shape=(4,)),
                       compressors=ZstdCodec())
    w[...] = np.arange(8, dtype="i1")
    zarr.consolidate_metadata(path)
    return g


def root_array_store(path):
    a = zarr.create_array(path, shape=(7, 3), chunks=(3, 3), dtype="uint16", zarr_format=3, dimension_names=["row", "col"])
    a[...] = np.arange(21, dtype="u2").reshape(7, 3)
    return a


def zip_store(path, fmt):
    store = zarr.storage.ZipStore(path, mode="w")
    g = zarr.open_group(store, mode="w", zarr_format=fmt)
    v = g.create_array("v", shape=(6, 5), chunks=(3, 2), dtype="float32", compressors=None)
    v[...] = field((6, 5), "f4")
    w = g.create_array("w", shape=(4,), chunks=(4,), dtype="int32")
    w[...] = [4, 3, 2, 1]
    zarr.consolidate_metadata(store)
    store.close()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    made = {}
    for name, make in [
        ("v2.zarr", lambda p: v2_store(p, consolidated=False)),
        ("v2c.zarr", lambda p: v2_store(p, consolidated=True)),
        ("v3.zarr", lambda p: v3_store(p, consolidated=False)),
        ("v3c.zarr", lambda p: v3_store(p, consolidated=True)),
        ("sharded.zarr", sharded_store),
        ("rootarray.zarr", root_array_store),
    ]:
        path = os.path.join(out, name)
        make(path)
        made[name] = describe(zarr.open(path, mode="r"))
    for name, fmt in [("v2.zarr.zip", 2), ("v3.zarr.zip", 3)]:
        path = os.path.join(out, name)
        zip_store(path, fmt)
        store = zarr.storage.ZipStore(path, mode="r")
        made[name] = describe(zarr.open_group(store, mode="r"))
        store.close()
    print(json.dumps(made))


if __name__ == "__main__":
    main()
