#!/usr/bin/env python3
"""The Python side of bench/fits.bench.mjs: writes the FITS files (seeded, astropy) and times
VirtualiZarr's FITSParser (kerchunk's `fits.process_file` under it) on them.

    fits_peer.py make DIR COUNT        writes DIR/f0000.fits ... (skipped when present); prints
                                       the paths as JSON
    fits_peer.py serve DIR COUNT       then reads lines from stdin: each `run` indexes every
                                       file once with open_virtual_dataset(parser=FITSParser)
                                       and prints {"seconds": S, "variables": N}

Each file: an empty primary HDU and four 256 x 256 float32 IMAGE extensions (SCI/ERR/DQ/WHT,
WCS keywords and a few dozen cards each), as an HST/JWST-style product is laid out. The
FITSParser is told to index all four extensions (kerchunk's default is the first only), so
both sides do the same work.
"""
import json
import os
import sys
import time
import warnings

warnings.simplefilter("ignore")


def make(folder, count):
    import numpy as np
    from astropy.io import fits

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(24)
    paths = []
    for i in range(count):
        path = os.path.join(folder, f"f{i:04d}.fits")
        paths.append(path)
        if os.path.exists(path):
            continue
        hdus = [fits.PrimaryHDU()]
        hdus[0].header["TELESCOP"] = "BENCH"
        for name in ("SCI", "ERR", "DQ", "WHT"):
            h = fits.Header()
            for k, v in {"CTYPE1": "RA---TAN", "CTYPE2": "DEC--TAN", "CRVAL1": 150.0 + i, "CRVAL2": 2.0, "CRPIX1": 128.5, "CRPIX2": 128.5, "CDELT1": -1e-4, "CDELT2": 1e-4}.items():
                h[k] = v
            for j in range(30):
                h[f"KEY{j:03d}"] = (j * 1.5, "a card")
            hdus.append(fits.ImageHDU(rng.random((256, 256), dtype=np.float32), header=h, name=name))
        fits.HDUList(hdus).writeto(path)
    return paths


def serve(paths):
    from obspec_utils.registry import ObjectStoreRegistry
    from obstore.store import LocalStore
    from virtualizarr import open_virtual_dataset
    from virtualizarr.parsers import FITSParser

    registry = ObjectStoreRegistry({"file://": LocalStore()})
    parser = FITSParser(reader_options={"extension": [1, 2, 3, 4]})
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        t0 = time.perf_counter()
        n = 0
        for p in paths:
            ds = open_virtual_dataset(f"file://{p}", registry=registry, parser=parser, loadable_variables=[])
            n += len(ds.data_vars)
        print(json.dumps({"seconds": time.perf_counter() - t0, "variables": n}), flush=True)


if __name__ == "__main__":
    command, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    paths = make(folder, count)
    if command == "make":
        print(json.dumps(paths))
    else:
        serve(paths)
