"""Checks that tools produced the same chunk references, before their times are compared.

    python verify_refs.py compare REF_DUMP OTHER_DUMP [grid|multiset] [VAR,VAR…]
        grid: per variable, the same chunk grid and, chunk by chunk, the same file, offset and
        length (missing/inlined alike); multiset: the same set of (file, offset, length) over
        all variables (GRIB, where tools group messages into variables differently).
    python verify_refs.py formula SYNTHETIC_JSON DUMP
        a dump equals the synthetic dataset's formula (bench/datagen/synthetic_refs.py).
    python verify_refs.py kerchunk-json SYNTHETIC_JSON FILE      every key counted, 1,000
        sampled references equal the formula (an independent read of a written JSON).
    python verify_refs.py kerchunk-parquet SYNTHETIC_JSON DIR    every row equals the formula.
    python verify_refs.py icechunk-sample SYNTHETIC_JSON REPO    the sampled chunks, fetched
        through Python icechunk, hold their own index at their offset and have their length.
    python verify_refs.py values NPY_A NPY_B TOLERANCE           decoded fields agree (matched one to
        one, as readers order messages differently).

Prints one JSON line: {"valid": bool, "problems": [...], ...}.
"""
import json
import os
import sys
import warnings

import numpy as np

import refs_dump

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from datagen.synthetic_refs import columns, file_path  # noqa: E402

MAX_PROBLEMS = 8
warnings.filterwarnings("ignore")


def normalize(path):
    return os.path.normpath(path[len("file://"):] if path.startswith("file://") else path)


def resolved(var):
    """Per chunk: index into a normalized path table shared by both sides (-1 missing, -2 inlined)."""
    table = [normalize(p) for p in var["paths"]]
    ids = var["ids"].astype(np.int64)
    out = np.where(var["ids"] == refs_dump.MISSING, -1, np.where(var["ids"] == refs_dump.INLINED, -2, 0)).astype(object)
    present = ids < len(table)
    names = np.array(table + [""], dtype=object)
    out[present] = names[ids[present]]
    return out


def compare_grid(a, b, only):
    problems, compared, notes = [], [], []
    names = only or sorted(a)
    for name in names:
        if name not in a or name not in b:
            problems.append(f"{name}: missing in {'reference' if name not in a else 'other'} (has {sorted(b)})")
            continue
        va, vb = a[name], b[name]
        compared.append(name)
        if va["grid"] != vb["grid"]:
            problems.append(f"{name}: chunk grid {va['grid']} vs {vb['grid']}")
            continue
        pa, pb = resolved(va), resolved(vb)
        referenced = (pa != -1) & (pa != -2)
        ranges_differ = (va["offsets"] != vb["offsets"]) | (va["lengths"] != vb["lengths"])
        bad = np.flatnonzero((pa != pb) | (referenced & ranges_differ))
        if bad.size:
            problems.append(f"{name}: {bad.size} of {pa.size} chunks differ")
            for i in bad[:MAX_PROBLEMS]:
                problems.append(f"  chunk {tuple(int(c) for c in np.unravel_index(i, va['grid']))}: {pa[i]}@{va['offsets'][i]}+{va['lengths'][i]}"
                                f" vs {pb[i]}@{vb['offsets'][i]}+{vb['lengths'][i]}")
    if not only:
        extra = sorted(set(b) - set(a))
        if extra:
            notes.append(f"variables only the other tool references (not compared): {', '.join(extra)}")
    return {"valid": not problems, "compared": compared, "problems": problems, "notes": notes,
            "chunks": int(sum(np.prod(a[n]["grid"]) for n in compared))}


def flat_refs(dump):
    rows = []
    for var in dump.values():
        p = resolved(var)
        keep = (p != -1) & (p != -2)
        rows.extend(zip(p[keep].tolist(), var["offsets"][keep].tolist(), var["lengths"][keep].tolist()))
    return sorted(set(rows))


def compare_multiset(a, b):
    ra, rb = flat_refs(a), flat_refs(b)
    problems = []
    if ra != rb:
        only_a, only_b = sorted(set(ra) - set(rb)), sorted(set(rb) - set(ra))
        problems.append(f"{len(ra)} vs {len(rb)} distinct references; {len(only_a)} only in the reference,"
                        f" {len(only_b)} only in the other")
        problems += [f"  only reference: {r}" for r in only_a[:MAX_PROBLEMS]]
        problems += [f"  only other: {r}" for r in only_b[:MAX_PROBLEMS]]
    return {"valid": not problems, "compared": ["all messages"], "problems": problems, "notes": [], "chunks": len(ra)}


def expected(p):
    ids, offsets, lengths = columns(p)
    table = np.array([normalize(file_path(p, k)) for k in range(p["files"])], dtype=object)
    return table[ids], offsets, lengths


def check_formula(p, dump):
    var = dump.get(p["variable"])
    if var is None:
        return {"valid": False, "problems": [f"no variable {p['variable']} (has {sorted(dump)})"]}
    if var["grid"] != p["grid"]:
        return {"valid": False, "problems": [f"chunk grid {var['grid']} vs {p['grid']}"]}
    paths, offsets, lengths = expected(p)
    got = resolved(var)
    bad = np.flatnonzero((got != paths) | (var["offsets"] != offsets) | (var["lengths"] != lengths))
    problems = [f"{bad.size} of {paths.size} references differ from the formula"] if bad.size else []
    problems += [f"  chunk {i}: {got[i]}@{var['offsets'][i]}+{var['lengths'][i]} vs {paths[i]}@{offsets[i]}+{lengths[i]}"
                 for i in bad[:MAX_PROBLEMS]]
    return {"valid": not problems, "problems": problems, "chunks": int(paths.size)}


def chunk_key(p, i, sep):
    return sep.join(str(c) for c in np.unravel_index(i, p["grid"]))


def check_kerchunk_json(p, path):
    import ujson

    with open(path) as f:
        refs = ujson.load(f)
    refs = refs.get("refs", refs)
    name = p["variable"]
    keys = sum(1 for k in refs if k.startswith(name + "/") and not k.split("/")[-1].startswith("."))
    paths, offsets, lengths = expected(p)
    problems = [] if keys == p["chunks"] else [f"{keys} chunk keys, expected {p['chunks']}"]
    for i in p["sample"]:
        ref = refs.get(f"{name}/{chunk_key(p, i, '.')}")
        want = [paths[i], int(offsets[i]), int(lengths[i])]
        if ref is None or [normalize(ref[0]), ref[1], ref[2]] != want:
            problems.append(f"chunk {i}: {ref} vs {want}")
            if len(problems) > MAX_PROBLEMS:
                break
    return {"valid": not problems, "problems": problems, "chunks": keys, "sampled": len(p["sample"])}


def check_kerchunk_parquet(p, folder):
    import pandas as pd

    with open(os.path.join(folder, ".zmetadata")) as f:
        record_size = json.load(f)["record_size"]
    name = p["variable"]
    parts = []
    for k in range(-(-p["chunks"] // record_size)):
        parts.append(pd.read_parquet(os.path.join(folder, name, f"refs.{k}.parq"), columns=["path", "offset", "size"]))
    frame = pd.concat(parts, ignore_index=True).iloc[: p["chunks"]]
    paths, offsets, lengths = expected(p)
    got_paths = np.array([normalize(x) for x in frame["path"].astype(str)], dtype=object)
    bad = np.flatnonzero((got_paths != paths) | (frame["offset"].to_numpy().astype(np.uint64) != offsets)
                         | (frame["size"].to_numpy().astype(np.uint64) != lengths))
    problems = [f"{bad.size} of {paths.size} rows differ from the formula"] if bad.size else []
    problems += [f"  row {i}: {frame.iloc[i].tolist()}" for i in bad[:MAX_PROBLEMS]]
    if len(frame) != p["chunks"]:
        problems.append(f"{len(frame)} rows, expected {p['chunks']}")
    return {"valid": not problems, "problems": problems, "chunks": len(frame), "record_size": record_size}


def check_icechunk_sample(p, repo_path):
    import asyncio

    import icechunk as ic
    from zarr.core.buffer import default_buffer_prototype

    prefix = "file://" + p["folder"].rstrip("/") + "/"
    repo = ic.Repository.open(ic.local_filesystem_storage(repo_path),
                              authorize_virtual_chunk_access=ic.containers_credentials({prefix: None}))
    store = repo.readonly_session("main").store
    _, _, lengths = columns(p)
    problems = []

    async def fetch_all():
        keys = [f"{p['variable']}/c/{chunk_key(p, i, '/')}" for i in p["sample"]]
        return await asyncio.gather(*(store.get(k, prototype=default_buffer_prototype()) for k in keys))

    for i, buf in zip(p["sample"], asyncio.run(fetch_all())):
        data = None if buf is None else bytes(buf.to_bytes())
        if data is None or len(data) != int(lengths[i]) or int.from_bytes(data[:8], "little") != i:
            problems.append(f"chunk {i}: fetched {None if data is None else (len(data), data[:8].hex())}")
            if len(problems) > MAX_PROBLEMS:
                break
    return {"valid": not problems, "problems": problems, "sampled": len(p["sample"])}


def check_values(a, b, tolerance):
    """Decoded GRIB fields agree, matched field by field: the reader orders messages by its
    coordinates (e.g. ascending levels), ecCodes in file order."""
    x, y = np.load(a).astype("f8"), np.load(b).astype("f8")
    if x.size != y.size or x.shape[0] == 0:
        return {"valid": False, "problems": [f"{x.size} vs {y.size} values"]}
    fields_x = x.reshape(x.shape[0], -1)
    fields_y = y.reshape(fields_x.shape[0], -1) if y.size % fields_x.shape[0] == 0 else None
    if fields_y is None or fields_y.shape != fields_x.shape:
        return {"valid": False, "problems": [f"field shapes {x.shape} vs {y.shape}"]}
    matched, worst = set(), 0.0
    for f in fields_y:
        diffs = [float(np.max(np.abs(g - f))) if k not in matched else np.inf for k, g in enumerate(fields_x)]
        k = int(np.argmin(diffs))
        matched.add(k)
        worst = max(worst, diffs[k])
    ok = worst <= tolerance
    return {"valid": ok, "problems": [] if ok else [f"max |difference| {worst:g} > {tolerance:g} (fields matched one to one)"],
            "max_abs_diff": worst}


def main():
    cmd, *rest = sys.argv[1:]
    if cmd == "compare":
        a, b = refs_dump.read(rest[0]), refs_dump.read(rest[1])
        mode = rest[2] if len(rest) > 2 else "grid"
        only = [v for v in rest[3].split(",") if v] if len(rest) > 3 else None
        out = compare_multiset(a, b) if mode == "multiset" else compare_grid(a, b, only)
    elif cmd == "formula":
        out = check_formula(json.loads(open(rest[0]).read()), refs_dump.read(rest[1]))
    elif cmd == "kerchunk-json":
        out = check_kerchunk_json(json.loads(open(rest[0]).read()), rest[1])
    elif cmd == "kerchunk-parquet":
        out = check_kerchunk_parquet(json.loads(open(rest[0]).read()), rest[1])
    elif cmd == "icechunk-sample":
        out = check_icechunk_sample(json.loads(open(rest[0]).read()), rest[1])
    elif cmd == "values":
        out = check_values(rest[0], rest[1], float(rest[2]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(out), flush=True)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
