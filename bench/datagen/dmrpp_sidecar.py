#!/usr/bin/env python3
"""A 100,000-chunk DMR++ sidecar and its HDF5 file, for bench/dmrpp.bench.mjs.

    dmrpp_sidecar.py DIR [CHUNKS]   → DIR/chunks.h5 and DIR/chunks.h5.dmrpp

The file holds one float32 array of shape (CHUNKS/100 * 10, 1000) in chunks of (10, 10),
deflate + shuffle, every chunk written; the sidecar is written by the fixture generator's
DMR++ writer (test/fixtures/gen_dmrpp.py, from h5py's chunk metadata), not vzarr's.
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures"))
import gen_dmrpp  # noqa: E402

from common import rng  # noqa: E402


def make(directory, chunks=100_000):
    path = os.path.join(directory, "chunks.h5")
    rows = chunks // 100
    with h5py.File(path, "w") as f:
        data = rng("dmrpp-sidecar").normal(size=(rows * 10, 1000)).astype("f4")
        f.create_dataset("v", data=data, chunks=(10, 10), compression="gzip", compression_opts=1, shuffle=True)
    gen_dmrpp.sidecar(path)
    return path + ".dmrpp"


if __name__ == "__main__":
    print(make(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100_000))
