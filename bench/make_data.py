#!/usr/bin/env python3
"""Generates the side-by-side benchmark datasets (seeded), cached by scale.

    python bench/make_data.py [--scale S]      # default: $VZARR_BENCH_SCALE or 1

Writes bench/data/scale-<S>/ and its datasets.json (paths, sizes and value digests), which
bench/compare reads. Each generator (bench/datagen/*.py) runs only when its output for this
scale is missing or its source changed. At scale 1: netCDF-4 and h5py files of 1,000,000
chunks, a netCDF-3 file of 100,000 records, a ~1 GB GRIB2 file, 1,000 daily netCDF-4 files,
a 10,000,000-reference synthetic dataset and the read-path files.
"""
import argparse
import hashlib
import importlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from datagen.common import FIXTURES  # noqa: E402

# generator module → test-fixture generators it reuses (their changes invalidate the cache)
GENERATORS = {
    "hdf5_large": ["gen_hdf5.py"],
    "netcdf3_records": [],
    "grib": ["gen_grib.py"],
    "daily_archive": [],
    "read_files": [],
    "synthetic_refs": [],
    "codec_chunks": ["gen_codecs.py"],
}


def source_hash(module, fixtures):
    h = hashlib.sha256()
    for path in [os.path.join(HERE, "datagen", module + ".py"), os.path.join(HERE, "datagen", "common.py")] + [
        os.path.join(FIXTURES, f) for f in fixtures
    ]:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def scale_label(scale):
    return ("%g" % scale).replace("/", "_")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=float(os.environ.get("VZARR_BENCH_SCALE", "1")))
    ap.add_argument("--root", default=os.path.join(HERE, "data"))
    args = ap.parse_args()
    out = os.path.join(os.path.abspath(args.root), "scale-" + scale_label(args.scale))
    os.makedirs(out, exist_ok=True)
    datasets = {}
    for module, fixtures in GENERATORS.items():
        marker = os.path.join(out, f".{module}.json")
        want = source_hash(module, fixtures)
        cached = None
        if os.path.exists(marker):
            with open(marker) as f:
                cached = json.load(f)
        if cached and cached.get("source") == want:
            datasets.update(cached["datasets"])
            continue
        start = time.time()
        print(f"make_data: generating {module} (scale {args.scale:g})", file=sys.stderr, flush=True)
        described = importlib.import_module("datagen." + module).make(out, args.scale)
        with open(marker, "w") as f:
            json.dump({"source": want, "datasets": described}, f)
        print(f"make_data: {module} done in {time.time() - start:.0f} s", file=sys.stderr, flush=True)
        datasets.update(described)
    path = os.path.join(out, "datasets.json")
    with open(path, "w") as f:
        json.dump({"scale": args.scale, "root": out, "datasets": datasets}, f, indent=1)
    print(path)


if __name__ == "__main__":
    main()
