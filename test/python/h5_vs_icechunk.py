"""Every array of an Icechunk repository read through zarr-python (codecs resolved by name, as
any user's reader does), compared with h5py's values of the HDF5 file it came from.

imagecodecs' Zarr 3 codecs for HDF5's filters are registered as the README shows
(imagecodecs_zarr3.py).

usage: h5_vs_icechunk.py REPO CONTAINER_PREFIX HDF5_FILE   prints {"name": {"codecs": [...], "equal": bool}}
"""
import json
import os
import sys

import hdf5plugin  # noqa: F401  (h5py reads LZ4, bitshuffle, ... through it)
import h5py
import icechunk
import numpy as np
import zarr

import imagecodecs_zarr3

imagecodecs_zarr3.register()


def main(repo_path, container, h5_path):
    repo = icechunk.Repository.open(
        icechunk.local_filesystem_storage(repo_path),
        authorize_virtual_chunk_access=icechunk.containers_credentials({container: None}),
    )
    group = zarr.open_group(repo.readonly_session("main").store, mode="r")
    out = {}
    with h5py.File(h5_path, "r") as f:
        for name, array in group.arrays():
            want = f[name][...]
            got = array[...]
            out[name] = {
                "codecs": [type(c).__name__ for c in array.metadata.codecs],
                "equal": bool(np.array_equal(got, want, equal_nan=want.dtype.kind == "f")),
            }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
    sys.stderr.flush()
    os._exit(0)  # icechunk's runtime can crash at interpreter shutdown under load
