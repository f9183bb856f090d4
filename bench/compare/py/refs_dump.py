"""Canonical dumps of chunk references, the common ground on which every tool's output is
compared (bench/compare/py/verify_refs.py; the Node side writes the same layout in
bench/compare/node/dump-refs.mjs):

    <dir>/index.json          {"variables": {name: {"grid": [...], "paths": [...]}}}
    <dir>/<name>.ids          uint32 LE per chunk, C order; 0xFFFFFFFF missing, 0xFFFFFFFE inlined
    <dir>/<name>.offsets      uint64 LE
    <dir>/<name>.lengths      uint64 LE

(`/` in variable names becomes `__` in file names.)"""
import json
import math
import os
import re

import numpy as np

MISSING = 0xFFFFFFFF
INLINED = 0xFFFFFFFE
CHUNK_KEY = re.compile(r"^\d+(\.\d+)*$")


def file_stem(name):
    return name.replace("/", "__")


def write(folder, variables):
    """variables: {name: (grid, table, ids, offsets, lengths)}"""
    os.makedirs(folder, exist_ok=True)
    index = {}
    for name, (grid, table, ids, offsets, lengths) in variables.items():
        stem = os.path.join(folder, file_stem(name))
        np.ascontiguousarray(ids, dtype="<u4").tofile(stem + ".ids")
        np.ascontiguousarray(offsets, dtype="<u8").tofile(stem + ".offsets")
        np.ascontiguousarray(lengths, dtype="<u8").tofile(stem + ".lengths")
        index[name] = {"grid": [int(g) for g in grid], "paths": list(table)}
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump({"variables": index}, f)


def read(folder):
    with open(os.path.join(folder, "index.json")) as f:
        index = json.load(f)["variables"]
    out = {}
    for name, info in index.items():
        stem = os.path.join(folder, file_stem(name))
        out[name] = {
            "grid": info["grid"], "paths": info["paths"],
            "ids": np.fromfile(stem + ".ids", dtype="<u4"),
            "offsets": np.fromfile(stem + ".offsets", dtype="<u8"),
            "lengths": np.fromfile(stem + ".lengths", dtype="<u8"),
        }
    return out


def _expand(url, templates):
    for k, v in templates.items():
        url = url.replace("{{%s}}" % k, v)
    return url


def from_kerchunk(refs, only=None):
    """Arrays of a kerchunk reference set (v0 or v1, templates expanded); `only` limits the
    variables. Keys of arrays whose .zarray is absent are ignored."""
    templates = refs.get("templates", {}) if "refs" in refs else {}
    refs = refs.get("refs", refs)
    arrays = {}
    for key, value in refs.items():
        if key.endswith("/.zarray") or key == ".zarray":
            name = key[: -len("/.zarray")] if "/" in key else ""
            if only is not None and name not in only:
                continue
            meta = json.loads(value) if isinstance(value, (str, bytes)) else value
            grid = [math.ceil(s / c) if c else 0 for s, c in zip(meta["shape"], meta["chunks"])]
            n = int(np.prod(grid)) if grid else 1
            strides = [int(np.prod(grid[k + 1:])) for k in range(len(grid))]
            arrays[name] = {"grid": grid, "strides": strides, "table": {}, "ids": np.full(n, MISSING, dtype="<u4"),
                            "offsets": np.zeros(n, dtype="<u8"), "lengths": np.zeros(n, dtype="<u8")}
    for key, value in refs.items():
        name, _, leaf = key.rpartition("/")
        a = arrays.get(name)
        if a is None or not CHUNK_KEY.match(leaf):
            continue
        flat = 0
        for i, stride in zip(leaf.split("."), a["strides"]):
            flat += int(i) * stride
        if isinstance(value, (str, bytes)):
            a["ids"][flat] = INLINED
            continue
        url = _expand(value[0], templates)
        ids = a["table"].setdefault(url, len(a["table"]))
        a["ids"][flat] = ids
        if len(value) >= 3:
            a["offsets"][flat] = value[1]
            a["lengths"][flat] = value[2]
        else:
            a["lengths"][flat] = os.path.getsize(url.removeprefix("file://"))
    return {name: (a["grid"], list(a["table"]), a["ids"], a["offsets"], a["lengths"]) for name, a in arrays.items()}


def from_manifest(manifest):
    """Arrays of a VirtualiZarr ChunkManifest (paths "" = missing)."""
    paths = np.asarray(manifest._paths).ravel()
    table, inverse = np.unique(paths, return_inverse=True)
    table = [str(t) for t in table.tolist()]
    ids = inverse.astype("<u4")
    if "" in table:
        empty = table.index("")
        ids = np.where(ids == empty, MISSING, ids - (ids > empty)).astype("<u4")
        table.pop(empty)
    grid = list(manifest.shape_chunk_grid)
    return grid, table, ids, np.asarray(manifest._offsets).ravel(), np.asarray(manifest._lengths).ravel()


def from_virtual_dataset(ds):
    out = {}
    for name, var in ds.variables.items():
        manifest = getattr(var.data, "manifest", None)
        if manifest is not None:
            out[str(name)] = from_manifest(manifest)
    return out
