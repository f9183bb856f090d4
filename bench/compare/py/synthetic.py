"""The synthetic 10M-reference dataset (bench/datagen/synthetic_refs.py) as each Python tool's
input: a kerchunk reference dict, or an xarray Dataset of VirtualiZarr ManifestArrays."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from datagen.synthetic_refs import columns, file_path  # noqa: E402

ZARRAY_CODECS = {"compressor": {"id": "zlib", "level": 4}, "filters": None}


def paths(p, uri):
    return [("file://" if uri else "") + file_path(p, k) for k in range(p["files"])]


def kerchunk_refs(p):
    import json

    ids, offsets, lengths = columns(p)
    table = paths(p, uri=False)
    name = p["variable"]
    shape = [g * c for g, c in zip(p["grid"], p["chunk_shape"])]
    refs = {
        ".zgroup": json.dumps({"zarr_format": 2}),
        f"{name}/.zarray": json.dumps({"shape": shape, "chunks": p["chunk_shape"], "dtype": "<f4", "fill_value": None,
                                       "order": "C", "zarr_format": 2, **ZARRAY_CODECS}),
        f"{name}/.zattrs": json.dumps({"_ARRAY_DIMENSIONS": p["dims"], "units": "K"}),
    }
    g0, g1, g2 = p["grid"]
    i = 0
    for a in range(g0):
        for b in range(g1):
            for c in range(g2):
                refs[f"{name}/{a}.{b}.{c}"] = [table[ids[i]], int(offsets[i]), int(lengths[i])]
                i += 1
    return {"version": 1, "refs": refs}


def virtual_dataset(p):
    import xarray as xr
    from virtualizarr.manifests import ChunkManifest, ManifestArray
    from virtualizarr.manifests.utils import create_v3_array_metadata

    ids, offsets, lengths = columns(p)
    table = np.array(paths(p, uri=True), dtype=np.dtypes.StringDType())
    grid = tuple(p["grid"])
    manifest = ChunkManifest.from_arrays(paths=table[ids].reshape(grid), offsets=offsets.reshape(grid),
                                         lengths=lengths.reshape(grid), validate_paths=False)
    metadata = create_v3_array_metadata(
        shape=tuple(g * c for g, c in zip(grid, p["chunk_shape"])), data_type=np.dtype("float32"),
        chunk_shape=tuple(p["chunk_shape"]), fill_value=np.float32("nan"),
        codecs=[{"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "numcodecs.zlib", "configuration": {"level": 4}}],
        dimension_names=p["dims"])
    marr = ManifestArray(metadata=metadata, chunkmanifest=manifest)
    return xr.Dataset({p["variable"]: (p["dims"], marr, {"units": "K"})})
