"""The 10-million-chunk-reference dataset for the writer benchmarks.

Its references follow a formula (shared with bench/compare/node/synthetic.mjs through the
parameters in datasets.json), so every tool builds the same manifest without scanning:
chunk i (C order over `grid`) lives in file i // per_file at offset
4096 + (i % per_file) * spacing, with length length_base + i % length_mod.

The files exist, sparse (holes cost no disk), so that readers which fetch chunk bytes — the
Python Icechunk check — resolve real ranges; a sample of chunks carries its own index as
an 8-byte marker at its offset, which proves a written reference points at the right bytes.
"""
import os

import numpy as np

from .common import rng

FILES = 1000
SPACING = 2048
LENGTH_BASE = 1024
LENGTH_MOD = 1000
SAMPLE = 1000


def params_for(out, scale):
    grid = [max(1, round(1000 * scale)), 100, 100]
    n = grid[0] * grid[1] * grid[2]
    per_file = -(-n // FILES)
    folder = os.path.join(out, "refs10m")
    sample = np.sort(rng("synthetic-sample").choice(n, size=min(SAMPLE, n), replace=False)).tolist()
    return {
        "grid": grid, "chunks": n, "files": FILES, "per_file": per_file, "spacing": SPACING,
        "length_base": LENGTH_BASE, "length_mod": LENGTH_MOD, "folder": folder,
        "chunk_shape": [10, 10, 10], "variable": "t", "dims": ["time", "level", "tile"],
        "sample": sample,
    }


def file_path(p, k):
    return os.path.join(p["folder"], f"file-{k:04d}.bin")


def columns(p):
    """(file ids, offsets, lengths) as numpy arrays in C order of the chunk grid."""
    i = np.arange(p["chunks"], dtype=np.uint64)
    per_file = np.uint64(p["per_file"])
    ids = (i // per_file).astype(np.uint32)
    offsets = np.uint64(4096) + (i % per_file) * np.uint64(p["spacing"])
    lengths = np.uint64(p["length_base"]) + i % np.uint64(p["length_mod"])
    return ids, offsets, lengths


def make(out, scale):
    p = params_for(out, scale)
    os.makedirs(p["folder"], exist_ok=True)
    size = 4096 + p["per_file"] * p["spacing"] + p["spacing"]
    for k in range(p["files"]):
        with open(file_path(p, k), "wb") as f:
            f.truncate(size)
    ids, offsets, lengths = columns(p)
    for i in p["sample"]:
        with open(file_path(p, int(ids[i])), "r+b") as f:
            f.seek(int(offsets[i]))
            f.write(int(i).to_bytes(8, "little"))
    return {"synthetic": p}
